// Dompet IKD service worker, scope /wallet/: keeps the wallet page, its script and style, the
// manifest, the icon and the two WebAssembly modules (verification + presentations; the QR
// reader and renderer) in a cache, so that after one visit the wallet opens and shows live QR
// codes with no network. The credential, the key, the lists and the history are in IndexedDB.
// Network first with a short timeout, the cache when the server cannot be reached; the API
// (/v1/...) is never cached here.
'use strict';

const CACHE = 'ikd-wallet-v1';
const FILES = [
  '/wallet/', '/wallet/wallet.js', '/wallet/wallet.css', '/wallet/manifest.webmanifest', '/static/icon.svg',
  '/static/wasm/ikd_wasm.js', '/static/wasm/ikd_wasm_bg.wasm',
  '/static/wasm/reader/ikd_reader.js', '/static/wasm/reader/ikd_reader_bg.wasm'
];
const CACHED = new Set(FILES);
const NETWORK_TIMEOUT_MS = 4000;

self.addEventListener('install', (event) => {
  event.waitUntil((async () => {
    const cache = await caches.open(CACHE);
    await cache.addAll(FILES.map((u) => new Request(u, { cache: 'no-cache' })));
    await self.skipWaiting();
  })());
});

self.addEventListener('activate', (event) => {
  event.waitUntil((async () => {
    for (const name of await caches.keys()) if (name.startsWith('ikd-wallet-') && name !== CACHE) await caches.delete(name);
    await self.clients.claim();
  })());
});

async function networkFirst(request, key) {
  const cache = await caches.open(CACHE);
  try {
    const resp = await Promise.race([
      fetch(request),
      new Promise((_, reject) => setTimeout(() => reject(new Error('timeout')), NETWORK_TIMEOUT_MS))
    ]);
    if (resp.ok) await cache.put(key, resp.clone());
    return resp;
  } catch (e) {
    const hit = await cache.match(key);
    if (hit) return hit;
    throw e;
  }
}

self.addEventListener('fetch', (event) => {
  const req = event.request;
  if (req.method !== 'GET') return;
  const url = new URL(req.url);
  if (url.origin !== self.location.origin) return;
  if (req.mode === 'navigate' && (url.pathname === '/wallet/' || url.pathname === '/wallet/index.html')) {
    event.respondWith(networkFirst(req, '/wallet/'));
    return;
  }
  if (CACHED.has(url.pathname)) event.respondWith(networkFirst(req, url.pathname));
});
