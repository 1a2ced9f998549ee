// The embeddable widget, on a real second origin: a host page served by another local server
// (another port of 127.0.0.1, so another origin) embeds the app in an iframe with a hash
// configuration, listens to its events and sends it commands. Also: the network diagram
// follows the freeze-depth slider, and the page and the widget pass an axe-core scan
// (WCAG 2 A/AA) in both languages, ready and trained, at desktop and phone width.
// Screenshots: tests/e2e/output/widget-{es,en}-{360,800}.png.

import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';

import { LONG_MS, classify, configure, serveApp, train, upload, waitFeatures, waitState } from './lib/app.js';
import { axeViolations } from './lib/axe.js';
import { OUTPUT_DIR, launchBrowser, serveStatic } from './lib/browser.js';
import { writePatterns } from './lib/fixtures.js';

const HASH =
  'embed&lang=es&classes=gato,perro&mode=finetune&depth=2&epochs=20&seed=7&lock=depth,epochs&hide=advanced,webcam&colour=red';

let app;
let host;
before(async () => {
  app = await serveApp();
  host = await serveStatic(writeHostPages());
});
after(async () => {
  await host?.close();
  await app?.close();
});

/**
 * The host: a page that embeds the widget, records every message from it, sizes the iframe by
 * its `resize` events, and a sibling frame (same host origin) that can post to the widget
 * without being its parent. No inline script, as a course page with a CSP would have it.
 */
function writeHostPages() {
  const dir = mkdtempSync(join(tmpdir(), 'ajuste-host-'));
  writeFileSync(
    join(dir, 'index.html'),
    `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Course page</title></head>
<body><h1>Transfer learning</h1><iframe id="widget" title="Ajuste" allow="camera" width="360" height="600"></iframe>
<iframe id="sibling" title="Another widget" src="sibling.html" width="10" height="10"></iframe>
<script src="host.js"></script></body></html>`,
  );
  writeFileSync(
    join(dir, 'host.js'),
    `window.events = [];
const frame = document.getElementById('widget');
window.addEventListener('message', (event) => {
  if (event.source !== frame.contentWindow || event.data?.source !== 'ajuste') return;
  window.events.push({ origin: event.origin, data: event.data });
  if (event.data.type === 'resize') frame.style.height = event.data.height + 'px';
});
window.command = (message) => frame.contentWindow.postMessage({ target: 'ajuste', version: 1, ...message }, '*');
frame.src = new URL(location.hash.slice(1), location.href).href;`,
  );
  writeFileSync(
    join(dir, 'sibling.html'),
    `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Sibling</title></head><body><script src="sibling.js"></script></body></html>`,
  );
  writeFileSync(
    join(dir, 'sibling.js'),
    `window.commandWidget = (message) => window.parent.frames[0].postMessage({ target: 'ajuste', version: 1, ...message }, '*');`,
  );
  return dir;
}

/** The widget's frame, once it has loaded. */
async function widgetFrame(page) {
  for (let i = 0; i < 200; i++) {
    const frame = page.frames().find((f) => f.url().startsWith(app.url));
    if (frame) return frame;
    await page.waitForTimeout(50);
  }
  assert.fail('the widget frame never loaded');
}

/** Waits for the host to have received an event of `type` matching `pick`; returns it. */
async function waitEvent(page, type, pick = '() => true', timeout = LONG_MS) {
  const handle = await page.waitForFunction(
    ([type, pick]) => {
      // eslint-disable-next-line no-new-func
      const matches = new Function(`return (${pick})`)();
      return window.events.map((e) => e.data).find((d) => d.type === type && matches(d)) ?? null;
    },
    [type, pick],
    { timeout, polling: 100 },
  );
  return handle.jsonValue();
}

const events = (page, type) => page.evaluate((type) => window.events.map((e) => e.data).filter((d) => d.type === type), type);

/** How many MBConv blocks the diagram shows trainable, and how many it shows. */
async function diagramBlocks(where) {
  return where.evaluate(() => {
    const blocks = [...document.querySelectorAll('[data-testid=network-diagram] [data-testid=block]')];
    return { total: blocks.length, trainable: blocks.filter((b) => b.getAttribute('data-frozen') === 'false').length };
  });
}

async function assertAccessible(where, what) {
  const violations = await axeViolations(where);
  assert.deepEqual(violations, [], `${what}: axe found WCAG 2 A/AA violations:\n${JSON.stringify(violations, null, 2)}`);
  console.log(`${what}: no axe violation`);
}

test('the diagram follows the slider; the page passes axe in English and Spanish, ready and trained', { timeout: 20 * 60_000 }, async () => {
  const { page, close } = await launchBrowser({ logPrefix: 'page' });
  try {
    await page.goto(`${app.url}#lang=en`);
    await waitState(page, 'ready');
    assert.equal(await page.getAttribute('html', 'lang'), 'en');
    for (const depth of [0, 1, 5, 16, 3]) {
      await configure(page, { freezeDepth: depth });
      assert.deepEqual(await diagramBlocks(page), { total: 16, trainable: depth }, `depth ${depth}`);
      const params = Number(await page.getAttribute('[data-testid=trainable-params]', 'data-value'));
      assert.ok(params > 0, `trainable parameters at depth ${depth}`);
    }
    // The head conv joins the trainable part with the first unfrozen block.
    await configure(page, { freezeDepth: 0 });
    const headOnly = Number(await page.getAttribute('[data-testid=trainable-params]', 'data-value'));
    assert.equal(headOnly, 1280 * 2 + 2, 'transfer learning trains the new head only (2 classes)');
    await configure(page, { freezeDepth: 1 });
    const oneBlock = Number(await page.getAttribute('[data-testid=trainable-params]', 'data-value'));
    assert.equal(oneBlock, headOnly + 412_160 + 605_440, 'one block = head conv + block 16 + the new head');
    // Hover names a block and its shape.
    await page.locator('[data-testid=block]').nth(15).hover();
    const named = await page.locator('[data-testid=diagram-focus]').innerText();
    assert.match(named, /Block 16 .*7×7×192 → 7×7×320/, named);
    await configure(page, { freezeDepth: 0 });

    for (const lang of ['en', 'es']) {
      await page.locator('[data-testid=language]').selectOption(lang);
      assert.equal(await page.getAttribute('html', 'lang'), lang);
      for (const width of [1280, 360]) {
        await page.setViewportSize({ width, height: 900 });
        await assertAccessible(page, `page, ${lang}, ready, ${width} px`);
      }
    }
    assert.equal(await page.locator('[data-testid=train-button]').innerText(), 'Entrenar');

    await upload(page, 0, writePatterns('disc', 3));
    await upload(page, 1, writePatterns('stripes', 3));
    await configure(page, { epochs: 5, augment: false });
    await waitFeatures(page);
    await train(page);
    assert.equal(await page.locator('[data-testid=run-history] tr').count(), 1, 'one run, one row');
    assert.ok((await page.locator('[data-testid=result-reading]').innerText()).length > 20);
    for (const lang of ['es', 'en']) {
      await page.locator('[data-testid=language]').selectOption(lang);
      for (const width of [1280, 360]) {
        await page.setViewportSize({ width, height: 900 });
        await assertAccessible(page, `page, ${lang}, trained, ${width} px`);
      }
    }
    // The confusion matrix is a compact table: no empty band above its cells.
    await page.setViewportSize({ width: 360, height: 900 });
    const band = await page.evaluate(() => {
      const table = document.querySelector('[data-testid=confusion-matrix]');
      const firstCell = table.querySelector('td');
      return firstCell.getBoundingClientRect().top - table.getBoundingClientRect().top;
    });
    assert.ok(band < 60, `the first row of the confusion matrix starts ${band} px below the table's top`);
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert.ok(overflow <= 0, `the page is ${overflow} px wider than a 360 px screen`);
  } finally {
    await close();
  }
});

test('embedded on another origin: hash config, events, commands from the parent only, resize', { timeout: 25 * 60_000 }, async () => {
  const warnings = [];
  const { page, close } = await launchBrowser({ logPrefix: 'host', contextOptions: { viewport: { width: 900, height: 900 } } });
  page.on('console', (msg) => {
    if (msg.type() === 'warning') warnings.push(msg.text());
  });
  try {
    assert.notEqual(new URL(host.url).origin, new URL(app.url).origin, 'two origins');
    await page.goto(`${host.url}#${app.url}#${HASH}`);
    const frame = await widgetFrame(page);

    // Configured from the hash: Spanish, named classes, locked and hidden controls.
    const ready = await waitEvent(page, 'ready');
    assert.deepEqual(ready, { source: 'ajuste', version: 1, type: 'ready', lang: 'es', classes: ['gato', 'perro'] });
    assert.equal(await frame.getAttribute('html', 'lang'), 'es');
    assert.equal(await frame.locator('[data-testid=train-button]').innerText(), 'Entrenar');
    assert.equal(await frame.locator('#training-title').innerText(), '2. Entrenar');
    assert.deepEqual(
      await frame.locator('[data-testid=class-name]').evaluateAll((inputs) => inputs.map((i) => i.value)),
      ['gato', 'perro'],
    );
    for (const id of ['freeze-depth', 'epochs']) {
      assert.ok(await frame.locator(`[data-testid=${id}]`).isDisabled(), `${id} is locked`);
    }
    assert.equal(await frame.locator('[data-testid=freeze-depth]').inputValue(), '2');
    assert.equal(await frame.locator('[data-testid=epochs]').inputValue(), '20');
    // A locked control does not move, whatever the user tries.
    await frame.locator('[data-testid=freeze-depth]').click({ force: true }).catch(() => {});
    await page.keyboard.press('ArrowRight');
    await frame.locator('[data-testid=epochs]').click({ force: true }).catch(() => {});
    await page.keyboard.type('7');
    assert.equal(await frame.locator('[data-testid=freeze-depth]').inputValue(), '2');
    assert.equal(await frame.locator('[data-testid=epochs]').inputValue(), '20');
    assert.deepEqual(await diagramBlocks(frame), { total: 16, trainable: 2 });
    for (const hidden of ['details.advanced', '[data-testid=batch-size]', '[data-testid=webcam-record]', '[data-testid=webcam-snap]']) {
      assert.equal(await frame.locator(hidden).count(), 0, `${hidden} is hidden`);
    }
    assert.equal(await frame.getAttribute('[data-testid=trainer]', 'data-embed'), 'true');
    assert.ok(warnings.some((w) => w.includes('colour')), 'the unknown key is named in a console warning');
    assert.ok(!warnings.some((w) => w.includes('seed')), 'the seed is taken, without a warning');

    // Images, counted in `samples`; the content grows and `resize` follows it.
    const resizesBefore = (await events(page, 'resize')).length;
    assert.ok(resizesBefore > 0, 'a first resize');
    await upload(frame, 0, writePatterns('disc', 3, 11));
    await upload(frame, 1, writePatterns('stripes', 3, 11));
    const samples = await waitEvent(page, 'samples', '(d) => d.classes.every((c) => c.count === 3)');
    assert.deepEqual(samples.classes, [
      { name: 'gato', count: 3 },
      { name: 'perro', count: 3 },
    ]);
    assert.ok((await events(page, 'resize')).length > resizesBefore, 'resize after the thumbnails arrived');
    // Once the content settles, the last resize says its height, and the host sized the frame by it.
    const settled = async () => {
      const last = (await events(page, 'resize')).at(-1).height;
      const body = await frame.evaluate(() => Math.ceil(document.body.getBoundingClientRect().height));
      const iframe = await page.evaluate(() => document.getElementById('widget').clientHeight);
      return { last, body, iframe };
    };
    let sizes = await settled();
    for (let i = 0; i < 50 && (sizes.last !== sizes.body || sizes.iframe !== sizes.last); i++) {
      await page.waitForTimeout(100);
      sizes = await settled();
    }
    assert.equal(sizes.last, sizes.body, 'the last resize says the content height');
    assert.equal(sizes.iframe, sizes.last, 'the host sized the frame by it');

    // A command from a window that is not the parent (a sibling frame of the same host) is ignored.
    const sibling = page.frames().find((f) => f.url().endsWith('sibling.html'));
    await sibling.evaluate(() => window.commandWidget({ type: 'configure', hash: 'epochs=3&depth=9' }));
    await page.waitForTimeout(1000);
    assert.equal(await frame.locator('[data-testid=epochs]').inputValue(), '20', 'the sibling changed nothing');
    assert.ok(warnings.some((w) => w.includes('did not come from the parent window')), warnings.join('\n'));

    // The parent configures it (transfer learning, 10 epochs) and trains it.
    await page.evaluate(() => window.command({ type: 'configure', hash: 'depth=0&epochs=10' }));
    await frame.waitForFunction(() => document.querySelector('[data-testid=epochs]').value === '10');
    assert.deepEqual(await diagramBlocks(frame), { total: 16, trainable: 0 });
    await page.evaluate(() => window.command({ type: 'configure', hash: 'mode=finetune&depth=16' }));
    await frame.waitForFunction(() => document.querySelector('[data-testid=freeze-depth]').value === '16');
    assert.deepEqual(await diagramBlocks(frame), { total: 16, trainable: 16 });
    await page.evaluate(() => window.command({ type: 'configure', hash: 'mode=transfer' }));
    await frame.waitForFunction(() => document.querySelector('[data-testid=freeze-depth]').value === '0');
    await waitFeatures(frame);
    await page.evaluate(() => window.command({ type: 'train' }));
    const trained = await waitEvent(page, 'trained');
    const progress = await events(page, 'progress');
    assert.deepEqual(progress.map((p) => p.epoch), [...Array(trained.epochs).keys()].map((i) => i + 1));
    assert.ok(progress.every((p) => p.epochs === 10 && Number.isFinite(p.loss) && p.accuracy >= 0 && p.accuracy <= 1));
    assert.equal(trained.mode, 'transfer');
    assert.equal(trained.depth, 0);
    assert.ok(trained.trainAccuracy >= 0 && trained.trainAccuracy <= 1);
    assert.deepEqual(trained.perClassAccuracy.map((c) => c.name), ['gato', 'perro']);
    assert.equal(await waitState(frame, 'done'), 'done');
    assert.equal(await frame.locator('[data-testid=run-history] tr').count(), 1);
    assert.match(await frame.locator('[data-testid=result-reading]').innerText(), /imágenes/);

    // The preview's answer goes to the host as labels and numbers.
    const [probe] = writePatterns('stripes', 1, 41);
    await classify(frame, probe);
    const prediction = await waitEvent(page, 'prediction');
    assert.ok(['gato', 'perro'].includes(prediction.label), prediction.label);
    assert.deepEqual(prediction.confidences.map((c) => c.label).sort(), ['gato', 'perro']);
    assert.ok(prediction.confidences.every((c) => c.confidence >= 0 && c.confidence <= 1));

    // Pictures of the embedded widget, in both languages, at 360 and 800 px. Thumbnails load
    // lazily, when the host page shows them: scroll each into view once.
    for (const img of await frame.locator('[data-testid=sample] img').all()) await img.scrollIntoViewIfNeeded();
    await frame.waitForFunction(() =>
      [...document.querySelectorAll('[data-testid=sample] img')].every((i) => i.complete && i.naturalWidth > 0),
    );
    for (const lang of ['es', 'en']) {
      await page.evaluate((lang) => window.command({ type: 'configure', hash: `lang=${lang}` }), lang);
      await frame.waitForFunction((lang) => document.documentElement.lang === lang, lang);
      for (const width of [360, 800]) {
        await page.evaluate((width) => (document.getElementById('widget').width = String(width)), width);
        await page.waitForTimeout(500);
        const file = join(OUTPUT_DIR, `widget-${lang}-${width}.png`);
        await page.locator('#widget').screenshot({ path: file, timeout: 60_000 });
        console.log(`screenshot ${file}`);
        await assertAccessible(frame, `widget, ${lang}, trained, ${width} px`);
      }
    }

    // No image left through a message: events are small and hold no picture URLs or bytes.
    const all = await page.evaluate(() => window.events.map((e) => JSON.stringify(e.data)));
    for (const json of all) {
      assert.ok(json.length < 4000 && !/data:|blob:/.test(json), `an event carries something big: ${json.slice(0, 200)}`);
    }
    assert.ok((await page.evaluate(() => window.events.map((e) => e.origin))).every((o) => o === new URL(app.url).origin));

    // Reset: back to the configured classes, no images, no runs; the widget is ready again.
    const readyCount = (await events(page, 'ready')).length;
    await page.evaluate(() => window.command({ type: 'reset' }));
    await page.waitForFunction((n) => window.events.filter((e) => e.data.type === 'ready').length > n, readyCount, { timeout: LONG_MS });
    assert.equal(await frame.locator('[data-testid=sample]').count(), 0);
    assert.equal(await frame.locator('[data-testid=run-history] tr').count(), 0);
    assert.equal(await frame.locator('[data-testid=results]').count(), 0);
    await assertAccessible(frame, 'widget, en, ready, 800 px');
  } finally {
    await close();
  }
});

test('a pinned origin refuses commands from any other parent', { timeout: 10 * 60_000 }, async () => {
  const warnings = [];
  const { page, close } = await launchBrowser({ logPrefix: 'pinned' });
  page.on('console', (msg) => {
    if (msg.type() === 'warning') warnings.push(msg.text());
  });
  try {
    await page.goto(`${host.url}#${app.url}#epochs=20&origin=${encodeURIComponent('https://course.example.org')}`);
    const frame = await widgetFrame(page);
    await waitState(frame, 'ready');
    await page.evaluate(() => window.command({ type: 'configure', hash: 'epochs=5' }));
    await page.waitForTimeout(1000);
    assert.equal(await frame.locator('[data-testid=epochs]').inputValue(), '20');
    assert.ok(warnings.some((w) => w.includes('only https://course.example.org may command')), warnings.join('\n'));
    // Its events only go to the pinned origin: this host hears nothing.
    assert.deepEqual(await page.evaluate(() => window.events), []);
  } finally {
    await close();
  }
});
