/** Images: inspect, build (a local context, no pulls), import of a root filesystem tarball, remove. */
import { existsSync } from 'node:fs';
import type { IncomingMessage } from 'node:http';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import tar from 'tar-fs';
import { ErrorCode, PaddockError } from '../../errors/index.ts';
import { buildFailed } from '../engine-errors.ts';
import type { BuildImageRequest, ImageInfo } from '../port.ts';
import { type ProgressResult, readProgress } from '../progress-stream.ts';
import type { EngineClient } from './client.ts';

/** "localhost/x:v1" → ["localhost/x", "v1"]; a colon before the last slash is a registry port, not a tag. */
export function splitRef(ref: string): [repo: string, tag: string] {
  const colon = ref.lastIndexOf(':');
  if (colon > ref.lastIndexOf('/')) return [ref.slice(0, colon), ref.slice(colon + 1)];
  return [ref, 'latest'];
}

export class EngineImages {
  private readonly client: EngineClient;

  constructor(client: EngineClient) {
    this.client = client;
  }

  async exists(ref: string): Promise<boolean> {
    return (await this.inspect(ref)) !== undefined;
  }

  async inspect(ref: string): Promise<ImageInfo | undefined> {
    const j = await this.client.requestOrAbsent<{ Id?: string; Architecture?: string; Os?: string; Config?: { Labels?: Record<string, string> | null } }>(
      { path: `/images/${ref}/json`, method: 'GET', statusCodes: { 200: true } },
      `inspect image ${ref}`,
    );
    if (j === undefined) return undefined;
    return { id: j.Id ?? '', labels: j.Config?.Labels ?? {}, ...(j.Architecture ? { architecture: j.Architecture } : {}), ...(j.Os ? { os: j.Os } : {}) };
  }

  async build(req: BuildImageRequest, onProgress?: (line: string) => void): Promise<void> {
    if (!existsSync(join(req.contextDir, req.containerfile))) {
      throw new PaddockError(ErrorCode.InvalidInput, `no ${req.containerfile} in the build context ${req.contextDir}`, {
        hint: 'containerfile is a path relative to contextDir',
      });
    }
    const context = tar.pack(req.contextDir);
    let res: IncomingMessage;
    try {
      res = await this.client.request<IncomingMessage>(
        {
          path: '/build?',
          method: 'POST',
          options: {
            t: req.tag,
            dockerfile: req.containerfile,
            // Remove intermediate containers, even when a step fails.
            rm: true,
            forcerm: true,
            ...(req.buildArgs ? { buildargs: req.buildArgs } : {}),
            ...(req.labels ? { labels: req.labels } : {}),
          },
          file: context,
          headers: { 'Content-Type': 'application/x-tar' },
          isStream: true,
          statusCodes: { 200: true },
        },
        `build ${req.tag}`,
      );
    } catch (e) {
      // The engine never took the context: stop packing it.
      context.destroy();
      throw e;
    }
    const result = await this.progress(res, onProgress, `build ${req.tag}`);
    if (result.error !== undefined) throw buildFailed(result.error, req.tag, this.client.socketPath);
  }

  async import(tarball: Readable, ref: string, onProgress?: (line: string) => void): Promise<void> {
    // The whole reference goes in `repo`: Podman 4.3's compat import ignores a separate `tag` (it names the image
    // repo:latest), while both engines accept "repo:tag" in `repo`. No libpod endpoint needed.
    const res = await this.client.request<IncomingMessage>(
      {
        path: '/images/create?',
        method: 'POST',
        options: { fromSrc: '-', repo: ref },
        file: tarball,
        isStream: true,
        statusCodes: { 200: true },
      },
      `import ${ref}`,
    );
    const result = await this.progress(res, onProgress, `import ${ref}`);
    if (result.error !== undefined) {
      throw new PaddockError(ErrorCode.Internal, `import of ${ref} failed: ${result.error}`, {
        hint: 'check that the file is a root filesystem tarball (tar, optionally gzip-compressed)',
        details: { socketPath: this.client.socketPath },
      });
    }
    if (await this.exists(ref)) return;
    // An engine that dropped the name still imported the image: name it from the id it reported.
    if (result.imageId === undefined) {
      throw new PaddockError(ErrorCode.Internal, `import of ${ref} finished but the engine reported no image id and no image has that name`, {
        hint: 'look for an untagged image in the engine and tag it, or import again',
      });
    }
    const [repo, tag] = splitRef(ref);
    await this.client.request(
      { path: `/images/${result.imageId}/tag?`, method: 'POST', options: { _query: { repo, tag }, _body: {} }, statusCodes: { 200: true, 201: true } },
      `tag imported image ${result.imageId} as ${ref}`,
    );
  }

  async remove(ref: string): Promise<void> {
    await this.client.requestOrAbsent({ path: `/images/${ref}`, method: 'DELETE', statusCodes: { 200: true } }, `remove image ${ref}`);
  }

  /** Reads a build/import progress stream; a connection that breaks mid-way is an engine failure, not a build error. */
  private async progress(res: IncomingMessage, onProgress: ((line: string) => void) | undefined, what: string): Promise<ProgressResult> {
    try {
      return await readProgress(res, onProgress);
    } catch (e) {
      throw this.client.fail(e, what);
    }
  }
}
