// Vite builds the console into renderer/dist, which the provider server serves
// at `/` (server/http/console-static.ts). This file runs in Node, but only to
// configure Vite: nothing here ships to the browser.
import { defineConfig, type ProxyOptions } from 'vite';
import react from '@vitejs/plugin-react';

const root = import.meta.dirname;

/**
 * `npm run dev:renderer`: Vite serves the console with hot reload and forwards
 * /api and /v1 to a running Paydesk (PAYDESK_URL, default http://127.0.0.1:7402),
 * adding the bearer token (PAYDESK_TOKEN: the admin-token file) only for requests
 * from the dev page itself, so other pages cannot use the proxy as a way in.
 */
function devProxy(): Record<string, ProxyOptions> {
  const target = process.env.PAYDESK_URL ?? 'http://127.0.0.1:7402';
  const token = process.env.PAYDESK_TOKEN ?? '';
  const forward: ProxyOptions = {
    target,
    changeOrigin: true,
    configure(proxy) {
      proxy.on('proxyReq', (proxyReq, req) => {
        const site = req.headers['sec-fetch-site'];
        const ownPage = site === undefined || site === 'same-origin';
        proxyReq.removeHeader('origin');
        proxyReq.removeHeader('cookie');
        if (ownPage && token) proxyReq.setHeader('authorization', `Bearer ${token}`);
      });
    },
  };
  return { '/api': forward, '/v1': { target, changeOrigin: true } };
}

export default defineConfig({
  root,
  base: '/',
  plugins: [react()],
  build: {
    outDir: `${root}/dist`,
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: false,
    // One stylesheet file and no inline <style>: the console's CSP has no 'unsafe-inline'.
    cssCodeSplit: false,
    assetsInlineLimit: 0,
    modulePreload: { polyfill: false },
    // One bundle (React, zod for the contract's schemas, the console): loaded from
    // loopback or app://, never over a network, so splitting buys nothing.
    chunkSizeWarningLimit: 800,
  },
  server: { host: '127.0.0.1', port: 5173, strictPort: false, proxy: devProxy() },
});
