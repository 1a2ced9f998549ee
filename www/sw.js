// Ajuste's service worker (registered by crates/ajuste-web/src/offline.rs): keeps the whole app
// (page, engine, pretrained weights, manifest, icons) in a cache named after its version and
// serves it from there first, so that after one visit the app starts and works with no network.
//
// precache.js (written after each build by tools/precache.mjs) lists every file with its SHA-256
// and the version they make together. Installing a version fetches each file with that hash as
// its integrity (a file changed mid-download fails the install, to be retried on the next visit,
// rather than mixing versions) or copies it from the previous version's cache when unchanged;
// activating it deletes the previous versions' caches. Cache names carry the app's scope (the
// path it is served under: "ajuste-app@/ajuste/#<version>"), so that two deployments on one
// origin never delete or reuse each other's copies. A new version is fetched in the background
// while the old one runs, and takes over at once (skipWaiting): the next load uses it.
importScripts('precache.js');

const { version, files } = self.AJUSTE_PRECACHE;
const SCOPE = new URL(self.registration.scope).pathname;
const PREFIX = `ajuste-app@${SCOPE}#`;
const CACHE = PREFIX + version;
// Before names carried the scope, every deployment's caches were "ajuste-app-<version>".
const UNSCOPED_PREFIX = 'ajuste-app-';
// Stored with each cached response: the SHA-256 it was checked against.
const HASH_HEADER = 'x-ajuste-sha256';

const urlOf = (path) => new URL(path, self.location).href;
const INDEX = urlOf('index.html');
const ROOT = urlOf('./');

/** A copy of `response` that carries its hash (so the next version can reuse it). */
function tagged(response, sha256) {
  const headers = new Headers(response.headers);
  headers.set(HASH_HEADER, sha256);
  return new Response(response.body, { status: response.status, statusText: response.statusText, headers });
}

/** Whether `name` is an older cache of this deployment: scoped, or unscoped and holding this
 * deployment's index.html (an unscoped one of another deployment holds its own). */
async function olderOfThisApp(name) {
  if (name === CACHE) return false;
  if (name.startsWith(PREFIX)) return true;
  return name.startsWith(UNSCOPED_PREFIX) && Boolean(await (await caches.open(name)).match(INDEX));
}

/** This file's response from an older version's cache, when its content is the same. */
async function previous(url, sha256) {
  for (const name of await caches.keys()) {
    if (!(await olderOfThisApp(name))) continue;
    const hit = await (await caches.open(name)).match(url);
    if (hit?.headers.get(HASH_HEADER) === sha256) return hit;
  }
  return null;
}

async function install() {
  const cache = await caches.open(CACHE);
  await Promise.all(
    files.map(async ({ path, sha256 }) => {
      const url = urlOf(path);
      if ((await cache.match(url))?.headers.get(HASH_HEADER) === sha256) return; // an earlier try
      let response = await previous(url, sha256);
      if (!response) {
        // 'no-cache': the HTTP cache may answer, but only after the server confirms it is current.
        response = await fetch(url, { cache: 'no-cache', integrity: `sha256-${sha256}` });
        if (!response.ok) throw new Error(`${path}: HTTP ${response.status}`);
        response = tagged(response, sha256);
      }
      await cache.put(url, response);
    }),
  );
  await self.skipWaiting();
}

async function activate() {
  for (const name of await caches.keys()) {
    if (await olderOfThisApp(name)) await caches.delete(name);
  }
  await self.clients.claim();
}

async function respond(request) {
  const cache = await caches.open(CACHE);
  // The app is one page: "/" (the manifest's start_url) and "/?anything" are index.html.
  const url = new URL(request.url);
  const key = request.mode === 'navigate' && urlOf(url.pathname) === ROOT ? INDEX : request;
  return (await cache.match(key, { ignoreSearch: request.mode === 'navigate' })) ?? fetch(request);
}

self.addEventListener('install', (event) => event.waitUntil(install()));
self.addEventListener('activate', (event) => event.waitUntil(activate()));
self.addEventListener('fetch', (event) => {
  const { request } = event;
  // Only the app's own files; anything else (there is nothing else) goes its own way.
  if (request.method !== 'GET' || new URL(request.url).origin !== self.location.origin) return;
  event.respondWith(respond(request));
});
