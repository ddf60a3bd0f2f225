import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { AxeBuilder } from '@axe-core/playwright';
import type { AxeResults, RunOptions } from 'axe-core';
import { chromium, type Browser, type Page } from 'playwright-core';

/**
 * Real Chromium for accessibility and journey tests: Debian's package, never a downloaded browser.
 * The flags keep it from phoning home (no network here) and from needing a sandbox in containers.
 */
export const CHROMIUM_PATH = '/usr/bin/chromium';

export function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--disable-background-networking',
      '--disable-component-update', '--no-first-run', '--disable-sync'],
  });
}

/** axe needs a page in its own context (it injects into every frame of it), not `browser.newPage()`. */
export async function newPage(browser: Browser): Promise<Page> {
  const context = await browser.newContext();
  return context.newPage();
}

/** WCAG 2.2 level AA, as axe tags its rules. */
export const WCAG_22_AA_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'] as const;

export type AxeViolation = AxeResults['violations'][number];

/** axe-core's own build, read once per process. */
const AXE_SOURCE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

/**
 * axe's WCAG 2.2 AA violations on the page as it stands.
 *
 * A page without frames (all of Tongban's) gets axe-core injected once per document and
 * `axe.run` called directly: about 0.25 s a check where AxeBuilder takes 1.3 s, because AxeBuilder
 * opens a fresh blank page for every check to merge results across frames (measured here; ADR
 * 71). The source goes in through the DevTools protocol, as AxeBuilder does it, so the page's CSP
 * does not stop it. A page with frames goes to AxeBuilder, which injects into each frame and
 * merges what they report.
 */
export async function axeViolations(page: Page): Promise<AxeViolation[]> {
  if (page.frames().length > 1) {
    return (await new AxeBuilder({ page }).withTags([...WCAG_22_AA_TAGS]).analyze()).violations;
  }
  if (!(await page.evaluate('typeof window.axe === "object"'))) await page.evaluate(AXE_SOURCE);
  const options: RunOptions = { runOnly: { type: 'tag', values: [...WCAG_22_AA_TAGS] }, resultTypes: ['violations'] };
  return page.evaluate((o) => (window as unknown as { axe: { run(c: Document, o: RunOptions): Promise<AxeResults> } }).axe.run(document, o).then((r) => r.violations), options);
}

/** One line per failing element, so a test failure says what to fix without opening a report. */
export function formatViolations(violations: readonly AxeViolation[]): string {
  return violations.map((v) => {
    const nodes = v.nodes.map((n) => `    at ${n.target.join(' ')}: ${n.html.slice(0, 200)}\n      ${(n.failureSummary ?? '').replaceAll('\n', '\n      ')}`);
    return `  ${v.id} (${v.impact ?? 'unknown'}): ${v.help}\n    ${v.helpUrl}\n${nodes.join('\n')}`;
  }).join('\n');
}

/** Fails, listing every violation, unless the page passes axe's WCAG 2.2 AA rules. */
export async function expectAccessible(page: Page, label?: string): Promise<void> {
  const violations = await axeViolations(page);
  if (violations.length > 0) {
    const where = label ?? page.url();
    throw new Error(`${violations.length} accessibility violation(s) on ${where}:\n${formatViolations(violations)}`);
  }
}
