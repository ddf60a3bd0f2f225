import { AxeBuilder } from '@axe-core/playwright';
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

export type AxeViolation = Awaited<ReturnType<AxeBuilder['analyze']>>['violations'][number];

export async function axeViolations(page: Page): Promise<AxeViolation[]> {
  const results = await new AxeBuilder({ page }).withTags([...WCAG_22_AA_TAGS]).analyze();
  return results.violations;
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
