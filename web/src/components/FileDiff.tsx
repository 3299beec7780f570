/** One file's changes, unified or side by side. Lines are text: React escapes them. */
import { type DiffLine, sideBySide } from '../lib/diff.ts';
import type { DiffFile } from '../lib/types.ts';
import { fileAnchor } from './FileTree.tsx';

const sign = { add: '+', del: '-', ctx: ' ', hunk: '', meta: '' } as const;

export function FileDiff({ file, lines, mode }: { file: DiffFile; lines: DiffLine[]; mode: 'unified' | 'split' }) {
  return (
    <section className="file-diff" id={fileAnchor(file.path)} aria-label={file.path}>
      <h3>
        <span className={`status status-${file.status}`}>{file.status}</span> {file.oldPath ? `${file.oldPath} → ` : ''}
        {file.path}
      </h3>
      {file.binary ? (
        <p className="muted">Binary file.</p>
      ) : mode === 'unified' ? (
        <table className="code">
          <colgroup>
            <col className="no" />
            <col className="no" />
            <col />
          </colgroup>
          <tbody>
            {lines.map((l) => (
              <tr key={l.id} className={`l-${l.kind}`}>
                <td className="no">{l.oldNo ?? ''}</td>
                <td className="no">{l.newNo ?? ''}</td>
                <td className="src">
                  {sign[l.kind]}
                  {l.text}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : (
        <table className="code split">
          <colgroup>
            <col className="no" />
            <col />
            <col className="no" />
            <col />
          </colgroup>
          <tbody>
            {sideBySide(lines).map((r) =>
              r.hunk !== undefined ? (
                <tr key={r.id} className="l-hunk">
                  <td colSpan={4} className="src">
                    {r.hunk}
                  </td>
                </tr>
              ) : (
                <tr key={r.id}>
                  <td className="no">{r.left?.oldNo ?? ''}</td>
                  <td className={`src ${r.left ? `l-${r.left.kind === 'ctx' ? 'ctx' : 'del'}` : 'l-empty'}`}>{r.left?.text ?? ''}</td>
                  <td className="no">{r.right?.newNo ?? ''}</td>
                  <td className={`src ${r.right ? `l-${r.right.kind === 'ctx' ? 'ctx' : 'add'}` : 'l-empty'}`}>{r.right?.text ?? ''}</td>
                </tr>
              ),
            )}
          </tbody>
        </table>
      )}
    </section>
  );
}
