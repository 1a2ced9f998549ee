// Several projects on one device (crates/ajuste-web/src/projects.rs): name one, start another,
// the last one used opens at the next visit, open, duplicate and delete (a second click confirms);
// two tabs on two projects both save; a project open in another tab cannot be deleted here.

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { serveApp, upload, waitAccepted, waitState } from './lib/app.js';
import { launchBrowser } from './lib/browser.js';
import { writePatterns } from './lib/fixtures.js';
import { snapshot, waitSavedImages, waitStorage } from './lib/storage.js';

let server;
before(async () => {
  server = await serveApp();
});
after(async () => {
  await server?.close();
});

/** The project list: [{ name, images, current }], opened if it was folded. */
async function projectList(page) {
  const list = page.locator('[data-testid=project-list]');
  if (!(await list.evaluate((d) => d.open))) await list.locator('summary').click();
  return page.evaluate(() =>
    [...document.querySelectorAll('[data-testid=project-item]')].map((el) => ({
      name: el.getAttribute('data-name'),
      images: Number(el.getAttribute('data-images')),
      current: el.getAttribute('data-current') === 'true',
    })),
  );
}

/** Waits until the list holds exactly `wanted` (names with image counts, in any order). */
async function waitList(page, wanted) {
  await projectList(page);
  const key = (items) => items.map((i) => `${i.name}:${i.images}`).sort().join('|');
  await page.waitForFunction(
    (wanted) =>
      [...document.querySelectorAll('[data-testid=project-item]')]
        .map((el) => `${el.getAttribute('data-name')}:${el.getAttribute('data-images')}`)
        .sort()
        .join('|') === wanted,
    key(wanted),
    { timeout: 60_000, polling: 100 },
  );
  return projectList(page);
}

/** The list's item named `name` (the list opened, so that its buttons can be clicked). */
async function item(page, name) {
  await projectList(page);
  return page.locator(`[data-testid=project-item][data-name="${name}"]`);
}

/** Clicks something that reloads the page, and waits for the engine. */
async function reloadsWith(page, click) {
  await Promise.all([page.waitForEvent('load'), click()]);
  await waitState(page, 'ready');
}

async function rename(page, name) {
  await projectList(page);
  const input = page.locator('[data-testid=rename-project]');
  await input.fill(name);
  await input.dispatchEvent('change');
}

const counts = async (page) => (await snapshot(page)).map((c) => c.count);

test('several projects: new, rename, the last used, open, duplicate, delete', { timeout: 10 * 60_000 }, async () => {
  const { page, close } = await launchBrowser({ webgpu: false, logPrefix: 'projects' });
  try {
    await page.goto(server.url);
    await waitState(page, 'ready');
    await waitStorage(page, 'empty');
    await rename(page, 'Plants');
    await upload(page, 0, writePatterns('disc', 2, 1));
    await waitSavedImages(page, 2);
    // The line says how many more images of this size the quota leaves room for.
    const room = await page.waitForFunction(
      () => {
        const text = document.querySelector('[data-testid=storage-status]')?.textContent ?? '';
        return /enough for about/.test(text) ? text : null;
      },
      null,
      { timeout: 60_000, polling: 100 },
    );
    const line = await room.jsonValue();
    console.log(`status: "${line}"`);
    const units = { kB: 1e3, MB: 1e6, GB: 1e9 };
    const [, size, sizeUnit, left, leftUnit, more] = line.match(
      /2 images, ([0-9.]+) (kB|MB|GB) \(of ([0-9.]+) (kB|MB|GB) available, enough for about ([0-9,]+) images more/,
    );
    const expected = (Number(left) * units[leftUnit]) / ((Number(size) * units[sizeUnit]) / 2);
    const count = Number(more.replaceAll(',', ''));
    assert.ok(Math.abs(count / expected - 1) < 0.05, `${more} more images, expected about ${expected}`);
    await waitList(page, [{ name: 'Plants', images: 2 }]);

    await reloadsWith(page, () => page.locator('[data-testid=new-project]').click());
    await waitStorage(page, 'empty');
    assert.deepEqual(await counts(page), [0, 0], 'a new project starts empty');
    let list = await waitList(page, [
      { name: 'Plants', images: 2 },
      { name: 'Project 2', images: 0 },
    ]);
    assert.deepEqual(list.filter((p) => p.current).map((p) => p.name), ['Project 2']);
    await rename(page, 'Birds');
    await upload(page, 1, writePatterns('stripes', 3, 1));
    await waitSavedImages(page, 3);
    await waitList(page, [
      { name: 'Plants', images: 2 },
      { name: 'Birds', images: 3 },
    ]);

    // The last one used opens at the next visit.
    await page.reload();
    await waitState(page, 'ready');
    await waitAccepted(page, 1, 3);
    assert.deepEqual(await counts(page), [0, 3]);
    assert.equal(await page.locator('[data-testid=rename-project]').inputValue(), 'Birds');

    const openPlants = (await item(page, 'Plants')).locator('[data-testid=open-project-item]');
    await reloadsWith(page, () => openPlants.click());
    await waitAccepted(page, 0, 2);
    assert.deepEqual(await counts(page), [2, 0]);
    assert.equal(await page.locator('[data-testid=rename-project]').inputValue(), 'Plants');

    await (await item(page, 'Plants')).locator('[data-testid=duplicate-project]').click();
    await waitList(page, [
      { name: 'Plants', images: 2 },
      { name: 'Birds', images: 3 },
      { name: 'Plants (copy)', images: 2 },
    ]);
    const remove = (await item(page, 'Plants (copy)')).locator('[data-testid=delete-project]');
    await remove.click();
    assert.equal(await remove.getAttribute('data-confirming'), 'true', 'the first click only asks');
    await new Promise((ok) => setTimeout(ok, 500));
    assert.equal((await projectList(page)).length, 3, 'nothing deleted on the first click');
    await remove.click();
    list = await waitList(page, [
      { name: 'Plants', images: 2 },
      { name: 'Birds', images: 3 },
    ]);
    console.log(`projects: ${JSON.stringify(list)}; "${await page.locator('[data-testid=projects-total]').innerText()}"`);
  } finally {
    await close();
  }
});

test('two tabs on two projects both save; one open elsewhere is not deleted', { timeout: 10 * 60_000 }, async () => {
  const { context, page: first, close } = await launchBrowser({ webgpu: false, logPrefix: 'two-projects' });
  try {
    await first.goto(server.url);
    await waitState(first, 'ready');
    await rename(first, 'Home');
    await upload(first, 0, writePatterns('disc', 2, 1));
    await waitSavedImages(first, 2);
    await reloadsWith(first, () => first.locator('[data-testid=new-project]').click());
    await rename(first, 'School');
    await waitList(first, [
      { name: 'Home', images: 2 },
      { name: 'School', images: 0 },
    ]);

    // The second tab opens the last one used (School, open in the first: read-only), then Home.
    const second = await context.newPage();
    await second.goto(server.url);
    await waitState(second, 'ready');
    await waitStorage(second, 'read-only');
    const openHome = (await item(second, 'Home')).locator('[data-testid=open-project-item]');
    await reloadsWith(second, () => openHome.click());
    await waitAccepted(second, 0, 2);

    await upload(first, 1, writePatterns('stripes', 3, 1));
    await upload(second, 1, writePatterns('stripes', 1, 9));
    await waitSavedImages(first, 3);
    await waitSavedImages(second, 3);

    // Home is open (and saved) in the second tab: the first cannot delete it.
    const remove = (await item(first, 'Home')).locator('[data-testid=delete-project]');
    await remove.click();
    await remove.click();
    const refused = await first.locator('[data-testid=project-list-error]').innerText();
    console.log(`delete refused: "${refused}"`);
    assert.match(refused, /open in another tab/);

    for (const page of [first, second]) await page.reload();
    await waitAccepted(first, 1, 3);
    await waitAccepted(second, 1, 1);
    assert.deepEqual(await counts(first), [0, 3], 'School');
    assert.deepEqual(await counts(second), [2, 1], 'Home');
    await waitList(first, [
      { name: 'Home', images: 3 },
      { name: 'School', images: 3 },
    ]);
  } finally {
    await close();
  }
});
