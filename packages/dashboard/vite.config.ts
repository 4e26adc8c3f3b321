import tailwindcss from '@tailwindcss/vite';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

// Served by the API process at /dashboard/; in development `vite` proxies the API to :3000.
export default defineConfig({
  base: '/dashboard/',
  plugins: [react(), tailwindcss()],
  build: { outDir: 'dist', emptyOutDir: true, chunkSizeWarningLimit: 1000 },
  server: {
    proxy: Object.fromEntries(
      ['/auth', '/accounts', '/admin', '/healthz'].map((p) => [p, { target: 'http://127.0.0.1:3000', changeOrigin: false }]),
    ),
  },
});
