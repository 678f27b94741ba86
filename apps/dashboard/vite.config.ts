import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const here = (path: string) => fileURLToPath(new URL(path, import.meta.url));

/** The dashboard: Preact (automatic JSX runtime), built to dist/dashboard and served by the API at `/`. */
export default defineConfig({
  root: here('.'),
  base: '/',
  publicDir: here('public'),
  // The domain's pure modules (vocabularies, stages), imported one file at a time: never the library's index.
  resolve: { alias: { '@passerelle/domain/': here('../../libs/domain/src/') } },
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  build: {
    outDir: here('../../dist/dashboard'),
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: true,
    // Helmet's CSP allows no inline script: keep every asset a file, never a data: URL.
    assetsInlineLimit: 0,
    modulePreload: { polyfill: false },
  },
  server: { proxy: { '/api': 'http://localhost:3000', '/health': 'http://localhost:3000' } },
});
