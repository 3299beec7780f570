/**
 * Escape suite, finalize (issue 14, findings 5, 7, 9, 11): one real run (Podman) plants everything a hostile tree can
 * hold where host git reads it at finalize — FIFOs named .gitignore/.gitattributes and a nested repo's .git/HEAD, a
 * nested .git file naming the user's repository, a socket, a device node, a 4 GiB sparse file, a 150 MB file, symlinks
 * to /etc/passwd, /root and the user's .git, a commit with a forged author and a 1970 date, and terminal escapes in its
 * output, a file name and a file's content. Then what the user sees (logs, spawn, status, diff, merge) is checked.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, lstatSync, readlinkSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { promisify } from 'node:util';
import { BIN, eventsJson, git, makeRepo, paddockEnv, runIdOf } from '../e2e/harness.ts';
import { attempt } from './attempts.ts';

const pexec = promisify(execFile);
const ESCAPES = /[\x1b\x07\x9b\x9d]|\r(?!\n)/;

describe('finalize against a hostile tree (a real run)', () => {
  it('special files, nested .git, huge and sparse files, outside symlinks, forged authors and terminal escapes are all neutralised', async (t) => {
    const e = await paddockEnv(t);
    const repo = await makeRepo(t);
    const osc = '\\033]0;PWNED-TITLE\\007 \\033]52;c;cHduZWQ=\\007 \\033]8;;http://127.0.0.1:9/\\033\\\\link\\033]8;;\\033\\\\ \\033[1A\\033[2K cr\\rover\\ttab-end';
    const attack = [
      'set +e',
      `R='${repo}'`,
      // First in the output: the transcript shows a tool result's first lines.
      `printf 'stdout ${osc}\\n'`,
      // First the forged commit (the agent's own git would block on the FIFOs below too).
      "echo forged > forged.txt && git add forged.txt && GIT_AUTHOR_NAME='Linus Torvalds' GIT_AUTHOR_EMAIL=torvalds@example.org GIT_AUTHOR_DATE='1970-01-01T00:00:01Z' GIT_COMMITTER_NAME='Linus Torvalds' GIT_COMMITTER_EMAIL=torvalds@example.org GIT_COMMITTER_DATE='1970-01-01T00:00:01Z' git commit -q -m forged; echo \"commit:$?\"",
      'git init -q nested && echo nested-work > nested/file.txt && rm -f nested/.git/HEAD && mkfifo nested/.git/HEAD; echo "nested-fifo:$?"',
      'mkfifo .gitignore .gitattributes; echo "fifo:$?"',
      'mkdir -p sub && printf "gitdir: %s/.git\\n" "$R" > sub/.git && echo sub > sub/a.txt; echo "gitfile:$?"',
      'perl -MIO::Socket::UNIX -e \'IO::Socket::UNIX->new(Type => IO::Socket::SOCK_STREAM(), Local => "sock", Listen => 1) or die "$!\\n"\'; echo "socket:$?"',
      'mknod devnode c 1 3 2>&1; echo "mknod:$?"',
      'truncate -s 4G sparse.bin; echo "sparse:$?"',
      'head -c 150000000 /dev/zero > big.bin; echo "big:$?"',
      'ln -s /etc/passwd passwd-link; ln -s /root root-link; ln -s "$R/.git" usergit-link; echo "links:$?"',
      `name=$(printf 'esc\\033]0;PWNED-TITLE\\007name.txt'); printf 'content ${osc}\\n' > "$name"; echo "escfile:$?"`,
      'echo all-done',
    ].join('\n');
    e.model.script('hostile', [{ tools: [{ name: 'Bash', input: { command: attack, description: 'plant a hostile tree' } }] }, { text: 'done \x1b]0;RESULT-TITLE\x07 \x1b[2J' }]);

    const spawned = await e.cli(['spawn', '--repo', repo, '--branch', 'hostile/run', '--task', 'Hostile [[script:hostile]]'], { timeoutMs: 300_000 });
    const id = runIdOf(spawned);
    assert.ok(id, spawned.stderr);
    const events = await eventsJson(e, id);
    const out = String(events.find((ev) => ev.kind === 'tool_result')?.data.content);
    assert.match(out, /all-done/, out);
    const status = JSON.parse((await e.cli(['status', id, '--json'])).stdout) as Record<string, unknown> & {
      state: string;
      finalize: {
        removed: { path: string; kind: string }[];
        leftOut: { path: string; why: string; size: number }[];
        outsideSymlinks: { path: string; why: string }[];
        authorFlags: { author: string; flags: string[] }[];
      };
    };
    assert.equal(status.state, 'completed', JSON.stringify(status));
    const f = status.finalize;
    const removed = f.removed.map((x) => `${x.path}:${x.kind}`);
    // Finalize timing: from the bring-back phase to the final state.
    const back = events.find((ev) => ev.kind === 'phase' && ev.data.phase === 'bringing-back') as { ts?: number } | undefined;
    const end = events.findLast((ev) => ev.kind === 'state') as { ts?: number } | undefined;
    const finalizeMs = (end?.ts ?? 0) - (back?.ts ?? 0);
    const branch = 'hostile/run';
    const tree = await git(repo, 'ls-tree', '-r', '-l', branch);

    await attempt(t, { id: 'finalize-fifo-gitignore', area: 'finalize', finding: 5, what: 'a FIFO named .gitignore and one named .gitattributes, where host git add reads them' }, () => {
      assert.match(out, /fifo:0/);
      assert.ok(removed.includes('.gitignore:fifo') && removed.includes('.gitattributes:fifo'), removed.join(','));
      assert.ok(finalizeMs > 0 && finalizeMs < 30_000, `finalize took ${finalizeMs} ms`);
      return `neutralised: removed by the lstat sweep before any git command and reported; finalize took ${(finalizeMs / 1000).toFixed(1)} s`;
    });
    await attempt(
      t,
      { id: 'finalize-fifo-nested-head', area: 'finalize', finding: 5, what: 'a nested repository whose .git/HEAD is a FIFO (host git would open it while adding the tree)' },
      async () => {
        assert.match(out, /nested-fifo:0/);
        assert.ok(removed.includes('nested/.git:nested-git'), removed.join(','));
        assert.equal(await git(repo, 'show', `${branch}:nested/file.txt`), 'nested-work');
        assert.doesNotMatch(tree, /^160000/m, 'no gitlink');
        return "neutralised: the nested .git removed unread before git ran; the nested repo's files arrive as plain files";
      },
    );
    await attempt(
      t,
      { id: 'finalize-nested-gitfile', area: 'finalize', finding: 5, what: "a nested .git file (gitdir:) naming the user's repository on the host, for host git (root) to read" },
      async () => {
        assert.match(out, /gitfile:0/);
        assert.ok(removed.includes('sub/.git:nested-git'), removed.join(','));
        assert.equal(await git(repo, 'show', `${branch}:sub/a.txt`), 'sub');
        assert.doesNotMatch(tree, /^160000/m);
        return 'neutralised: the .git file removed without being read; no gitlink to the other repository';
      },
    );
    await attempt(t, { id: 'finalize-socket', area: 'finalize', finding: 5, what: 'a unix socket in the tree' }, () => {
      assert.match(out, /socket:0/);
      assert.ok(removed.includes('sock:socket'), removed.join(','));
      return 'neutralised: removed before git ran, reported';
    });
    await attempt(t, { id: 'finalize-device-node', area: 'finalize', finding: 5, what: 'a device node (mknod c 1 3) in the tree' }, () => {
      assert.match(out, /mknod:1/);
      assert.match(out, /Operation not permitted/);
      assert.ok(!removed.some((r) => r.startsWith('devnode')));
      return 'denied: mknod EPERM (CAP_MKNOD dropped); the sweep would remove one';
    });
    await attempt(t, { id: 'finalize-sparse-4g', area: 'finalize', finding: 7, what: 'a 4 GiB sparse file (free to make, 47 s of host git before)' }, () => {
      assert.match(out, /sparse:0/);
      assert.ok(f.leftOut.some((x) => x.path === 'sparse.bin' && x.why === 'sparse' && x.size === 4 * 1024 ** 3));
      assert.doesNotMatch(tree, /sparse\.bin/);
      return `neutralised: left out of the commit (sparse), reported; finalize took ${(finalizeMs / 1000).toFixed(1)} s`;
    });
    await attempt(t, { id: 'finalize-big-150m', area: 'finalize', finding: 7, what: 'a real 150 MB file (above the 100 MB limit)' }, () => {
      assert.match(out, /big:0/);
      assert.ok(f.leftOut.some((x) => x.path === 'big.bin' && x.why === 'too-large'));
      assert.doesNotMatch(tree, /big\.bin/);
      return 'neutralised: left out of the commit (too large), reported';
    });
    await attempt(t, { id: 'finalize-forged-author', area: 'finalize', finding: 11, what: 'a commit claiming another author and committer, dated 1970' }, async () => {
      assert.match(out, /commit:0/);
      const log = await git(repo, 'log', '--format=%an <%ae>|%cn <%ce>|%s', `main..${branch}`);
      assert.match(log, /^Linus Torvalds <torvalds@example.org>\|Paddock <paddock@paddock.invalid>\|forged$/m);
      assert.ok(f.authorFlags.some((c) => c.author === 'Linus Torvalds <torvalds@example.org>' && c.flags.includes('author') && c.flags.includes('date')));
      const human = (await e.cli(['status', id])).stdout;
      assert.match(human, /claims author Linus Torvalds/);
      return 'neutralised: committer rewritten to Paddock; the claimed author kept and flagged (author, date) by status and diff';
    });

    // What the user reads: logs, spawn's own output, status, diff on a terminal.
    const logs = await e.cli(['logs', id]);
    const diffTty = await pexec('script', ['-qec', `${process.execPath} ${BIN} diff ${id}`, '/dev/null'], { env: e.env, maxBuffer: 64 << 20 });
    const statusHuman = (await e.cli(['status', id])).stdout;
    await attempt(
      t,
      {
        id: 'surfaces-terminal-escapes',
        area: 'surfaces',
        finding: 9,
        what: "OSC 0 title, OSC 52 clipboard, OSC 8 hyperlink, CSI cursor-up/erase-line and a bare CR in tool output, the result text, a file name and a file's content",
      },
      () => {
        for (const [where, text] of [
          ['logs', logs.stdout],
          ['spawn', spawned.stdout + spawned.stderr],
          ['status', statusHuman],
          ['diff (tty)', diffTty.stdout],
        ] as const) {
          assert.doesNotMatch(text, ESCAPES, `${where} printed a raw escape: ${JSON.stringify(text.match(/.{0,20}[\x1b\x07\r].{0,20}/)?.[0])}`);
        }
        assert.match(logs.stdout, /over\ttab-end/, 'tabs kept');
        assert.match(logs.stdout, /\\x0dover/, 'a bare CR is shown escaped');
        assert.match(diffTty.stdout, /content/, 'the file content is in the diff');
        assert.match(diffTty.stdout, /esc\\033\]0;PWNED-TITLE\\aname\.txt/, 'git quotes the file name');
        return 'neutralised: logs, spawn, status and diff on a terminal strip escape sequences and show other controls escaped (newline, tab kept)';
      },
    );

    // Symlinks: diff flags them; merge refuses; a link into .git is refused even when allowed.
    const diff = await e.cli(['diff', id, '--stat']);
    const merge1 = await e.cli(['merge', id]);
    const merge2 = await e.cli(['merge', id, '--allow-outside-symlinks']);
    await attempt(t, { id: 'finalize-symlink-user-git', area: 'finalize', finding: 11, what: "a symlink to the user's own .git (absolute path) brought to merge" }, () => {
      assert.ok(f.outsideSymlinks.some((l) => l.path === 'usergit-link' && l.why === 'git'));
      assert.match(diff.stderr, /usergit-link/);
      assert.notEqual(merge2.code, 0, merge2.stdout);
      assert.match(merge2.stderr, /symlinks into \.git/);
      return 'denied: flagged by diff; merge refuses a link into .git even with --allow-outside-symlinks';
    });
    // The user drops that link from the branch (a commit of their own), then merges.
    const idx = join(e.home, 'user-index');
    const genv = { ...process.env, GIT_INDEX_FILE: idx };
    await pexec('git', ['-C', repo, 'read-tree', branch], { env: genv });
    await pexec('git', ['-C', repo, 'rm', '-q', '--cached', 'usergit-link'], { env: genv });
    const newTree = (await pexec('git', ['-C', repo, 'write-tree'], { env: genv })).stdout.trim();
    const head = (await pexec('git', ['-C', repo, '-c', 'user.name=u', '-c', 'user.email=u@x', 'commit-tree', newTree, '-p', branch, '-m', 'drop the .git link'])).stdout.trim();
    await git(repo, 'update-ref', `refs/heads/${branch}`, head);
    const merge3 = await e.cli(['merge', id]);
    const merge4 = await e.cli(['merge', id, '--allow-outside-symlinks']);
    await attempt(t, { id: 'finalize-symlink-outside', area: 'finalize', finding: 11, what: "symlinks to /etc/passwd and /root brought to merge into the user's worktree" }, () => {
      assert.ok(f.outsideSymlinks.some((l) => l.path === 'passwd-link' && l.why === 'absolute'));
      assert.ok(f.outsideSymlinks.some((l) => l.path === 'root-link' && l.why === 'absolute'));
      assert.match(diff.stderr, /passwd-link -> \/etc\/passwd/);
      assert.notEqual(merge1.code, 0);
      assert.notEqual(merge3.code, 0, merge3.stdout);
      assert.match(merge3.stderr, /pointing outside the worktree/);
      assert.equal(merge4.code, 0, merge4.stderr);
      assert.equal(readlinkSync(join(repo, 'passwd-link')), '/etc/passwd');
      assert.ok(!existsSync(join(repo, 'big.bin')) && !existsSync(join(repo, 'sparse.bin')));
      assert.ok(lstatSync(join(repo, 'passwd-link')).isSymbolicLink());
      return 'denied: flagged by diff, merge refused; merged only with --allow-outside-symlinks (an explicit, logged choice)';
    });
  });
});
