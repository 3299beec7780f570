/** A unified patch (git diff) split per file, into rows for the unified and the side-by-side views. */
export interface DiffLine {
  /** Its place in the file's lines (a stable key). */
  id: number;
  kind: 'add' | 'del' | 'ctx' | 'hunk' | 'meta';
  text: string;
  oldNo: number | null;
  newNo: number | null;
}

/** path (the new one) → its lines. */
export function splitPatch(patch: string): Map<string, DiffLine[]> {
  const files = new Map<string, DiffLine[]>();
  let current: DiffLine[] | undefined;
  let inHunk = false;
  let oldNo = 0;
  let newNo = 0;
  for (const line of patch.split('\n')) {
    const head = /^diff --git a\/(.*) b\/(.*)$/.exec(line);
    if (head) {
      current = [];
      inHunk = false;
      files.set(head[2] ?? '', current);
      continue;
    }
    if (!current) continue;
    const hunk = /^@@ -(\d+)(?:,\d+)? \+(\d+)(?:,\d+)? @@/.exec(line);
    if (hunk) {
      inHunk = true;
      oldNo = Number(hunk[1]);
      newNo = Number(hunk[2]);
      current.push({ id: current.length, kind: 'hunk', text: line, oldNo: null, newNo: null });
    } else if (!inHunk) {
      // The file's header: modes, renames, "Binary files … differ"; index and ---/+++ lines say nothing new here.
      if (line && !/^(index |--- |\+\+\+ )/.test(line)) current.push({ id: current.length, kind: 'meta', text: line, oldNo: null, newNo: null });
    } else if (line.startsWith('+')) current.push({ id: current.length, kind: 'add', text: line.slice(1), oldNo: null, newNo: newNo++ });
    else if (line.startsWith('-')) current.push({ id: current.length, kind: 'del', text: line.slice(1), oldNo: oldNo++, newNo: null });
    else if (line.startsWith(' ')) current.push({ id: current.length, kind: 'ctx', text: line.slice(1), oldNo: oldNo++, newNo: newNo++ });
    else if (line.startsWith('\\')) current.push({ id: current.length, kind: 'meta', text: line, oldNo: null, newNo: null });
  }
  return files;
}

export interface SideRow {
  id: number;
  left: DiffLine | null;
  right: DiffLine | null;
  hunk?: string;
}

/** Pairs deletions with the additions that follow them, context on both sides. */
export function sideBySide(lines: readonly DiffLine[]): SideRow[] {
  const rows: SideRow[] = [];
  let dels: DiffLine[] = [];
  let adds: DiffLine[] = [];
  const flush = () => {
    for (let i = 0; i < Math.max(dels.length, adds.length); i++) rows.push({ id: rows.length, left: dels[i] ?? null, right: adds[i] ?? null });
    dels = [];
    adds = [];
  };
  for (const l of lines) {
    if (l.kind === 'del') {
      if (adds.length) flush();
      dels.push(l);
    } else if (l.kind === 'add') adds.push(l);
    else {
      flush();
      if (l.kind === 'hunk' || l.kind === 'meta') rows.push({ id: rows.length, left: null, right: null, hunk: l.text });
      else rows.push({ id: rows.length, left: l, right: l });
    }
  }
  flush();
  return rows;
}

export interface TreeNode {
  name: string;
  path: string;
  children: TreeNode[];
  file: boolean;
}

/** The changed files as a directory tree, directories first, each level sorted. */
export function fileTree(paths: readonly string[]): TreeNode[] {
  const root: TreeNode = { name: '', path: '', children: [], file: false };
  for (const p of paths) {
    const parts = p.split('/');
    let node = root;
    parts.forEach((name, i) => {
      const file = i === parts.length - 1;
      let child = node.children.find((c) => c.name === name && c.file === file);
      if (!child) {
        child = { name, path: parts.slice(0, i + 1).join('/'), children: [], file };
        node.children.push(child);
      }
      node = child;
    });
  }
  const sort = (n: TreeNode) => {
    n.children.sort((a, b) => Number(a.file) - Number(b.file) || a.name.localeCompare(b.name));
    n.children.forEach(sort);
  };
  sort(root);
  return root.children;
}
