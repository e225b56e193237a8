import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';
import { fileURLToPath } from 'node:url';

const here = fileURLToPath(new URL('.', import.meta.url));

// The dApp fetches deployments/<network>.json and deployments/<network>/<contract>.json
// at run time, so the deployments folder is served (and copied into dist) as-is.
export default defineConfig({
  root: here,
  publicDir: fileURLToPath(new URL('../deployments', import.meta.url)),
  plugins: [react()],
  build: {
    outDir: fileURLToPath(new URL('./dist', import.meta.url)),
    emptyOutDir: true,
    target: 'es2022',
    chunkSizeWarningLimit: 4000,
  },
  server: { port: 5173, fs: { allow: [fileURLToPath(new URL('..', import.meta.url))] } },
});
