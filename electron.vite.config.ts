import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { svelte } from '@sveltejs/vite-plugin-svelte';
import { defineConfig } from 'electron-vite';

// works both when electron-vite bundles this file and when the browser host imports it (ESM)
const root = dirname(fileURLToPath(import.meta.url));

// Packages that must never be bundled into the main process: native addons load
// their .node binaries from disk (and are unpacked from the asar archive, see
// package.json build.asarUnpack); electron-vite already keeps `dependencies`
// external, this makes it explicit for the ones that would break if inlined.
export const NATIVE_MODULES = ['better-sqlite3', 'node-hid', 'onnxruntime-node'];

/**
 * The renderer's build, shared with the browser host (src-main/web/build-renderer.ts
 * builds the same page with plain vite when out/renderer is missing or stale).
 */
export const rendererConfig = {
  root: resolve(root, 'src-renderer'),
  plugins: [svelte()],
  build: {
    outDir: resolve(root, 'out/renderer'),
    rollupOptions: { input: { index: resolve(root, 'src-renderer/index.html') } },
  },
};

// electron-vite's own convention is src/{main,preload,renderer}; the project keeps
// one folder per process instead, so each part names its entry explicitly.
export default defineConfig({
  main: {
    build: {
      outDir: 'out/main',
      rollupOptions: {
        // worker threads are entries of their own, started from files beside the main bundle:
        // the NSoC engine (nsoc-worker-client.ts starts ./nsoc-worker.js) and the ONNX import (./import-worker.js)
        input: {
          index: resolve(root, 'src-main/index.ts'),
          'nsoc-worker': resolve(root, 'src-engine/node/nsoc-worker.ts'),
          'import-worker': resolve(root, 'src-main/models/import/import-worker.ts'),
        },
        external: NATIVE_MODULES,
      },
    },
  },
  preload: {
    build: {
      outDir: 'out/preload',
      // sandboxed preloads cannot require() local files: one self-contained CommonJS bundle
      rollupOptions: {
        input: { index: resolve(root, 'src-main/preload.ts') },
        output: { format: 'cjs', entryFileNames: '[name].cjs' },
      },
    },
  },
  renderer: rendererConfig,
});
