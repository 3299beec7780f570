import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

// Built into dist/web, which the daemon serves at / (src/api/web.ts). No inline scripts: the CSP allows 'self' only.
export default defineConfig({
  root: import.meta.dirname,
  base: '/',
  plugins: [react()],
  build: {
    outDir: '../dist/web',
    emptyOutDir: true,
    assetsDir: 'assets',
    modulePreload: { polyfill: false },
    sourcemap: false,
    target: 'es2022',
  },
});
