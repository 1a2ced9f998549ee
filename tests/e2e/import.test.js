// Importing many images: a folder of classes (one sub-folder per class, as `ajuste train --data`
// reads it) picked through the folder input, read and sent a few files at a time (the page never
// holds more than its bound of files waiting for the engine), with a summary of what was added
// and what was skipped and why; Cancel mid-import keeps what the engine accepted and sends
// nothing more; the memory line says what the activations of the chosen depth need. On the CPU
// fallback, which computes features much faster than SwiftShader.
//
// Bad input tried here: a text file and a Markdown file in the folder (not images), a file in
// the folder's root (no class), an image two folders deep, a class folder whose name is longer
// than the protocol allows, and a damaged JPEG inside a class (refused by the engine).

import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';

import { LONG_MS, card, configure, importProgress, seconds, serveApp, waitState } from './lib/app.js';
import { REPO_ROOT, launchBrowser } from './lib/browser.js';
import { FIXTURES_DIR, pattern, png } from './lib/fixtures.js';

// The page's bound (crates/ajuste-web/src/import.rs, MAX_IN_FLIGHT; these files are small).
const MAX_IN_FLIGHT = 16;
const PER_CLASS = 100;
const KINDS = ['disc', 'stripes', 'checks'];
const LONG_NAME = 'x'.repeat(61);

/** A folder of classes with a few files that must be skipped, and one the engine refuses. */
function writeDataset() {
  const root = join(FIXTURES_DIR, 'dataset');
  rmSync(root, { recursive: true, force: true });
  for (const kind of KINDS) {
    mkdirSync(join(root, kind), { recursive: true });
    for (let i = 0; i < PER_CLASS; i++) {
      writeFileSync(join(root, kind, `${kind}-${String(i).padStart(3, '0')}.png`), png(96, 72, pattern(kind, 500 + i, 96, 72)));
    }
  }
  const coffee = readFileSync(join(REPO_ROOT, 'tests', 'fixtures', 'images', 'coffee.jpg'));
  writeFileSync(join(root, 'disc', 'damaged.jpg'), Buffer.concat([coffee.subarray(0, 600), Buffer.alloc(300, 0x5a)]));
  writeFileSync(join(root, 'disc', 'notes.txt'), 'not a picture\n');
  writeFileSync(join(root, 'stripes', 'README.md'), '# stripes\n');
  writeFileSync(join(root, 'loose.png'), png(96, 72, pattern('disc', 1, 96, 72)));
  mkdirSync(join(root, 'checks', 'older'), { recursive: true });
  writeFileSync(join(root, 'checks', 'older', 'deep.png'), png(96, 72, pattern('checks', 1, 96, 72)));
  mkdirSync(join(root, LONG_NAME), { recursive: true });
  writeFileSync(join(root, LONG_NAME, 'one.png'), png(96, 72, pattern('disc', 2, 96, 72)));
  return root;
}

/** Polls the import until it ends; the most files ever seen in flight, and the last numbers. */
async function watchImport(page, onProgress = async () => {}) {
  let seenInFlight = 0;
  const until = Date.now() + LONG_MS;
  for (;;) {
    const now = await importProgress(page);
    if (now) {
      seenInFlight = Math.max(seenInFlight, now.inFlight);
      if (now.state === 'done') return { seenInFlight, last: now };
      await onProgress(now);
    }
    assert.ok(Date.now() < until, `the import did not end: ${JSON.stringify(now)}`);
    await new Promise((ok) => setTimeout(ok, 50));
  }
}

async function summary(page) {
  const el = page.locator('[data-testid=import-summary]');
  await el.waitFor();
  const n = async (name) => Number(await el.getAttribute(`data-${name}`));
  const skipped = {};
  for (const item of await el.locator('[data-testid=skipped]').all()) {
    skipped[await item.getAttribute('data-reason')] = Number(await item.getAttribute('data-count'));
  }
  return {
    added: await n('added'),
    refused: await n('refused'),
    cancelled: await n('cancelled'),
    skipped,
    text: (await el.innerText()).trim(),
  };
}

/** Class name → images shown, for every card. */
async function classCounts(page) {
  return page.evaluate(() =>
    Object.fromEntries(
      [...document.querySelectorAll('[data-testid=class-card]')].map((el) => [
        el.querySelector('[data-testid=class-name]').value.trim(),
        el.querySelectorAll('[data-testid=sample]').length,
      ]),
    ),
  );
}

let server;
let dataset;
before(async () => {
  server = await serveApp();
  dataset = writeDataset();
});
after(async () => {
  await server?.close();
});

test('a folder of classes imports with backpressure, a summary and small thumbnails', { timeout: 10 * 60_000 }, async () => {
  const { page, close } = await launchBrowser({ webgpu: false, logPrefix: 'import' });
  try {
    await page.goto(server.url);
    await waitState(page, 'ready');
    // Fewer features to compute meanwhile (the engine answers between batches of them).
    await configure(page, { augment: false });
    // An existing class is matched by its trimmed name; the others are made.
    await card(page, 0).locator('[data-testid=class-name]').fill(' disc ');
    const t0 = Date.now();
    await page.locator('[data-testid=folder-input]').setInputFiles(dataset);
    const { seenInFlight, last } = await watchImport(page);
    console.log(`import: ${last.total} files in ${seconds(Date.now() - t0)} (CPU fallback, shared machine)`);
    assert.equal(last.total, 3 * PER_CLASS + 1);
    assert.equal(last.done, last.total);
    assert.ok(last.maxInFlight <= MAX_IN_FLIGHT, `at most ${MAX_IN_FLIGHT} in flight, not ${last.maxInFlight}`);
    assert.ok(seenInFlight <= MAX_IN_FLIGHT);
    assert.ok(last.maxInFlight >= 2, 'files are read while others are decoded');

    const result = await summary(page);
    console.log(`import: ${result.text.replace(/\s+/g, ' ')}`);
    assert.equal(result.added, 3 * PER_CLASS);
    assert.equal(result.refused, 1);
    assert.equal(result.cancelled, 0);
    assert.deepEqual(result.skipped, { 'class-name': 1, nested: 1, 'not-image': 2, 'not-in-class': 1 });
    assert.match(result.text, /Added 300 images: 100 to “checks”, 100 to “disc”, 100 to “stripes”/);
    assert.match(result.text, /loose\.png/);
    assert.match(result.text, /older/);

    assert.deepEqual(await classCounts(page), { disc: PER_CLASS, 'Class 2': 0, checks: PER_CLASS, stripes: PER_CLASS });
    // The damaged JPEG is named where it was refused.
    assert.match(await card(page, 0).locator('[data-testid=error]').innerText(), /damaged\.jpg/);

    // Pictures are small JPEGs, not the files themselves.
    const pictures = await page.evaluate(async () => {
      const sources = [...document.querySelectorAll('[data-testid=sample] img')].slice(0, 5).map((img) => img.src);
      return Promise.all(
        sources.map(async (src) => {
          const img = new Image();
          img.src = src;
          await img.decode();
          return { src: src.slice(0, 22), side: Math.max(img.naturalWidth, img.naturalHeight) };
        }),
      );
    });
    assert.equal(pictures.length, 5);
    for (const { src, side } of pictures) {
      assert.equal(src, 'data:image/jpeg;base64');
      assert.ok(side <= 128, `a ${side} px thumbnail`);
    }

    // What the activations of a deep depth need, before Train.
    await page.locator('[data-testid=freeze-depth]').fill('16');
    const line = page.locator('[data-testid=memory-plan]');
    await page.waitForFunction(
      () => {
        const el = document.querySelector('[data-testid=memory-plan]');
        return el?.getAttribute('data-depth') === '16' && /of 300 images/.test(el.textContent);
      },
      null,
      { timeout: 60_000 },
    );
    const kept = await line.getAttribute('data-kept');
    console.log(`import: memory at d = 16: ${(await line.innerText()).trim()}`);
    assert.ok(['all', 'first', 'recomputed'].includes(kept));
    assert.match(await line.innerText(), /\d+ MB/);
    // At d = 16 each view of an image is 1.6 MB (crates/ajuste-protocol/src/memory.rs).
    assert.ok(Number(await line.getAttribute('data-needed-bytes')) >= 300 * 1_000_000);
    // With augmented views (5 per image) they no longer all fit: fewer are kept, and the line says so.
    await configure(page, { augment: true });
    await page.waitForFunction(() => document.querySelector('[data-testid=memory-plan]')?.getAttribute('data-kept') !== 'all', null, {
      timeout: 60_000,
    });
    console.log(`import: with augmentation: ${(await line.innerText()).trim()}`);
    assert.ok(['first', 'recomputed'].includes(await line.getAttribute('data-kept')));
    assert.match(await line.innerText(), /more than the \d+ MB allowed/);
  } finally {
    await close();
  }
});

test('Cancel mid-import keeps what was accepted and sends nothing more', { timeout: 10 * 60_000 }, async () => {
  const { page, close } = await launchBrowser({ webgpu: false, logPrefix: 'import-cancel' });
  try {
    await page.goto(server.url);
    await waitState(page, 'ready');
    await configure(page, { augment: false });
    await page.locator('[data-testid=folder-input]').setInputFiles(dataset);
    let doneAtCancel = null;
    const { last } = await watchImport(page, async (now) => {
      if (doneAtCancel === null && now.done >= 20) {
        await page.locator('[data-testid=cancel-import]').click();
        doneAtCancel = now.done;
      }
    });
    assert.notEqual(doneAtCancel, null, 'the import ended before Cancel');
    const result = await summary(page);
    console.log(`import-cancel: cancelled at ${doneAtCancel} done; ${result.text.replace(/\s+/g, ' ')}`);
    assert.ok(result.cancelled > 0);
    // Only what was in flight (and what the click raced with) got its answer after Cancel.
    assert.ok(last.done <= doneAtCancel + 2 * MAX_IN_FLIGHT, `${last.done} done after cancelling at ${doneAtCancel}`);
    assert.equal(last.done + result.cancelled, last.total);
    const counts = await classCounts(page);
    const shown = Object.values(counts).reduce((a, b) => a + b, 0);
    assert.equal(shown, result.added);
    // The classes made for folders whose images were never sent are gone again; the page's
    // own two stay.
    const made = Object.entries(counts).filter(([name]) => !/^Class [12]$/.test(name));
    assert.ok(made.length > 0, JSON.stringify(counts));
    for (const [name, count] of made) assert.ok(count > 0, `class "${name}" was left empty: ${JSON.stringify(counts)}`);
    // Nothing more arrives later.
    await new Promise((ok) => setTimeout(ok, 2000));
    const later = Object.values(await classCounts(page)).reduce((a, b) => a + b, 0);
    assert.equal(later, shown);
    assert.equal((await importProgress(page)).done, last.done);
  } finally {
    await close();
  }
});
