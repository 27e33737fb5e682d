// IKD Verify service worker: keeps the counter page, its script and style, the manifest and
// the WebAssembly modules in a cache, so that after one visit the page opens and verifies with
// the server stopped and no network (docs/SERVER.md §8). The trust and status lists are kept by
// the page itself, in IndexedDB, because it decides with the core's rules (in WASM) whether a
// newer list may replace the one it holds.
//
// Strategy: network first with a short timeout for everything below, the cache when the
// server cannot be reached; the API (/v1/...) is never cached here.
'use strict';

const CACHE = 'ikd-page-v1';
// Always cached at install: without them the page cannot open offline.
const CORE = ['/', '/static/app.js', '/static/app.css', '/manifest.webmanifest', '/static/icon.svg'];
// Cached at install when the server has them (a server built without the modules verifies on
// the server instead). The reader is cached too, though the page loads it only when the camera
// or an upload needs it: offline there is no other moment to fetch it.
const OPTIONAL = [
  '/static/wasm/ikd_wasm.js', '/static/wasm/ikd_wasm_bg.wasm',
  '/static/wasm/reader/ikd_reader.js', '/static/wasm/reader/ikd_reader_bg.wasm'
];
const CACHED = new Set(CORE.concat(OPTIONAL));
const NETWORK_TIMEOUT_MS = 4000;

self.addEventListener('install', (event) => {
  event.waitUntil((async () => {
    const cache = await caches.open(CACHE);
    await cache.addAll(CORE.map((u) => new Request(u, { cache: 'no-cache' })));
    await Promise.all(OPTIONAL.map(async (u) => {
      try {
        const resp = await fetch(u, { cache: 'no-cache' });
        if (resp.ok) await cache.put(u, resp);
      } catch (e) { /* not built into this server: the page verifies on the server */ }
    }));
    await self.skipWaiting();
  })());
});

self.addEventListener('activate', (event) => {
  event.waitUntil((async () => {
    for (const name of await caches.keys()) if (name !== CACHE) await caches.delete(name);
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
  // The page itself, whatever its query (?loket=...): one cached copy under "/".
  if (req.mode === 'navigate' && url.pathname === '/') {
    event.respondWith(networkFirst(req, '/'));
    return;
  }
  if (CACHED.has(url.pathname)) event.respondWith(networkFirst(req, url.pathname));
});
