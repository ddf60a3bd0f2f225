import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeEachDatabase } from '../../../test/helpers/databases.js';
import type { Built } from '../../app.js';
import { csrfToken, type TestBrowser } from '../../kernel/auth/test-kit.js';
import { demoApp, personaBrowser } from '../applications/test-kit.js';
import { demoPersona } from '../identity/index.js';
import { migrationSources } from '../index.js';
import { historyPerson, playHistory, type HistoryItem } from './history.js';
import { historyDeps, personaPrincipal } from './test-kit.js';

const citizen = { ...personaPrincipal(demoPersona('citizen')), idNumber: demoPersona('citizen').idNumber! };
const ITEMS: HistoryItem[] = [
  { n: 701, person: citizen, service: 'sole-trader-business-licence', channel: 'online', day: '2026-10-12', hour: 10, outcome: 'approved', hoursToEnd: 30 },
  { n: 702, person: citizen, service: 'driving-licence-renewal', channel: 'online', day: '2026-10-13', hour: 10, outcome: 'rejected', hoursToEnd: 30 },
  { n: 703, service: 'sole-trader-business-licence', channel: 'counter', day: '2026-10-14', hour: 10, outcome: 'approved', hoursToEnd: 30 },
  { n: 704, service: 'sole-trader-business-licence', channel: 'online', day: '2026-10-14', hour: 11, outcome: 'approved', hoursToEnd: 30 },
];

describeEachDatabase('insights pages', migrationSources, (use) => {
  let built: Built;
  let person: TestBrowser;
  let officer: TestBrowser;
  let clerk: TestBrowser;
  let approved = '';
  let rejected = '';
  beforeAll(async () => {
    built = await demoApp(use());
    await playHistory(await historyDeps(built), ITEMS, built.kernel.now());
    const mine = await built.services.applications.listForPerson(citizen);
    approved = mine.find((a) => a.application.agencyCode === '110000-AMR')!.application.id;
    rejected = mine.find((a) => a.application.agencyCode === '110000-TRA')!.application.id;
    [person, officer, clerk] = await Promise.all([personaBrowser(built, 'citizen'), personaBrowser(built, 'officer'), personaBrowser(built, 'clerk')]);
  }, 120_000);
  afterAll(async () => { await built.app.close(); });

  it('invites the applicant to rate from the status page, and keeps what was typed when the score is missing', async () => {
    const status = await person.get(`/applications/${approved}`);
    expect(status.body).toContain(`href="/applications/${approved}/rating"`);
    const page = await person.get(`/applications/${approved}/rating`);
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('name="_csrf"');
    const missing = await person.post(`/applications/${approved}/rating`, { _csrf: csrfToken(page.body), comment: 'Kept <b>text</b>' });
    expect(missing.statusCode).toBe(400);
    expect(missing.body).toContain('href="#score"');
    expect(missing.body).toContain('Kept &lt;b>text&lt;/b>');
    const sent = await person.follow(await person.post(`/applications/${approved}/rating`, { _csrf: csrfToken(page.body), score: '5', comment: 'Fast' }));
    expect(sent.body).toContain('Your rating has been sent');
    expect((await person.get(`/applications/${approved}`)).body).toContain('You rated this service 5 out of 5.');
  });

  it('refuses the rating page to another person and to nobody', async () => {
    const other = await personaBrowser(built, 'business');
    expect((await other.get(`/applications/${approved}/rating`)).statusCode).toBe(404);
    const anonymous = await built.app.inject({ method: 'GET', url: `/applications/${approved}/rating`, headers: { accept: 'text/html' } });
    expect([302, 303]).toContain(anonymous.statusCode);
  });

  it('runs a low rating through the follow-up pages to the person\'s response', async () => {
    const page = await person.get(`/applications/${rejected}/rating`);
    await person.post(`/applications/${rejected}/rating`, { _csrf: csrfToken(page.body), score: '1', comment: 'Nobody told me why' });
    const queue = await officer.get('/backoffice/follow-ups');
    expect(queue.statusCode).toBe(200);
    const link = /href="(\/backoffice\/follow-ups\/[0-9a-f-]{36})"/.exec(queue.body)?.[1];
    expect(link).toBeDefined();
    const detail = await officer.get(link!);
    expect(detail.body).toContain('Nobody told me why');
    const empty = await officer.post(link!, { _csrf: csrfToken(detail.body), answer: 'Typed answer', changes: '' });
    expect(empty.statusCode).toBe(400);
    expect(empty.body).toContain('href="#changes"');
    expect(empty.body).toContain('Typed answer');
    await officer.post(link!, { _csrf: csrfToken(detail.body), answer: 'We are sorry.', changes: 'Refusals now give the reason.' });
    expect((await person.get(`/applications/${rejected}`)).body).toContain('The agency answered: We are sorry.');
    const rating = await person.get(`/applications/${rejected}/rating`);
    expect(rating.body).toContain('Refusals now give the reason.');
    const noChoice = await person.post(`/applications/${rejected}/rating/response`, { _csrf: csrfToken(rating.body) });
    expect(noChoice.statusCode).toBe(400);
    expect(noChoice.body).toContain('href="#resolved"');
    const done = await person.follow(await person.post(`/applications/${rejected}/rating/response`, { _csrf: csrfToken(rating.body), resolved: 'yes' }));
    expect(done.body).toContain('You told us the answer solved your problem.');
    expect((await person.get('/backoffice/follow-ups')).statusCode).toBe(403);
  });

  it('lets a clerk record a counter rating and shows errors that keep the reference', async () => {
    const reference = (await built.services.applications.listForPerson(historyPerson(703)))[0]?.application.reference ?? '';
    expect(reference).toMatch(/^TB-/);
    const page = await clerk.get('/counter/ratings');
    expect(page.statusCode).toBe(200);
    const wrong = await clerk.post('/counter/ratings', { _csrf: csrfToken(page.body), reference: 'TB-0000-XXXXXX', score: '4' });
    expect(wrong.statusCode).toBe(400);
    expect(wrong.body).toContain('value="TB-0000-XXXXXX"');
    // Someone's online application of another agency: refused on the form, and it stays theirs to rate.
    const [made] = await built.services.applications.listForPerson(historyPerson(704));
    const online = made!.application.reference!;
    const refused = await clerk.post('/counter/ratings?lang=en', { _csrf: csrfToken(page.body), reference: online, score: '1' });
    expect(refused.statusCode).toBe(403);
    expect(refused.body).toContain('tb-error-summary');
    expect(refused.body).toContain('or the clerk who took it, can record its rating.');
    expect(refused.body).toContain(`value="${online}"`);
    expect((await built.services.insights.view(made!.application.id, historyPerson(704))).rating).toBeUndefined();
    const ok = await clerk.follow(await clerk.post('/counter/ratings', { _csrf: csrfToken(page.body), reference, score: '4' }));
    expect(ok.body).toContain(`The rating for ${reference} has been recorded.`);
    expect((await person.get('/counter/ratings')).statusCode).toBe(403);
  });

  it('serves the public dashboard, its CSV and JSON without sign-in, in both languages', async () => {
    for (const [url, lang] of [['/performance', 'en'], ['/performance/agencies/110000-AMR', 'zh-CN'], ['/performance/services/driving-licence-renewal', 'en']] as const) {
      const res = await built.app.inject({ method: 'GET', url: `${url}?lang=${lang}`, headers: { accept: 'text/html' } });
      expect(res.statusCode, url).toBe(200);
      // The page's language and header depend on cookies and Accept-Language: no shared cache keeps it.
      expect(res.headers['cache-control']).toBe('private, max-age=60');
      expect(res.headers.vary).toBe('Cookie, Accept-Language');
      expect(res.body).toContain('role="img"');
      expect(res.body).toContain('<desc id="trend-chart-desc">');
      expect(res.body).toContain(lang === 'en' ? 'Applications received' : '受理申请数');
      const csv = await built.app.inject({ method: 'GET', url: `${url}/data.csv` });
      expect(csv.headers['content-type']).toBe('text/csv; charset=utf-8');
      expect(csv.body.split('\r\n')[0]).toMatch(/^period,received,decided,/);
      const json = await built.app.inject({ method: 'GET', url: `${url}/data.json` });
      // The open data is the same whatever the language: any cache may keep it.
      for (const data of [csv, json]) {
        expect(data.headers['cache-control']).toBe('public, max-age=60');
        expect(data.headers.vary).toBeUndefined();
      }
      expect(json.json<{ received: number; months: unknown[] }>().months).toHaveLength(12);
    }
    const national = await built.app.inject({ method: 'GET', url: '/performance/data.json' });
    expect(national.json<{ received: number; decided: number }>()).toMatchObject({ received: 4, decided: 4 });
    expect((await built.app.inject({ method: 'GET', url: '/performance/services/nope', headers: { accept: 'text/html' } })).statusCode).toBe(404);
  });

  it('serves the dashboard in the language of the switch\'s cookie, never from a shared cache, and not at all from one once signed in', async () => {
    const chinese = await built.app.inject({ method: 'GET', url: '/performance', headers: { accept: 'text/html', cookie: 'tongban_lang=zh-CN', 'accept-language': 'en' } });
    expect(chinese.body).toContain('受理申请数');
    expect(chinese.headers['cache-control']).toBe('private, max-age=60');
    expect(chinese.headers.vary).toBe('Cookie, Accept-Language');
    const signedIn = await person.get('/performance');
    expect(signedIn.statusCode).toBe(200);
    expect(signedIn.headers['cache-control']).toBe('no-store');
    expect(signedIn.headers.vary).toBe('Cookie, Accept-Language');
  });
});
