/// <reference types="vitest/config" />
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

export default defineConfig({
  plugins: [react()],
  build: {
    outDir: 'dist/web',
    emptyOutDir: true,
    sourcemap: true,
    // public/ holds only msw's mockServiceWorker.js, for `npm run dev` (mock mode): the
    // production build ships no part of msw.
    copyPublicDir: false,
    // Chromium, Firefox 115+ and Safari 17+ preload modules themselves (older ones load the
    // same modules, a little later): Vite's polyfill would be dead code in the first chunk.
    modulePreload: { polyfill: false },
  },
  server: { host: '127.0.0.1' },
  preview: { host: '127.0.0.1' },
  test: {
    projects: [
      {
        extends: true,
        test: {
          name: 'node',
          environment: 'node',
          include: ['src/{crypto,openssh,api,server,cli,testing}/**/*.test.ts'],
          testTimeout: 60_000,
          hookTimeout: 60_000,
        },
      },
      {
        extends: true,
        test: {
          name: 'browser-ui',
          environment: 'jsdom',
          include: ['src/{client,mocks}/**/*.test.{ts,tsx}'],
          setupFiles: ['src/client/test/setup.ts'],
          testTimeout: 30_000,
        },
      },
    ],
  },
});
