/** Images: inspect, build (a local context, no pulls), import of a root filesystem tarball, remove. */
import { existsSync } from 'node:fs';
import type { IncomingMessage } from 'node:http';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import tar from 'tar-fs';
import { ErrorCode, PaddockError } from '../../errors/index.ts';
import { buildFailed, engineMessage } from '../engine-errors.ts';
import type { BuildImageRequest, ImageInfo, ImageSearchResult, ImageSummary } from '../port.ts';
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
    const j = await this.client.requestOrAbsent<{
      Id?: string;
      RepoTags?: string[] | null;
      Size?: number;
      Created?: string;
      Architecture?: string;
      Os?: string;
      Config?: { Labels?: Record<string, string> | null };
    }>({ path: `/images/${ref}/json`, method: 'GET', statusCodes: { 200: true } }, `inspect image ${ref}`);
    if (j === undefined) return undefined;
    const created = j.Created ? Date.parse(j.Created) : Number.NaN;
    return {
      id: j.Id ?? '',
      labels: j.Config?.Labels ?? {},
      tags: (j.RepoTags ?? []).filter((t) => t !== '<none>:<none>'),
      ...(typeof j.Size === 'number' ? { size: j.Size } : {}),
      ...(Number.isFinite(created) ? { created } : {}),
      ...(j.Architecture ? { architecture: j.Architecture } : {}),
      ...(j.Os ? { os: j.Os } : {}),
    };
  }

  async list(): Promise<ImageSummary[]> {
    const rows = await this.client.request<{ Id?: string; RepoTags?: string[] | null; Size?: number; Created?: number; Labels?: Record<string, string> | null }[]>(
      { path: '/images/json?', method: 'GET', options: { all: false }, statusCodes: { 200: true } },
      'list images',
    );
    return rows.map((r) => ({
      id: r.Id ?? '',
      tags: (r.RepoTags ?? []).filter((t) => t !== '<none>:<none>'),
      size: r.Size ?? 0,
      created: (r.Created ?? 0) * 1000,
      labels: r.Labels ?? {},
    }));
  }

  /** The engine contacts the registry the reference names; its failure (unreachable, unknown, denied) comes back as the engine's text. */
  async pull(ref: string, opts: { platform?: string }, onProgress?: (line: string) => void): Promise<{ id: string }> {
    const [repo, tag] = splitRef(ref);
    let res: IncomingMessage;
    try {
      res = await this.client.call<IncomingMessage>({
        path: '/images/create?',
        method: 'POST',
        options: { fromImage: repo, tag, ...(opts.platform ? { platform: opts.platform } : {}) },
        isStream: true,
        statusCodes: { 200: true },
      });
    } catch (e) {
      throw pullFailed(ref, engineText(e), this.client.socketPath);
    }
    const result = await this.progress(res, onProgress, `pull ${ref}`);
    if (result.error !== undefined) throw pullFailed(ref, result.error, this.client.socketPath);
    const info = await this.inspect(ref);
    if (!info) throw pullFailed(ref, 'the engine finished the pull but has no image by that name', this.client.socketPath);
    return { id: info.id };
  }

  async search(term: string, limit: number): Promise<ImageSearchResult[]> {
    let rows: {
      name?: string;
      Name?: string;
      description?: string;
      Description?: string;
      star_count?: number;
      Stars?: number;
      is_official?: boolean;
      Official?: boolean;
      is_automated?: boolean;
      Automated?: boolean;
    }[];
    try {
      rows = await this.client.call({ path: '/images/search?', method: 'GET', options: { term, limit }, statusCodes: { 200: true } });
    } catch (e) {
      throw new PaddockError(ErrorCode.EngineUnavailable, `registry search for ${term} failed: ${engineText(e)}`, {
        hint: 'the engine could not reach the registry; no image registry may be reachable from this machine',
        details: { socketPath: this.client.socketPath, registry: true },
      });
    }
    return (Array.isArray(rows) ? rows : []).map((r) => ({
      name: String(r.name ?? r.Name ?? ''),
      description: String(r.description ?? r.Description ?? ''),
      stars: Number(r.star_count ?? r.Stars ?? 0),
      official: Boolean(r.is_official ?? r.Official),
      automated: Boolean(r.is_automated ?? r.Automated),
    }));
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

/** The engine's words from a failed request, on one line. */
function engineText(e: unknown): string {
  return engineMessage(e)
    .replace(/[\x00-\x1f\x7f]+/g, ' ')
    .slice(0, 500);
}

function pullFailed(ref: string, text: string, socketPath: string): PaddockError {
  return new PaddockError(ErrorCode.EngineUnavailable, `pull of ${ref} failed: ${text.replace(/[\x00-\x1f\x7f]+/g, ' ').slice(0, 500)}`, {
    hint: 'the engine could not fetch it from its registry (no image registry may be reachable from this machine): build the image locally instead (paddock image build, paddock image create)',
    details: { socketPath, registry: true },
  });
}
