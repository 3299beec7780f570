/** spawn's --service NAME=IMAGE, --services FILE and --keep-services, as the request's services (docs/services.md). */
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { invalidInput } from '../../app/light.ts';

export async function servicesOf(o: Record<string, unknown>): Promise<{ services?: unknown[]; keepServices?: boolean; compose?: { path: string; service: string } }> {
  const flags = (o.service as string[] | undefined) ?? [];
  const services: unknown[] = flags.map((v) => {
    const at = v.indexOf('=');
    if (at <= 0 || at === v.length - 1) throw invalidInput(`--service ${v.slice(0, 80)}: expected NAME=IMAGE`, 'e.g. --service db=localhost/postgres:15');
    return { name: v.slice(0, at).trim(), image: v.slice(at + 1).trim() };
  });
  if (typeof o.services === 'string') services.push(...(await servicesFile(o.services)));
  // --compose FILE --compose-service NAME: the daemon reads the file, so its path goes absolute.
  if ((o.compose === undefined) !== (o.composeService === undefined)) throw invalidInput('--compose and --compose-service go together', 'e.g. --compose compose.yaml --compose-service app');
  const compose = typeof o.compose === 'string' ? { path: resolve(o.compose), service: String(o.composeService) } : undefined;
  return { ...(services.length ? { services } : {}), ...(o.keepServices ? { keepServices: true } : {}), ...(compose ? { compose } : {}) };
}

/** A YAML or JSON file: a list of services, or {services: [...]}. The daemon validates each one. */
async function servicesFile(path: string): Promise<unknown[]> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    throw invalidInput(`--services ${path}: cannot read it (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`, 'pass the path of a YAML or JSON file');
  }
  let doc: unknown;
  try {
    doc = parseYaml(text);
  } catch (e) {
    throw invalidInput(`--services ${path}: not YAML or JSON (${(e as Error).message.split('\n')[0]})`);
  }
  const list = Array.isArray(doc) ? doc : doc && typeof doc === 'object' && Array.isArray((doc as { services?: unknown }).services) ? (doc as { services: unknown[] }).services : undefined;
  if (!list)
    throw invalidInput(`--services ${path}: expected a list of services, or {services: [...]}`, 'each service is {name, image, command?, environment?, healthcheck?, depends_on?} (docs/services.md)');
  return list;
}
