// Accessibility checks with axe-core (npm `axe-core`, pinned in package.json): its script is
// evaluated in the page or frame through the DevTools protocol, which the page's CSP (no inline
// script) does not apply to, then it scans the document against WCAG 2 A and AA.

import { readFileSync } from 'node:fs';

const AXE_SOURCE = readFileSync(new URL('../node_modules/axe-core/axe.min.js', import.meta.url), 'utf8');

/**
 * The WCAG 2 A/AA violations axe finds in `where` (a playwright Page or Frame), each as
 * `{ id, impact, help, targets }` (the targets are CSS selectors of the offending elements).
 */
export async function axeViolations(where) {
  await where.evaluate(AXE_SOURCE);
  const results = await where.evaluate(() =>
    window.axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa'] }, resultTypes: ['violations'] }),
  );
  if (results.passes.length === 0) throw new Error('axe checked nothing: is the page empty?');
  return results.violations.map((v) => ({
    id: v.id,
    impact: v.impact,
    help: v.help,
    targets: v.nodes.map((n) => n.target.join(' ')),
  }));
}
