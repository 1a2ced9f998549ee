// Diagnostic, not a test: does headless Chromium expose a WebGPU adapter, with and without
// --enable-unsafe-webgpu? Run: node tests/e2e/probe-webgpu.js
// Expected on a machine without a GPU: an adapter (SwiftShader, isFallbackAdapter true) with the
// switch, and none (null) without it.

import { launchBrowser, serveStatic } from './lib/browser.js';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

async function probe(page) {
  return page.evaluate(async () => {
    if (!('gpu' in navigator)) return { gpu: false, secure: window.isSecureContext };
    const adapter = await navigator.gpu.requestAdapter();
    if (!adapter) return { gpu: true, adapter: null, secure: window.isSecureContext };
    const info = adapter.info ?? {};
    return {
      gpu: true,
      secure: window.isSecureContext,
      adapter: {
        vendor: info.vendor,
        architecture: info.architecture,
        description: info.description,
        isFallbackAdapter: info.isFallbackAdapter ?? adapter.isFallbackAdapter,
        maxBufferSize: adapter.limits.maxBufferSize,
        maxStorageBufferBindingSize: adapter.limits.maxStorageBufferBindingSize,
        features: [...adapter.features].sort(),
      },
    };
  });
}

const dir = await mkdtemp(join(tmpdir(), 'ajuste-probe-'));
await writeFile(join(dir, 'index.html'), '<!doctype html><title>probe</title><p>probe</p>');
const server = await serveStatic(dir);
try {
  for (const webgpu of [true, false]) {
    const { page, close } = await launchBrowser({ webgpu, logPrefix: `webgpu=${webgpu}` });
    try {
      console.log(`browser ${page.context().browser()?.version() ?? ''}`.trim());
      await page.goto('about:blank');
      console.log(`webgpu=${webgpu} about:blank:`, JSON.stringify(await probe(page)));
      await page.goto(server.url);
      console.log(`webgpu=${webgpu} ${server.url}:`, JSON.stringify(await probe(page)));
    } finally {
      await close();
    }
  }
} finally {
  await server.close();
  await rm(dir, { recursive: true, force: true });
}
