#!/usr/bin/env node
// Paddock needs Node 24 (node:sqlite, type stripping); say so plainly on an older one.
const major = Number(process.versions.node.split('.')[0]);
if (major < 24) {
  process.stderr.write(`paddock needs Node 24 or newer (this is ${process.version}); run \`npm run up\`, or install Node 24\n`);
  process.exit(1);
}
// Cache compiled code between runs: most of a short command's time is loading its modules.
const { enableCompileCache } = await import('node:module');
enableCompileCache?.();
await import('../dist/cli/main.js');
