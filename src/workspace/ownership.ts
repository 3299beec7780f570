/** Handing a clone to the container user and back: `chown -R -h`, which never follows symlinks. */
import { execFile } from 'node:child_process';
import { ErrorCode, PaddockError } from '../errors/index.ts';

/** Changes the owner of `dir` and everything under it; symlinks themselves are changed, never their targets. */
export function chownTree(dir: string, uid: number, gid: number): Promise<void> {
  if (!Number.isInteger(uid) || uid < 0 || !Number.isInteger(gid) || gid < 0) {
    return Promise.reject(new PaddockError(ErrorCode.InvalidInput, `invalid owner ${uid}:${gid}`, { hint: 'Pass numeric uid and gid.' }));
  }
  return new Promise((resolve, reject) => {
    execFile('chown', ['-R', '-h', '-P', `${uid}:${gid}`, '--', dir], { encoding: 'utf8' }, (err, _stdout, stderr) => {
      if (err === null) {
        resolve();
        return;
      }
      reject(
        new PaddockError(ErrorCode.Internal, `could not change the owner of ${dir} to ${uid}:${gid}: ${stderr.trim() || err.message}`, {
          hint: 'Paddock must run as root (or with CAP_CHOWN) to hand run checkouts to the container user and back.',
          details: { dir, uid, gid },
          cause: err,
        }),
      );
    });
  });
}

export function currentOwner(): { uid: number; gid: number } {
  return { uid: process.getuid?.() ?? 0, gid: process.getgid?.() ?? 0 };
}
