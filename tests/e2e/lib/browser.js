// Helpers for the browser tests: a headless Debian Chromium driven by playwright-core, and a tiny
// static file server for the built app (dist/).
//
// Never run `npx playwright install`: the tests use the system Chromium (Debian package `chromium`,
// installed by tools/ensure-tools.sh) through `executablePath`.

import { createReadStream, existsSync } from 'node:fs';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { extname, join, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

import { chromium } from 'playwright-core';

/** The repository root (this file is tests/e2e/lib/browser.js). */
export const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));

/** Where screenshots and other test artefacts go (gitignored). */
export const OUTPUT_DIR = join(REPO_ROOT, 'tests', 'e2e', 'output');

/**
 * The Chromium binary: `AJUSTE_CHROMIUM` if set, else Debian's real binary (the /usr/bin/chromium
 * wrapper script works too but prints a harmless error), else the wrapper.
 */
export function chromiumPath() {
  if (process.env.AJUSTE_CHROMIUM) return process.env.AJUSTE_CHROMIUM;
  for (const candidate of ['/usr/lib/chromium/chromium', '/usr/bin/chromium']) {
    if (existsSync(candidate)) return candidate;
  }
  throw new Error(
    'Chromium not found (looked in /usr/lib/chromium/chromium and /usr/bin/chromium): ' +
      'run tools/ensure-tools.sh, or set AJUSTE_CHROMIUM',
  );
}

/**
 * The origins of the servers serveStatic started in this process: the only places a page, its
 * workers and its service worker may send requests to (see guardRequests).
 */
const SERVED_ORIGINS = new Set();

/** Whether a request to `url` stays on the device: one of our servers, or data:/blob: URLs. */
export function isOwnRequest(url) {
  if (url.startsWith('data:') || url.startsWith('blob:')) return true;
  try {
    return SERVED_ORIGINS.has(new URL(url).origin);
  } catch {
    return false;
  }
}

/**
 * The privacy guard: records every request of `context` (its pages, their dedicated workers and
 * service workers: playwright reports all of them there) that goes anywhere but the app's own
 * origin. A request the browser itself refused before it left (the page's Content-Security-Policy
 * blocked it) is recorded as blocked, not as a leak.
 *
 * @returns {{ leaks: () => string[], blocked: () => string[] }}
 */
export function guardRequests(context, prefix = 'browser') {
  const foreign = [];
  context.on('request', (request) => {
    if (isOwnRequest(request.url())) return;
    foreign.push(request);
    console.log(`[${prefix} privacy] request to another origin: ${request.method()} ${request.url()}`);
  });
  // Playwright reports a request the CSP refused as failed with "csp" (a refused fetch() is not
  // reported at all).
  const blockedByBrowser = (request) => /^csp$|ERR_BLOCKED_BY_CSP/.test(request.failure()?.errorText ?? '');
  const origin = (request) => {
    if (request.serviceWorker()) return 'the service worker';
    try {
      return `the page ${request.frame().url()}`;
    } catch {
      return 'a worker'; // (playwright names the page for its dedicated workers' requests)
    }
  };
  const describe = (request) =>
    `${request.method()} ${request.url()} from ${origin(request)}: ${request.failure()?.errorText ?? 'sent'}`;
  return {
    leaks: () => foreign.filter((r) => !blockedByBrowser(r)).map(describe),
    blocked: () => foreign.filter(blockedByBrowser).map(describe),
  };
}

/** Command-line switches for Chromium; see launchBrowser. */
export function chromiumArgs({ webgpu = true, fakeVideo = null, cameraAllowed = true } = {}) {
  const args = [
    '--no-sandbox',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
    '--no-first-run',
    '--disable-quic',
  ];
  // Without this switch headless Chromium on Linux exposes no WebGPU adapter at all
  // (navigator.gpu.requestAdapter() resolves to null): the "no WebGPU" case.
  if (webgpu) args.push('--enable-unsafe-webgpu');
  if (fakeVideo) {
    args.push('--use-fake-device-for-media-stream', `--use-file-for-fake-video-capture=${resolve(fakeVideo)}`);
    // Without the fake UI, a permission prompt would appear: answer it "no" instead.
    args.push(cameraAllowed ? '--use-fake-ui-for-media-stream' : '--deny-permission-prompts');
  }
  return args;
}

/**
 * Launches headless Chromium with a fresh temporary profile.
 *
 * @param {object} [options]
 * @param {boolean} [options.webgpu=true] pass `--enable-unsafe-webgpu` (false: no WebGPU adapter)
 * @param {string|null} [options.fakeVideo=null] a .y4m file served as the webcam
 *   (make one with `ffmpeg -i in%03d.png -pix_fmt yuv420p out.y4m`; Chromium loops it)
 * @param {boolean} [options.cameraAllowed=true] with fakeVideo: grant the camera permission
 *   (false: the page's camera request is denied, as when a user says no)
 * @param {boolean} [options.log=true] echo the page's console messages and errors to stdout
 * @param {string} [options.logPrefix='browser'] prefix for those lines
 * @param {object} [options.contextOptions] extra options for launchPersistentContext
 *   (e.g. `{ viewport: { width: 1280, height: 900 } }`)
 * Every request the browser makes is checked by guardRequests: `close()` throws (failing the
 * test) when any went anywhere but the app's own origin (data: and blob: URLs stay local);
 * `requests.leaks()` and `requests.blocked()` list them earlier.
 *
 * @returns {Promise<{context: import('playwright-core').BrowserContext,
 *   page: import('playwright-core').Page, close: () => Promise<void>,
 *   requests: { leaks: () => string[], blocked: () => string[] }}>}
 */
export async function launchBrowser({
  webgpu = true,
  fakeVideo = null,
  cameraAllowed = true,
  log = true,
  logPrefix = 'browser',
  contextOptions = {},
} = {}) {
  // Playwright's `launch` refuses --user-data-dir in args; a persistent context takes the profile
  // directory as its first argument instead.
  const userDataDir = await mkdtemp(join(tmpdir(), 'ajuste-chromium-'));
  let context;
  try {
    context = await chromium.launchPersistentContext(userDataDir, {
      executablePath: chromiumPath(),
      headless: true,
      args: chromiumArgs({ webgpu, fakeVideo, cameraAllowed }),
      viewport: { width: 1280, height: 900 },
      ...(fakeVideo && cameraAllowed ? { permissions: ['camera'] } : {}),
      ...contextOptions,
    });
  } catch (err) {
    await rm(userDataDir, { recursive: true, force: true });
    throw err;
  }
  const requests = guardRequests(context, logPrefix);
  if (log) {
    const attach = (page) => attachLogging(page, logPrefix);
    context.pages().forEach(attach);
    context.on('page', attach);
  }
  const page = context.pages()[0] ?? (await context.newPage());
  let closed = false;
  const close = async () => {
    if (closed) return;
    closed = true;
    try {
      await context.close();
    } finally {
      await rm(userDataDir, { recursive: true, force: true, maxRetries: 3 });
    }
    const leaks = requests.leaks();
    if (leaks.length > 0) {
      throw new Error(`privacy: ${leaks.length} request(s) left the app's origin:\n  ${leaks.join('\n  ')}`);
    }
  };
  return { context, page, close, requests };
}

/** Echoes a page's console messages, uncaught errors, HTTP errors and failed requests to stdout. */
export function attachLogging(page, prefix = 'browser') {
  page.on('console', (msg) => console.log(`[${prefix} console.${msg.type()}] ${msg.text()}`));
  page.on('pageerror', (err) => console.log(`[${prefix} pageerror] ${err.stack ?? err}`));
  page.on('crash', () => console.log(`[${prefix}] page crashed`));
  page.on('response', (res) => {
    if (res.status() >= 400) console.log(`[${prefix} http ${res.status()}] ${res.url()}`);
  });
  page.on('requestfailed', (req) =>
    console.log(`[${prefix} requestfailed] ${req.url()}: ${req.failure()?.errorText ?? '?'}`),
  );
}

const MIME_TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.wasm': 'application/wasm',
  '.safetensors': 'application/octet-stream',
  '.bin': 'application/octet-stream',
  '.txt': 'text/plain; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.bmp': 'image/bmp',
  '.ico': 'image/x-icon',
  '.webmanifest': 'application/manifest+json',
  '.map': 'application/json',
  '.woff2': 'font/woff2',
};

/**
 * Serves `root` over HTTP on 127.0.0.1 at a free port (GET and HEAD, Content-Length, MIME types
 * including application/wasm; `/` and directories serve their index.html; nothing is cached).
 * http://127.0.0.1 is a secure context, so navigator.gpu is available to the page.
 *
 * @param {string} root directory to serve
 * @param {object} [options]
 * @param {boolean} [options.log=false] log each request to stdout
 * @returns {Promise<{url: string, port: number, close: () => Promise<void>}>}
 */
export async function serveStatic(root, { log = false } = {}) {
  const rootDir = resolve(root);
  const server = createServer(async (req, res) => {
    const send = (status, message) => {
      res.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8' });
      res.end(req.method === 'HEAD' ? undefined : `${message}\n`);
      if (log) console.log(`[server] ${req.method} ${req.url} -> ${status}`);
    };
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.setHeader('Allow', 'GET, HEAD');
      return send(405, 'method not allowed');
    }
    let pathname;
    try {
      pathname = decodeURIComponent(new URL(req.url, 'http://localhost').pathname);
    } catch {
      return send(400, 'bad request');
    }
    let file = resolve(rootDir, `.${pathname}`);
    if (file !== rootDir && !file.startsWith(rootDir + sep)) return send(403, 'forbidden');
    try {
      let info = await stat(file);
      if (info.isDirectory()) {
        file = join(file, 'index.html');
        info = await stat(file);
      }
      if (!info.isFile()) return send(404, 'not found');
      res.writeHead(200, {
        'Content-Type': MIME_TYPES[extname(file).toLowerCase()] ?? 'application/octet-stream',
        'Content-Length': info.size,
        'Cache-Control': 'no-store',
      });
      if (log) console.log(`[server] ${req.method} ${req.url} -> 200 (${info.size} bytes)`);
      if (req.method === 'HEAD') return res.end();
      const stream = createReadStream(file);
      stream.on('error', () => res.destroy());
      stream.pipe(res);
    } catch {
      return send(404, 'not found');
    }
  });
  await new Promise((ok, fail) => {
    server.once('error', fail);
    server.listen(0, '127.0.0.1', ok);
  });
  const { port } = server.address();
  SERVED_ORIGINS.add(`http://127.0.0.1:${port}`);
  return {
    url: `http://127.0.0.1:${port}/`,
    port,
    close: () =>
      new Promise((ok) => {
        server.closeAllConnections?.();
        server.close(() => ok());
      }),
  };
}
