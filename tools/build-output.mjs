// What a Trunk build produced, for its post-build hooks (`precache.mjs`, `compress.mjs`): the
// staging folder they run on, and every file in it.

import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

/** The folder a hook works on: its argument, or Trunk's staging folder when Trunk runs it. */
export function stagingDir(script) {
  const dir = process.argv[2] ?? process.env.TRUNK_STAGING_DIR;
  if (!dir) {
    console.error(`usage: node tools/${script} DIR (or run as a trunk hook, which sets TRUNK_STAGING_DIR)`);
    process.exit(2);
  }
  return dir;
}

/** Every file below `folder`, skipping dot entries (trunk's own staging folders, editor files). */
export function filesUnder(folder) {
  return readdirSync(folder, { withFileTypes: true }).flatMap((entry) => {
    if (entry.name.startsWith('.')) return [];
    const path = join(folder, entry.name);
    if (entry.isDirectory()) return filesUnder(path);
    return statSync(path).isFile() ? [path] : [];
  });
}
