/** /docs: the OpenAPI document as one readable page, rendered on the server (no scripts, nothing fetched). */
import { html, raw } from 'hono/html';

type Doc = { info: { title: string; version: string; description?: string }; paths?: Record<string, Record<string, { summary?: string; tags?: string[]; description?: string }>> };

export function renderDocsPage(document: unknown): string {
  const doc = document as Doc;
  const rows = Object.entries(doc.paths ?? {}).flatMap(([path, ops]) =>
    Object.entries(ops).map(([method, op]) => html`<tr><td><code>${method.toUpperCase()}</code></td><td><code>${path}</code></td><td>${op.summary ?? op.description ?? ''}</td></tr>`),
  );
  return String(html`<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${doc.info.title}</title>
<style>body{font:14px system-ui,sans-serif;margin:2rem;max-width:70rem}td{padding:.2rem .6rem;border-bottom:1px solid #ddd;vertical-align:top}code{font-size:13px}</style></head>
<body><h1>${doc.info.title} <small>${doc.info.version}</small></h1><p>${doc.info.description ?? ''}</p>
<p>The machine-readable document, with every request and response schema: <a href="/openapi.json">/openapi.json</a>.</p>
<table>${raw(rows.map(String).join(''))}</table></body></html>`);
}
