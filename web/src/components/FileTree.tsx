/** The changed files as a tree; each file links to its diff below. */
import { fileTree, type TreeNode } from '../lib/diff.ts';
import type { DiffFile } from '../lib/types.ts';

export const fileAnchor = (path: string): string => `file-${encodeURIComponent(path).replace(/%/g, '_')}`;

export function FileTree({ files }: { files: DiffFile[] }) {
  const byPath = new Map(files.map((f) => [f.path, f]));
  const render = (nodes: TreeNode[]) => (
    <ul>
      {nodes.map((n) => (
        <li key={`${n.file ? 'f' : 'd'}:${n.path}`}>
          {n.file ? (
            <a href={`#${fileAnchor(n.path)}`}>
              {n.name} <Stat file={byPath.get(n.path)} />
            </a>
          ) : (
            <>
              <span className="dir">{n.name}/</span>
              {render(n.children)}
            </>
          )}
        </li>
      ))}
    </ul>
  );
  return (
    <nav className="file-tree" aria-label="Changed files">
      {render(fileTree(files.map((f) => f.path)))}
    </nav>
  );
}

function Stat({ file }: { file: DiffFile | undefined }) {
  if (!file) return null;
  return (
    <span className="small">
      <span className="good">+{file.added}</span> <span className="bad">−{file.deleted}</span>
    </span>
  );
}
