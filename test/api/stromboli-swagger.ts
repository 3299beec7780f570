/**
 * Stromboli's own OpenAPI document (Swagger 2.0, verbatim in test/fixtures/stromboli/swagger.yaml) as JSON Schema
 * draft-07 for ajv: its `definitions` are schema objects already (draft-4 style); only Swagger's own keywords
 * (example, x-*) are dropped, and $refs point into one root schema.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv, type ValidateFunction } from 'ajv';
import { parse } from 'yaml';
import { ROOT } from '../e2e/harness.ts';

type Json = Record<string, unknown>;

export const SWAGGER = parse(readFileSync(join(ROOT, 'test', 'fixtures', 'stromboli', 'swagger.yaml'), 'utf8')) as {
  definitions: Record<string, Json>;
  paths: Record<string, Record<string, { parameters?: Json[]; responses: Record<string, { schema?: Json }> }>>;
};

/** A Swagger schema object as draft-07: Swagger-only keywords removed, recursively. */
function toDraft07(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(toDraft07);
  if (typeof v !== 'object' || v === null) return v;
  const out: Json = {};
  for (const [k, val] of Object.entries(v as Json)) {
    if (k === 'example' || k.startsWith('x-')) continue;
    // properties holds names, not keywords: keep every name, convert each value
    out[k] = k === 'properties' ? Object.fromEntries(Object.entries(val as Json).map(([n, s]) => [n, toDraft07(s)])) : toDraft07(val);
  }
  return out;
}

const ROOT_ID = 'https://paddock.invalid/stromboli-swagger.json';
const ajv = new Ajv({ allErrors: true, strict: false });
ajv.addSchema({ $id: ROOT_ID, $schema: 'http://json-schema.org/draft-07/schema#', definitions: toDraft07(SWAGGER.definitions) as Json });

const cache = new Map<string, ValidateFunction>();
/** The validator of a definition, by its name in swagger.yaml (e.g. internal_api.RunResponse). */
export function validatorOf(definition: string): ValidateFunction {
  if (!(definition in SWAGGER.definitions)) throw new Error(`no definition ${definition} in swagger.yaml`);
  let v = cache.get(definition);
  if (!v) {
    v = ajv.compile({ $ref: `${ROOT_ID}#/definitions/${definition.replace(/~/g, '~0').replace(/\//g, '~1')}` });
    cache.set(definition, v);
  }
  return v;
}

/** Asserts that a body validates against a definition; the message lists every violation. */
export function assertMatches(definition: string, body: unknown, what = definition): void {
  const v = validatorOf(definition);
  if (!v(body)) throw new Error(`${what} does not match Stromboli's ${definition}: ${ajv.errorsText(v.errors, { separator: '; ' })}\n${JSON.stringify(body).slice(0, 2000)}`);
}

/** The definition swagger.yaml gives for a response of an operation, e.g. ('/jobs/{id}', 'get', 404). */
export function responseDefinition(path: string, method: string, status: number): string | undefined {
  const ref = SWAGGER.paths[path]?.[method]?.responses[String(status)]?.schema?.$ref;
  return typeof ref === 'string' ? ref.replace('#/definitions/', '') : undefined;
}

/** Every definition that is a request body of some operation (`in: body`). */
export function requestDefinitions(): { path: string; method: string; definition: string }[] {
  const out: { path: string; method: string; definition: string }[] = [];
  for (const [path, ops] of Object.entries(SWAGGER.paths)) {
    for (const [method, op] of Object.entries(ops)) {
      for (const prm of op.parameters ?? []) {
        const ref = (prm.schema as Json | undefined)?.$ref;
        if (prm.in === 'body' && typeof ref === 'string') out.push({ path, method, definition: ref.replace('#/definitions/', '') });
      }
    }
  }
  return out;
}

/** A definition resolved one level (its $ref and allOf followed), for walking its properties. */
export function resolved(schema: Json): Json {
  if (typeof schema.$ref === 'string') return resolved(SWAGGER.definitions[schema.$ref.replace('#/definitions/', '')]!);
  if (Array.isArray(schema.allOf) && schema.allOf.length === 1) return { ...resolved(schema.allOf[0] as Json), ...(schema.description ? { description: schema.description } : {}) };
  return schema;
}
