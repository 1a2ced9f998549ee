// Offline and privacy: the service worker (www/sw.js) keeps the app in a versioned cache, so that
// after one visit it loads, trains and predicts with the network off and the server gone; the
// page's Content-Security-Policy lets nothing reach another origin; a new version replaces the
// old cache. (Every browser test also fails when any request leaves the app's origin: see
// guardRequests in lib/browser.js.)

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { appendFileSync, readFileSync } from 'node:fs';
import { cp, mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';

import { DIST, card, classify, configure, seconds, serveApp, train, upload, waitFeatures, waitState } from './lib/app.js';
import { REPO_ROOT, launchBrowser, serveStatic } from './lib/browser.js';
import { writePatterns } from './lib/fixtures.js';

const CSP =
  "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; connect-src 'self'; img-src 'self' blob: data:; " +
  "media-src 'self' blob: mediastream:; worker-src 'self' blob:; style-src 'self'; form-action 'self'; base-uri 'self'";
const TIMEOUT_MS = 15 * 60_000;

/** What precache.js in `dist` lists: { version, files: [{ path, sha256 }] }. */
function precacheList(dist = DIST) {
  const text = readFileSync(join(dist, 'precache.js'), 'utf8');
  return JSON.parse(text.slice(text.indexOf('{'), text.lastIndexOf('}') + 1));
}

/** Records the page's CSP violations (from before its first script runs) in window.__csp. */
async function recordViolations(page) {
  await page.addInitScript(() => {
    window.__csp = [];
    document.addEventListener('securitypolicyviolation', (e) =>
      window.__csp.push({ directive: e.effectiveDirective, blocked: e.blockedURI }),
    );
  });
}
const violations = (page) => page.evaluate(() => window.__csp);

/** Waits until the page is controlled by an activated service worker; returns its script URL. */
function serviceWorkerActivated(page) {
  return page.evaluate(async () => {
    const registration = await navigator.serviceWorker.ready;
    const worker = registration.active;
    if (worker.state !== 'activated') {
      await new Promise((ok) => worker.addEventListener('statechange', () => worker.state === 'activated' && ok()));
    }
    if (!navigator.serviceWorker.controller) {
      await new Promise((ok) => navigator.serviceWorker.addEventListener('controllerchange', ok, { once: true }));
    }
    return navigator.serviceWorker.controller.scriptURL;
  });
}

/** Cache Storage: every cache's name and the paths (relative to `base`) it holds. */
function cacheContents(page, base) {
  return page.evaluate(async (base) => {
    const out = {};
    for (const name of await caches.keys()) {
      const keys = await (await caches.open(name)).keys();
      out[name] = keys.map((request) => request.url.replace(base, '')).sort();
    }
    return out;
  }, base);
}

test('offline: after one visit the app loads, trains and predicts with no network', { timeout: TIMEOUT_MS }, async () => {
  const server = await serveApp();
  const { context, page, close } = await launchBrowser({ webgpu: false, logPrefix: 'offline' });
  try {
    await recordViolations(page);
    const t0 = Date.now();
    await page.goto(server.url);
    await waitState(page, 'ready');
    const script = await serviceWorkerActivated(page);
    console.log(`offline: first visit ready, ${script} controlling, in ${seconds(Date.now() - t0)}`);

    // The whole app is in the cache of this build's version, and nothing else is.
    const { version, files } = precacheList();
    const cached = await cacheContents(page, server.url);
    const paths = files.map((f) => f.path).sort();
    assert.deepEqual(cached, { [`ajuste-app@/#${version}`]: paths });
    for (const wanted of [
      /^index\.html$/,
      /^ajuste-web-[0-9a-f]+\.js$/,
      /^ajuste-web-[0-9a-f]+_bg\.wasm$/,
      /^ajuste-worker\.js$/,
      /^ajuste-worker_bg\.wasm$/,
      /^ajuste-worker_loader\.js$/,
      /^style-[0-9a-f]+\.css$/,
      /^efficientnet-lite0\.safetensors$/,
      /^manifest\.webmanifest$/,
      /^icons\/icon-192\.png$/,
      /^icons\/icon-512\.png$/,
      /^boot\.js$/,
    ]) {
      assert.ok(paths.some((p) => wanted.test(p)), `${wanted} is not precached: ${paths.join(', ')}`);
    }

    // No network at all: the browser is offline and the server is gone.
    await context.setOffline(true);
    await server.close();
    const t1 = Date.now();
    await page.reload();
    await waitState(page, 'ready');
    console.log(`offline: reloaded with no network, ready in ${seconds(Date.now() - t1)}`);
    assert.ok(await page.evaluate(() => navigator.serviceWorker.controller !== null));
    assert.equal(await page.evaluate(() => navigator.onLine), false);

    await card(page, 0).locator('[data-testid=class-name]').fill('Red disc');
    await card(page, 1).locator('[data-testid=class-name]').fill('Blue stripes');
    await configure(page, { epochs: 20, augment: false });
    await upload(page, 0, writePatterns('disc', 3, 1));
    await upload(page, 1, writePatterns('stripes', 3, 1));
    await waitFeatures(page);
    console.log(`offline: Train click to done in ${seconds(await train(page))}`);
    for (const [expected, file] of [
      ['Red disc', writePatterns('disc', 1, 80)[0]],
      ['Blue stripes', writePatterns('stripes', 1, 80)[0]],
    ]) {
      const { label, source } = await classify(page, file);
      console.log(`offline: ${file.split('/').pop()} -> "${label}" (${source})`);
      assert.equal(source, 'trained');
      assert.equal(label, expected);
    }
    assert.deepEqual(await violations(page), [], 'the app itself broke its Content-Security-Policy');
    console.log(`offline: total ${seconds(Date.now() - t0)}`);
  } finally {
    await server.close();
    await close(); // last: it throws when a request left the app's origin
  }
});

test('privacy: the CSP admits only the app itself; a request elsewhere never leaves', { timeout: TIMEOUT_MS }, async () => {
  const server = await serveApp();
  // Another origin (another port), counting whatever reaches it.
  let hits = 0;
  const elsewhere = createServer((req, res) => {
    hits++;
    res.writeHead(200, { 'Access-Control-Allow-Origin': '*', 'Content-Type': 'image/png' });
    res.end();
  });
  await new Promise((ok) => elsewhere.listen(0, '127.0.0.1', ok));
  const otherUrl = `http://127.0.0.1:${elsewhere.address().port}/`;
  const { page, close, requests } = await launchBrowser({ webgpu: false, logPrefix: 'csp' });
  try {
    await recordViolations(page);
    await page.goto(server.url);
    await waitState(page, 'ready');
    const metas = await page.locator('meta[http-equiv="Content-Security-Policy"]').evaluateAll((els) =>
      els.map((el) => el.getAttribute('content')),
    );
    assert.deepEqual(metas, [CSP]);
    assert.deepEqual(await violations(page), [], 'the app itself broke its Content-Security-Policy');

    // What a script injected into the page would try: a fetch, an image, a script.
    const attempts = await page.evaluate(async (url) => {
      const load = (el) =>
        new Promise((ok) => {
          el.onload = () => ok('loaded');
          el.onerror = () => ok('blocked');
          document.body.append(el);
        });
      const img = Object.assign(document.createElement('img'), { src: `${url}pixel.png` });
      const script = Object.assign(document.createElement('script'), { src: `${url}tracker.js` });
      return {
        fetch: await fetch(`${url}x`).then(
          () => 'sent',
          () => 'blocked',
        ),
        img: await load(img),
        script: await load(script),
      };
    }, otherUrl);
    console.log(`csp: attempts to reach ${otherUrl}: ${JSON.stringify(attempts)}`);
    assert.deepEqual(attempts, { fetch: 'blocked', img: 'blocked', script: 'blocked' });
    const directives = (await violations(page)).map((v) => v.directive).sort();
    console.log(`csp: violations reported: ${directives.join(', ')}`);
    assert.deepEqual(directives, ['connect-src', 'img-src', 'script-src-elem']);
    assert.equal(hits, 0, `${hits} request(s) reached the other origin`);
    assert.deepEqual(requests.leaks(), []);
    console.log(`csp: refused by the browser before leaving: ${requests.blocked().length} request(s)`);
  } finally {
    await server.close();
    await new Promise((ok) => elsewhere.close(ok));
    await close();
  }
});

test('a new version replaces the old cache, reusing unchanged files', { timeout: TIMEOUT_MS }, async () => {
  // A copy of the app, so that one of its files can change.
  const dir = await mkdtemp(join(tmpdir(), 'ajuste-dist-'));
  await cp(DIST, dir, { recursive: true });
  const server = await serveStatic(dir);
  const { context, page, close } = await launchBrowser({ webgpu: false, logPrefix: 'update' });
  try {
    await page.goto(server.url);
    await serviceWorkerActivated(page);
    const before = precacheList(dir);
    // Leftovers of this deployment's older versions (one named before names carried the
    // scope), another deployment's caches on the same origin (at /beta/, either naming), and a
    // cache that isn't the app's.
    await page.evaluate(async () => {
      await (await caches.open('ajuste-app@/#old')).put('/left-over', new Response('x'));
      await (await caches.open('ajuste-app-old')).put('/index.html', new Response('old page'));
      await (await caches.open('ajuste-app@/beta/#v1')).put('/beta/index.html', new Response('beta'));
      await (await caches.open('ajuste-app-beta')).put('/beta/index.html', new Response('beta'));
      await caches.open('not-the-app');
    });
    const others = ['ajuste-app-beta', 'ajuste-app@/beta/#v1', 'not-the-app'];
    assert.deepEqual(
      Object.keys(await cacheContents(page, server.url)).sort(),
      [`ajuste-app@/#${before.version}`, 'ajuste-app@/#old', 'ajuste-app-old', ...others].sort(),
    );

    // Version 2: one file changes; the build hook writes its new list.
    appendFileSync(join(dir, 'manifest.webmanifest'), '\n');
    execFileSync('node', [join(REPO_ROOT, 'tools', 'precache.mjs'), dir]);
    const after = precacheList(dir);
    assert.notEqual(after.version, before.version);

    const fetched = [];
    const precached = new Set(after.files.map((f) => server.url + f.path));
    context.on('request', (request) => {
      if (request.serviceWorker() && precached.has(request.url())) fetched.push(request.url().replace(server.url, ''));
    });
    const t0 = Date.now();
    await page.evaluate(async () => {
      const registration = await navigator.serviceWorker.getRegistration();
      await registration.update();
    });
    // The new worker installs, takes over and activates (which deletes the old caches).
    await page.evaluate(async (version) => {
      for (;;) {
        const registration = await navigator.serviceWorker.getRegistration();
        if (registration.active?.state === 'activated' && !registration.installing && !registration.waiting) {
          const names = await caches.keys();
          if (names.includes(`ajuste-app@/#${version}`) && !names.includes('ajuste-app-old')) return;
        }
        await new Promise((ok) => setTimeout(ok, 100));
      }
    }, after.version);
    console.log(`update: version ${before.version} -> ${after.version} in ${seconds(Date.now() - t0)}`);
    const contents = await cacheContents(page, server.url);
    assert.deepEqual(Object.keys(contents).sort(), [`ajuste-app@/#${after.version}`, ...others].sort());
    assert.deepEqual(contents[`ajuste-app@/#${after.version}`], after.files.map((f) => f.path).sort());
    assert.deepEqual(fetched, ['manifest.webmanifest'], 'unchanged files are copied from the old cache');
    // The new file is what the app is now served, from the cache.
    await context.setOffline(true);
    const manifest = await page.evaluate(() => fetch('manifest.webmanifest').then((r) => r.text()));
    assert.equal(manifest, readFileSync(join(dir, 'manifest.webmanifest'), 'utf8'));
  } finally {
    await server.close();
    await rm(dir, { recursive: true, force: true });
    await close();
  }
});
