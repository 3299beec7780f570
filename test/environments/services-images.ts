/**
 * The services tests' images (no registry is reachable here): PostgreSQL and Redis from Debian's packages on the local
 * base, and the agent image plus psql. Built once per engine and cached by recipe: the tag is a hash of the
 * Containerfile, the files it copies, and the image it is built FROM, so a changed recipe builds anew.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DockerEngineRuntime } from '../../src/runtime/index.ts';

export const SERVICES_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', 'fixtures', 'images', 'services');
const RECIPES = {
  postgres: { file: 'Postgres.Containerfile', extra: ['postgres-entry'], from: 'localhost/paddock-base:bookworm', arg: 'BASE' },
  redis: { file: 'Redis.Containerfile', extra: [], from: 'localhost/paddock-base:bookworm', arg: 'BASE' },
  psqlAgent: { file: 'PsqlAgent.Containerfile', extra: [], from: 'localhost/paddock-agent:latest', arg: 'AGENT' },
} as const;
export type ServiceImage = keyof typeof RECIPES;

/** The image's tag, built first when the engine does not have it. */
export async function serviceImage(socket: string, which: ServiceImage): Promise<string> {
  const rt = await DockerEngineRuntime.connect(socket);
  const r = RECIPES[which];
  const from = await rt.inspectImage(r.from);
  if (!from) throw new Error(`${r.from} is not in the engine at ${socket} (npm run up builds it)`);
  const h = createHash('sha256').update(from.id);
  for (const f of [r.file, ...r.extra]) h.update(f).update(readFileSync(join(SERVICES_DIR, f)));
  const tag = `localhost/paddock-test-${which.toLowerCase()}:${h.digest('hex').slice(0, 12)}`;
  if (!(await rt.imageExists(tag))) await rt.buildImage({ contextDir: SERVICES_DIR, containerfile: r.file, tag, buildArgs: { [r.arg]: r.from } });
  return tag;
}
