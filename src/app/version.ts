/** Paddock's version: the CLI's --version, the API's document, the daemon's status. */
export const VERSION = '0.2.0';
