/** The default allow list (PADDOCK_EGRESS_ALLOW): package registries and source hosts an agent commonly needs. */
export const DEFAULT_EGRESS_ALLOW = [
  // npm
  'registry.npmjs.org:443',
  // PyPI: the index and its files
  'pypi.org:443',
  'files.pythonhosted.org:443',
  // GitHub: the site, its API and its content hosts (git over HTTPS, releases, raw files)
  'github.com:443',
  '*.github.com:443',
  '*.githubusercontent.com:443',
  // Debian's mirrors (apt speaks plain HTTP by default)
  'deb.debian.org',
  'security.debian.org',
] as const;
