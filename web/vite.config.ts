import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

/**
 * The playground's build. The page imports the library straight from src/ (src/web.ts).
 * Cross-origin isolation (COOP + COEP) gives the page SharedArrayBuffer, which the wasm backend
 * needs for its second thread; both the dev server and `vite preview` send the headers.
 */
const here = dirname(fileURLToPath(import.meta.url));
const require = createRequire(import.meta.url);
// vega-datasets' package exports hide its data folder, so bundle it by path (`?raw` imports)
const vegaData = join(dirname(require.resolve('vega-datasets')), '..', 'data');

export const isolationHeaders = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
  'Cross-Origin-Resource-Policy': 'same-origin',
};

export default defineConfig({
  root: here,
  base: './',
  resolve: {
    alias: [
      { find: '@vega-data', replacement: vegaData },
      // csv-parse's default build needs Node's Buffer; its browser build carries its own
      { find: /^csv-parse\/sync$/, replacement: 'csv-parse/browser/esm/sync' },
    ],
  },
  server: { headers: isolationHeaders, fs: { allow: [join(here, '..')] } },
  preview: { headers: isolationHeaders },
  worker: { format: 'es' },
  // found up front, so the dev server does not reload the page when it meets them
  optimizeDeps: { include: ['protobufjs', 'csv-parse/browser/esm/sync', 'vega-embed'] },
  build: { outDir: 'dist', emptyOutDir: true, target: 'es2022', chunkSizeWarningLimit: 2000, reportCompressedSize: false },
});
