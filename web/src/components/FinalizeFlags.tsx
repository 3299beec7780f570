/** What Paddock flagged when it collected the run's tree: symlinks out of it, commits by someone other than the agent, files left out. */
export interface FinalizeReport {
  removed: { path: string; kind: string }[];
  leftOut: { path: string; size: number; why: 'too-large' | 'sparse' }[];
  outsideSymlinks: { path: string; target: string; why: string }[];
  authorFlags: { sha: string; subject: string; author: string; flags: ('author' | 'date')[] }[];
}

export function FinalizeFlags({ report }: { report: FinalizeReport }) {
  const any = report.outsideSymlinks.length + report.authorFlags.length + report.leftOut.length + report.removed.length;
  if (!any) return null;
  return (
    <section className="panel flags" aria-labelledby="flags-title" role="note">
      <h2 id="flags-title">Flagged</h2>
      <ul>
        {report.outsideSymlinks.map((s) => (
          <li key={`s:${s.path}`} className="bad">
            Symlink out of the tree ({s.why}): <code>{s.path}</code> → <code>{s.target}</code>
          </li>
        ))}
        {report.authorFlags.map((a) => (
          <li key={`a:${a.sha}`} className="bad">
            Commit <code>{a.sha.slice(0, 10)}</code> “{a.subject}”: {a.flags.includes('author') ? `authored as ${a.author}, not the agent` : ''}
            {a.flags.includes('date') ? `${a.flags.includes('author') ? '; ' : ''}dated far from the run` : ''}
          </li>
        ))}
        {report.leftOut.map((f) => (
          <li key={`l:${f.path}`}>
            Left out of the commit: <code>{f.path}</code> ({f.why === 'sparse' ? 'sparse' : `${f.size} bytes, over the limit`})
          </li>
        ))}
        {report.removed.map((f) => (
          <li key={`r:${f.path}`}>
            Removed ({f.kind}): <code>{f.path}</code>
          </li>
        ))}
      </ul>
    </section>
  );
}
