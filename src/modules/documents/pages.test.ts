import { PDFDict, PDFDocument, PDFName } from 'pdf-lib';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { expectAccessible, launchBrowser, newPage } from '../../../test/helpers/browser.js';
import { describeEachDatabase } from '../../../test/helpers/databases.js';
import type { Built } from '../../app.js';
import { createTestBrowser, csrfToken, signIn, type TestBrowser } from '../../kernel/auth/test-kit.js';
import { demoApp, PUBLIC_URL } from '../applications/test-kit.js';
import { demoPersona } from '../identity/index.js';
import { migrationSources } from '../index.js';
import { approvedSoleTrader, readQrFromPdf } from './test-kit.js';

const principal = (subject: string) => {
  const p = demoPersona(subject);
  return { accountId: p.accountId, kind: p.kind, name: p.name, roles: p.roles };
};

const REVOKE_REASON = 'Premises changed <b>not bold</b>';

describeEachDatabase('documents pages: my certificates, the PDF, verify, revoke', migrationSources, (use) => {
  let built: Built;
  let applicationId = '';
  let id = '';
  const pagesForAxe: [string, string][] = [];
  beforeAll(async () => {
    built = await demoApp(use());
    applicationId = await approvedSoleTrader(built, { citizen: principal('citizen'), officer: principal('officer') });
    id = (await built.services.documents.forApplication(applicationId))?.id ?? '';
  });
  afterAll(async () => { await built.app.close(); });
  const as = async (persona: string): Promise<TestBrowser> => {
    const b = createTestBrowser(built.app, PUBLIC_URL);
    await signIn(b, persona);
    return b;
  };
  const keep = (label: string, body: string) => { pagesForAxe.push([label, body]); return body; };

  it('lists the person\'s certificates with download and check links, in both languages; sign-in first', async () => {
    const anonymous = await createTestBrowser(built.app, PUBLIC_URL).get('/documents');
    expect(anonymous.statusCode).toBe(303);
    const citizen = await as('citizen');
    const zh = await citizen.get('/documents?lang=zh-CN');
    expect(zh.statusCode).toBe(200);
    keep('documents zh-CN', zh.body);
    expect(zh.body).toContain('<h1 class="tb-heading-l">我的证照</h1>');
    expect(zh.body).toContain('营业执照（个体工商户）');
    expect(zh.body).toContain(`href="/documents/${id}/pdf"`);
    expect(zh.body).toContain(`href="/verify/${id}"`);
    const en = keep('documents en', (await citizen.get('/documents?lang=en')).body);
    expect(en).toContain('Business licence (individual business)');
    const nobody = keep('documents empty en', (await (await as('business')).get('/documents?lang=en')).body);
    expect(nobody).toContain('You have no certificates yet.');
  });

  it('shows the certificate on the application\'s status page and the case page (panels)', async () => {
    const citizen = await as('citizen');
    const status = (await citizen.get(`/applications/${applicationId}?lang=en`)).body;
    expect(status).toContain('Your certificate');
    expect(status).toContain(`/documents/${id}/pdf`);
    const officer = await as('officer');
    const kase = (await officer.get(`/backoffice/cases/${applicationId}?lang=en`)).body;
    expect(kase).toContain(`/backoffice/certificates/${id}/revoke`);
  });

  it('prints a small PDF in the reader\'s language with a QR code that opens the verify page', async () => {
    const citizen = await as('citizen');
    for (const [lang, title] of [['zh-CN', '营业执照（个体工商户）'], ['en', 'Business licence (individual business)']] as const) {
      const res = await citizen.get(`/documents/${id}/pdf?lang=${lang}`);
      expect(res.statusCode).toBe(200);
      expect(res.headers['content-type']).toBe('application/pdf');
      expect(res.headers['content-disposition']).toMatch(/^attachment; filename="TB-/);
      const bytes = res.rawPayload;
      expect(bytes.length).toBeLessThan(250_000);
      const doc = await PDFDocument.load(bytes);
      expect(doc.getTitle()).toBe(title);
      expect(doc.getPageCount()).toBe(1);
      // The CJK font is embedded (the size above says: as a subset, never the 16 MB whole).
      const fonts = doc.context.enumerateIndirectObjects().flatMap(([, o]) => (o instanceof PDFDict && o.get(PDFName.of('Type')) === PDFName.of('Font') ? [o.get(PDFName.of('BaseFont'))?.toString()] : []));
      expect(fonts.some((name) => name?.includes('NotoSansCJKsc'))).toBe(true);
      expect(await readQrFromPdf(bytes)).toBe(`${PUBLIC_URL}/verify/${id}`);
    }
    // Another person cannot download it.
    expect((await (await as('business')).get(`/documents/${id}/pdf`)).statusCode).toBe(404);
  });

  it('says valid on the public verify page, and not genuine for an unknown number', async () => {
    const anyone = createTestBrowser(built.app, PUBLIC_URL);
    const valid = await anyone.get(`/verify/${id}?lang=en`);
    expect(valid.statusCode).toBe(200);
    keep('verify valid en', valid.body);
    expect(valid.body).toContain('This certificate is genuine and valid');
    expect(valid.body).toContain('张记水果店');
    keep('verify valid zh-CN', (await anyone.get(`/verify/${id}?lang=zh-CN`)).body);
    const unknown = await anyone.get('/verify/00000000-0000-4000-8000-000000000000?lang=en');
    expect(unknown.statusCode).toBe(404);
    keep('verify not genuine en', unknown.body);
    expect(unknown.body).toContain('This certificate is not genuine');
    expect((await anyone.get('/verify/nonsense?lang=zh-CN')).body).toContain('本证照不是真实证照');
  });

  it('tells the holder a signed-in stranger checked the certificate, not "someone acting for you"', async () => {
    const business = await as('business');
    expect((await business.get(`/verify/${id}?lang=en`)).statusCode).toBe(200);
    const citizen = await as('citizen');
    const en = await citizen.get('/my-data/accesses?lang=en');
    expect(en.body).toContain('Another signed-in person');
    expect(en.body).not.toContain('Someone acting for you');
    const zh = await citizen.get('/my-data/accesses?lang=zh-CN');
    expect(zh.body).toContain('其他已登录的人');
    expect(zh.body).not.toContain('代您办理的人');
  });

  it('revokes from the back office with a reason and a confirmation, keeping what was typed on errors', async () => {
    const path = `/backoffice/certificates/${id}/revoke`;
    expect((await (await as('citizen')).get(path)).statusCode).toBe(403);
    const officer = await as('officer');
    const form = await officer.get(`${path}?lang=en`);
    expect(form.statusCode).toBe(200);
    keep('revoke form en', form.body);
    const noToken = await officer.post(path, { reason: 'x', confirm: 'yes' });
    expect(noToken.statusCode).toBe(403);
    const missing = await officer.post(path, { _csrf: csrfToken(form.body), reason: REVOKE_REASON });
    expect(missing.statusCode).toBe(400);
    keep('revoke form with an error en', missing.body);
    expect(missing.body).toContain('href="#confirm"');
    expect(missing.body).toContain('Premises changed &lt;b>not bold&lt;/b>');
    const empty = await officer.post(path, { _csrf: csrfToken(form.body), confirm: 'yes', reason: ' ' });
    expect(empty.body).toContain('href="#reason"');
    const done = await officer.post(path, { _csrf: csrfToken(form.body), reason: REVOKE_REASON, confirm: 'yes' });
    expect(done.statusCode).toBe(303);
    expect(done.headers.location).toBe(`${path}?done=1`);
    const after = await officer.get(`${path}?done=1&lang=zh-CN`);
    keep('revoke done zh-CN', after.body);
    expect(after.body).toContain('证照已撤销。');
    expect(after.body).not.toContain('<textarea');

    const verify = await createTestBrowser(built.app, PUBLIC_URL).get(`/verify/${id}?lang=en`);
    keep('verify revoked en', verify.body);
    expect(verify.body).toContain('This certificate has been revoked');
    expect(verify.body).toContain('Reason: Premises changed &lt;b>not bold&lt;/b>');
  });

  it('passes axe in Chromium on the documents, verify and revoke pages', async () => {
    expect(pagesForAxe.length).toBeGreaterThanOrEqual(9);
    const chromium = await launchBrowser();
    try {
      const page = await newPage(chromium);
      let html = '';
      await page.route(`${PUBLIC_URL}/**`, async (route) => {
        const url = new URL(route.request().url());
        if (url.pathname === '/under-test') return route.fulfill({ status: 200, contentType: 'text/html; charset=utf-8', body: html });
        const asset = await built.app.inject({ method: 'GET', url: `${url.pathname}${url.search}` });
        return route.fulfill({ status: asset.statusCode, headers: asset.headers as Record<string, string>, body: asset.rawPayload });
      });
      for (const [label, body] of pagesForAxe) {
        html = body;
        await page.goto(`${PUBLIC_URL}/under-test`);
        await expectAccessible(page, label);
      }
    } finally {
      await chromium.close();
    }
  });
});
