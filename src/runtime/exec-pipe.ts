/**
 * A byte pipe into a live container: an exec without a TTY (so no line discipline touches the bytes), its stdin raw
 * and its stdout taken out of the engine's multiplexed frames. Port previews carry one TCP connection each over it.
 */
import { Transform, type TransformCallback } from 'node:stream';
import type { Duplex } from 'node:stream';
import { engineFailure, jsonRequest, upgrade } from './terminal.ts';

export interface ExecPipe {
  /** Write here: the exec's stdin. End it to close the exec's stdin. */
  input: Duplex;
  /** The exec's stdout bytes (its stderr is dropped). */
  output: Transform;
}

/** Starts `cmd` as `user` in a running container with stdin, stdout and stderr attached (no TTY). */
export async function execPipe(socketPath: string, containerId: string, req: { user: string; workdir: string; cmd: string[] }): Promise<ExecPipe> {
  const created = await jsonRequest(socketPath, 'POST', `/containers/${encodeURIComponent(containerId)}/exec`, {
    Cmd: req.cmd,
    User: req.user,
    WorkingDir: req.workdir,
    AttachStdin: true,
    AttachStdout: true,
    AttachStderr: true,
    Tty: false,
    Privileged: false,
  });
  if (created.status !== 201) throw engineFailure(`exec in container ${containerId}`, created);
  const execId = encodeURIComponent(String((JSON.parse(created.body) as { Id?: string }).Id ?? ''));
  const socket = await upgrade(socketPath, `/exec/${execId}/start`, { Detach: false, Tty: false }, `start the exec in container ${containerId}`);
  const output = new StdoutFrames();
  socket.pipe(output);
  return { input: socket, output };
}

/** The payloads of the stdout frames ([type, 0, 0, 0, length uint32 BE] + payload) of a multiplexed stream. */
export class StdoutFrames extends Transform {
  private buffered: Buffer = Buffer.alloc(0);
  private left = 0;
  private stream = 0;

  override _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    let data: Buffer = this.buffered.length ? Buffer.concat([this.buffered, chunk]) : chunk;
    this.buffered = Buffer.alloc(0);
    while (data.length > 0) {
      if (this.left === 0) {
        if (data.length < 8) {
          this.buffered = data;
          break;
        }
        this.stream = data[0]!;
        this.left = data.readUInt32BE(4);
        data = data.subarray(8);
        continue;
      }
      const take = Math.min(this.left, data.length);
      if (this.stream === 1) this.push(data.subarray(0, take));
      this.left -= take;
      data = data.subarray(take);
    }
    done();
  }
}
