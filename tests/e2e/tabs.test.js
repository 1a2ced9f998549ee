// One writer per project (Web Locks, crates/ajuste-web/src/writer.rs): two tabs of one browser
// on the same project — the second is told and saves nothing until it takes over, then the first
// stops saving and says why; nothing either tab stored is overwritten by the other. Two
// deployments on one origin (/ and /beta/) keep separate projects, both saved.

import assert from 'node:assert/strict';
import { cp, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';

import { DIST, card, serveApp, upload, waitAccepted, waitState } from './lib/app.js';
import { launchBrowser, serveStatic } from './lib/browser.js';
import { writePatterns } from './lib/fixtures.js';
import { countRecords, snapshot, storageStatus, storedRecords, waitSavedImages, waitStorage } from './lib/storage.js';

let server;
before(async () => {
  server = await serveApp();
});
after(async () => {
  await server?.close();
});

/** The writer-notice hook: { role, newer } (null while it is not shown). */
function writerNotice(page) {
  return page.evaluate(() => {
    const el = document.querySelector('[data-testid=writer-notice]');
    return el && { role: el.getAttribute('data-role'), newer: el.getAttribute('data-newer') };
  });
}

async function waitNotice(page, role, newer = null) {
  await page.waitForFunction(
    ([role, newer]) => {
      const el = document.querySelector('[data-testid=writer-notice]');
      return el?.getAttribute('data-role') === role && (newer === null || el.getAttribute('data-newer') === newer);
    },
    [role, newer],
    { timeout: 60_000, polling: 100 },
  );
}

/** Images per class card. */
async function counts(page) {
  return (await snapshot(page)).map((c) => c.count);
}

test('two tabs on one project: the second is told and saves nothing until it takes over', { timeout: 15 * 60_000 }, async () => {
  const { context, page: first, close } = await launchBrowser({ webgpu: false, logPrefix: 'tab-1' });
  try {
    await first.goto(server.url);
    await waitState(first, 'ready');
    await waitStorage(first, 'empty');
    assert.equal(await writerNotice(first), null, 'the only tab writes, and says nothing about it');
    await upload(first, 0, writePatterns('disc', 3, 1));
    await upload(first, 1, writePatterns('stripes', 3, 1));
    await waitSavedImages(first, 6);

    // A second tab: it shows what the first stored, says it is open elsewhere, saves nothing.
    const second = await context.newPage();
    await second.goto(server.url);
    await waitState(second, 'ready');
    await waitNotice(second, 'open-elsewhere', 'false');
    await waitAccepted(second, 0, 3);
    await waitAccepted(second, 1, 3);
    assert.equal((await waitStorage(second, 'read-only')).saved, 'false');
    console.log(`second tab: "${(await storageStatus(second)).text}"`);
    // A change here (a third class with an image) is not saved over the first tab's work: the
    // stored records stay exactly the first tab's.
    const stored = (await storedRecords(first, 'ajuste@/')).current;
    assert.equal(stored?.record?.classes.length, 2);
    await second.locator('[data-testid=add-class]').click();
    await upload(second, 2, writePatterns('disc', 1, 40));
    await new Promise((ok) => setTimeout(ok, 3000));
    assert.equal((await storageStatus(second)).state, 'read-only');
    assert.equal((await storageStatus(first)).state, 'saved');
    assert.deepEqual((await storedRecords(first, 'ajuste@/')).current, stored, 'nothing written by the read-only tab');
    assert.equal(await countRecords(first, 'ajuste@/', 'images'), 6, 'no image record from the read-only tab');

    // The first tab goes on saving; the second hears that what it shows is older.
    await upload(first, 0, writePatterns('disc', 1, 20));
    await waitSavedImages(first, 7);
    await waitNotice(second, 'open-elsewhere', 'true');

    // "Take over here": the second reloads as the writer, from what the first stored last.
    await Promise.all([second.waitForEvent('load'), second.locator('[data-testid=take-over]').click()]);
    await waitState(second, 'ready');
    await waitAccepted(second, 0, 4);
    await waitAccepted(second, 1, 3);
    assert.deepEqual(await counts(second), [4, 3], 'the first tab\'s last save, not the second\'s unsaved class');
    assert.equal(await writerNotice(second), null);
    await waitNotice(first, 'taken-over');
    assert.equal((await waitStorage(first, 'read-only')).saved, 'false');
    console.log(`first tab after the take-over: "${(await storageStatus(first)).text}"`);

    // Now the first tab's changes stay on its page; the second's are saved.
    await upload(first, 1, writePatterns('stripes', 2, 30));
    await upload(second, 1, writePatterns('stripes', 1, 50));
    await waitSavedImages(second, 8);
    await new Promise((ok) => setTimeout(ok, 3000));
    assert.equal((await storageStatus(first)).state, 'read-only');

    // A third tab finds the second's project.
    const third = await context.newPage();
    await third.goto(server.url);
    await waitState(third, 'ready');
    await waitNotice(third, 'open-elsewhere');
    await waitAccepted(third, 0, 4);
    await waitAccepted(third, 1, 4);
    assert.deepEqual(await counts(third), [4, 4]);
  } finally {
    await close();
  }
});

test('two deployments on one origin keep separate projects', { timeout: 10 * 60_000 }, async () => {
  // The same build at / and at /beta/ of one server (one origin).
  const dir = await mkdtemp(join(tmpdir(), 'ajuste-two-'));
  await cp(DIST, dir, { recursive: true });
  await cp(DIST, join(dir, 'beta'), { recursive: true });
  const two = await serveStatic(dir);
  const { context, page: root, close } = await launchBrowser({ webgpu: false, logPrefix: 'root' });
  try {
    await root.goto(two.url);
    await waitState(root, 'ready');
    const beta = await context.newPage();
    await beta.goto(`${two.url}beta/`);
    await waitState(beta, 'ready');
    // Both write (each holds its own deployment's lock).
    assert.equal(await writerNotice(root), null);
    assert.equal(await writerNotice(beta), null);
    await upload(root, 0, writePatterns('disc', 2, 1));
    await upload(beta, 1, writePatterns('stripes', 3, 1));
    await waitSavedImages(root, 2);
    await waitSavedImages(beta, 3);
    await card(beta, 0).locator('[data-testid=class-name]').fill('Beta');
    await waitStorage(beta, 'saved');

    for (const page of [root, beta]) await page.reload();
    await waitAccepted(root, 0, 2);
    await waitAccepted(beta, 1, 3);
    await waitStorage(root, 'saved');
    await waitStorage(beta, 'saved');
    assert.deepEqual(await counts(root), [2, 0]);
    assert.deepEqual(await counts(beta), [0, 3]);
    assert.equal(await card(beta, 0).locator('[data-testid=class-name]').inputValue(), 'Beta');
    assert.notEqual(await card(root, 0).locator('[data-testid=class-name]').inputValue(), 'Beta');
    const databases = await root.evaluate(async () => (await indexedDB.databases()).map((d) => d.name).sort());
    console.log(`databases: ${databases.join(', ')}`);
    assert.deepEqual(databases, ['ajuste@/', 'ajuste@/beta/']);
  } finally {
    await close();
    await two.close();
    await rm(dir, { recursive: true, force: true });
  }
});
