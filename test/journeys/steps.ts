import type { Page } from 'playwright-core';
import { expect } from 'vitest';
import { DEMO_PASSWORD } from '../../src/kernel/auth/index.js';
import { demoPersona } from '../../src/modules/identity/index.js';
import type { Person } from './harness.js';

/*
 * Steps the service journeys share: signing in at the built-in IdP, filling fields by name,
 * checking an error summary the way a keyboard or screen-reader user meets it, and the files a
 * person uploads (made here, byte by byte, so the server's sniffing sees real formats).
 */

/** Fails with everything the watcher saw on the way, then closes the person's browser. */
export async function expectClean(person: Person): Promise<void> {
  expect(person.htmlDocuments()).toBeGreaterThan(0);
  expect(await person.problems()).toEqual([]);
  await person.close();
}

/** On the IdP's login page (already reached): choose the persona, type the password, continue. */
export async function signInAtIdp(person: Person, subject: string): Promise<void> {
  const { page, t } = person;
  await page.waitForURL(/\/idp\/interaction\//);
  await person.check(`IdP login page for ${subject}`);
  await page.getByRole('radio', { name: demoPersona(subject).name, exact: true }).check();
  await page.getByLabel(t('auth.idp.password.label'), { exact: true }).fill(DEMO_PASSWORD);
  await page.getByRole('button', { name: t('auth.idp.submit'), exact: true }).click();
}

/** Types into inputs and text areas by their `name`; choices by `name` and `value`. */
export async function fillByName(page: Page, values: Readonly<Record<string, string>>): Promise<void> {
  for (const [name, value] of Object.entries(values)) {
    await page.locator(`[name="${name}"]:not([type="hidden"])`).fill(value);
  }
}

export async function choose(page: Page, name: string, value: string): Promise<void> {
  await page.locator(`input[name="${name}"][value="${value}"]`).check();
}

/** Presses the form's main button (exact text) and waits for the next document to load. */
export async function pressAndWait(page: Page, name: string): Promise<void> {
  await Promise.all([page.waitForEvent('load'), page.getByRole('button', { name, exact: true }).click()]);
}

/**
 * The error summary as GOV.UK describes it: it is there, holds the message, takes focus on load
 * (so a screen reader announces it), the page title says there is a problem, and its link moves
 * focus to the field at fault.
 */
export async function expectErrorSummary(person: Person, error: { fieldId: string; text: string }): Promise<void> {
  const { page, t } = person;
  const summary = page.locator('.tb-error-summary');
  await summary.waitFor();
  expect(await page.title()).toMatch(new RegExp(`^${t('ui.errorMessage.prefix')}`));
  await expect.poll(() => page.evaluate(() => document.activeElement?.classList.contains('tb-error-summary') ?? false)).toBe(true);
  const link = summary.getByRole('link', { name: error.text, exact: true });
  expect(await link.getAttribute('href')).toBe(`#${error.fieldId}`);
  await link.click();
  await expect.poll(() => page.evaluate(() => document.activeElement?.id)).toBe(error.fieldId);
}

/** A small but well-formed PDF: header, one empty page, cross-reference table and trailer. */
export function pdfBytes(text: string): Buffer {
  const objects = [
    '<< /Type /Catalog /Pages 2 0 R >>',
    '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
    `<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R >>`,
  ];
  const stream = `BT /F1 12 Tf 72 770 Td (${text.replace(/[()\\]/g, '')}) Tj ET`;
  objects.push(`<< /Length ${stream.length} >>\nstream\n${stream}\nendstream`);
  let body = '%PDF-1.4\n';
  const offsets: number[] = [];
  objects.forEach((object, i) => {
    offsets.push(Buffer.byteLength(body));
    body += `${i + 1} 0 obj\n${object}\nendobj\n`;
  });
  const xref = Buffer.byteLength(body);
  body += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n${offsets.map((o) => `${String(o).padStart(10, '0')} 00000 n \n`).join('')}`;
  body += `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`;
  return Buffer.from(body, 'latin1');
}

/** A 1×1 grey PNG (a real image: signature, IHDR, IDAT, IEND), as a phone camera would not make it. */
export function pngBytes(): Buffer {
  return Buffer.from(
    'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAAAAAA6fptVAAAACklEQVR4nGNoAAAAggCB3xNQ5wAAAABJRU5ErkJggg==',
    'base64',
  );
}
