import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { expectPagesAccessible } from '../../../test/helpers/accessible-pages.js';
import { describeEachDatabase } from '../../../test/helpers/databases.js';
import type { Built } from '../../app.js';
import type { Principal } from '../../kernel/auth/index.js';
import type { TestBrowser } from '../../kernel/auth/test-kit.js';
import { demoApp, personaBrowser, PUBLIC_URL } from '../applications/test-kit.js';
import { DEMO_AGREEMENTS } from '../consent/index.js';
import { approvedSoleTrader } from '../documents/test-kit.js';
import { demoPersona } from '../identity/index.js';
import { migrationSources } from '../index.js';
import { applyForLicence } from '../payments/test-kit.js';
import { RESIDENCE, submitResidenceApplication } from '../scheduling/test-kit.js';
import { COPY_FORMAT } from './export.js';
import { COPY_PURPOSE, COPY_SECTIONS } from './service.js';

const CITIZEN = demoPersona('citizen');
const ID_NUMBER = '110101199003072359';

interface Section { id: string; title: string; about: string; count: number; items: Record<string, unknown>[] }
interface CopyFile { format: string; generatedAt: string; language: string; title: string; sections: Section[] }

describeEachDatabase('privacy: a copy of my data (PIPL art. 45)', migrationSources, (use) => {
  let built: Built;
  let citizen: TestBrowser;
  let person: Principal;
  let approved = '';
  let licence = { id: '', reference: '' };
  let residence = '';
  let othersApplication = '';

  const principal = async (persona: string): Promise<Principal> => {
    const found = await built.services.identity.principal(demoPersona(persona).accountId);
    if (!found) throw new Error(`no principal for ${persona}`);
    return found;
  };
  const section = (file: CopyFile, id: string): Section => {
    const found = file.sections.find((s) => s.id === id);
    if (!found) throw new Error(`no section ${id}`);
    return found;
  };

  beforeAll(async () => {
    built = await demoApp(use());
    citizen = await personaBrowser(built, 'citizen');
    person = await principal('citizen');
    const officer = await principal('officer');
    const { services } = built;
    // A decided case with its certificate, a fee paid at the counter, an appointment booked, a question asked.
    approved = await approvedSoleTrader(built, { citizen: person, officer });
    licence = await applyForLicence(built, person, ID_NUMBER);
    await services.payments.recordAtCounter(await principal('clerk'), { reference: licence.reference, method: 'cash', payerName: '张伟', key: randomUUID() });
    residence = (await submitResidenceApplication(built, person)).id;
    const booking = await services.scheduling.forPerson(residence, person, 'en');
    const [hall] = await services.scheduling.hallsFor(RESIDENCE);
    if (!hall) throw new Error('no hall serves the residence certificate');
    const day = (await services.scheduling.days(hall, booking)).find((d) => d.free > 0)?.day;
    const time = day ? (await services.scheduling.times(hall, booking, day)).find((t) => t.free > 0)?.time : undefined;
    if (!day || !time) throw new Error('no free slot');
    await services.scheduling.book(booking, { hallId: hall.id, day, time }, { actor: { kind: 'person', id: person.accountId }, locale: 'en' }, 'book');
    const staffUse = await built.kernel.audit.appendCommitted({ actor: { kind: 'staff', id: officer.accountId, organisation: '110000-AMR' }, action: 'application.view', subject: person.accountId, purpose: 'Handling the application' });
    await services.privacy.ask(person, staffUse.id, 'Why was my application read?', { locale: 'en' });
    await services.consent.give({ agreementId: DEMO_AGREEMENTS.prefill, idNumber: ID_NUMBER, accountId: person.accountId, channel: 'online', actor: { kind: 'person', id: person.accountId } });
    // Someone else's application, which must not be in the citizen's copy.
    othersApplication = (await submitResidenceApplication(built, await principal('business'))).id;
  });
  afterAll(async () => { await built.app.close(); });

  it('shows what the copy holds and links to it, from the account page and "who used my data"', async () => {
    const pages: [string, string][] = [];
    for (const lang of ['en', 'zh-CN']) {
      const page = await citizen.get(`/my-data/copy?lang=${lang}`);
      expect(page.statusCode).toBe(200);
      expect(page.headers['cache-control']).toBe('no-store');
      expect(page.body).toContain('href="/my-data/copy.json"');
      pages.push([`copy ${lang}`, page.body]);
    }
    expect(pages[0]?.[1]).toContain('Get a copy of your data');
    expect(pages[0]?.[1]).toContain('Registers');
    expect(pages[1]?.[1]).toContain('获取您的数据副本');
    expect((await citizen.get('/account')).body).toContain('href="/my-data/copy"');
    expect((await citizen.get('/my-data/accesses')).body).toContain('href="/my-data/copy"');
    await expectPagesAccessible(built.app, PUBLIC_URL, pages);
  });

  it('downloads everything the platform holds about the person, and nothing about anyone else', async () => {
    const answer = await citizen.get('/my-data/copy.json');
    expect(answer.statusCode).toBe(200);
    expect(answer.headers['content-type']).toContain('application/json');
    expect(answer.headers['cache-control']).toBe('no-store');
    expect(answer.headers['content-disposition']).toMatch(/^attachment; filename="my-data-\d{4}-\d{2}-\d{2}\.json"$/);
    const file = answer.json<CopyFile>();
    expect(file.format).toBe(COPY_FORMAT);
    expect(file.language).toBe('en');
    expect(file.sections.map((s) => s.id)).toEqual([...COPY_SECTIONS]);
    for (const s of file.sections) expect(s.count).toBe(s.items.length);

    expect(section(file, 'account').items).toEqual([expect.objectContaining({ name: CITIZEN.name, idNumber: ID_NUMBER, kind: 'person' })]);

    const applications = section(file, 'applications').items;
    const ids = applications.map((a) => (a.application as { id: string }).id);
    expect(ids).toEqual(expect.arrayContaining([approved, licence.id, residence]));
    expect(ids).not.toContain(othersApplication);
    const decided = applications.find((a) => (a.application as { id: string }).id === approved);
    expect(decided?.answers).toEqual(expect.objectContaining({ business_name: '张记水果店', operator_id_number: ID_NUMBER }));
    expect(decided?.summary).toEqual(expect.arrayContaining([expect.objectContaining({ value: '张记水果店' })]));
    const history = (decided?.case as { history: { to: string; actor?: unknown }[] }).history;
    expect(history.map((h) => h.to)).toContain('approved');
    // The timeline as the status page shows it: no member of staff named.
    expect(history.every((h) => h.actor === undefined)).toBe(true);

    const payments = section(file, 'payments').items;
    expect(payments).toEqual([expect.objectContaining({ applicationId: licence.id, payments: [expect.objectContaining({ method: 'cash' })] })]);
    expect(section(file, 'appointments').items).toEqual([expect.objectContaining({ applicationId: residence, status: 'booked' })]);
    expect(section(file, 'certificates').items).toEqual([expect.objectContaining({ applicationId: approved, status: 'valid' })]);
    const registers = section(file, 'registers').items;
    expect(registers.map((r) => [(r.registry as { code: string }).code, r.key])).toContainEqual(['population', ID_NUMBER]);
    expect(section(file, 'consents').items).toEqual([expect.objectContaining({ agreementId: DEMO_AGREEMENTS.prefill, kind: 'given' })]);
    expect(section(file, 'questions').items).toEqual([expect.objectContaining({ question: 'Why was my application read?' })]);
    expect(section(file, 'messages').count).toBeGreaterThan(0);
    expect(JSON.stringify(section(file, 'messages').items)).not.toContain(othersApplication);
  });

  it('is audited as the person\'s own use: recorded, and not listed among others\' uses of their data', async () => {
    await citizen.get('/my-data/copy.json');
    const records = await built.kernel.audit.listBySubject(person.accountId, { limit: 500 });
    const copies = records.filter((r) => r.action === 'privacy.copy');
    expect(copies.length).toBeGreaterThanOrEqual(1);
    expect(copies[0]?.actor).toMatchObject({ kind: 'person', id: person.accountId });
    expect(copies[0]?.purpose).toBe(COPY_PURPOSE);
    expect((copies[0]?.details?.sections as Record<string, number> | undefined)?.applications).toBeGreaterThanOrEqual(3);
    const registerReads = records.filter((r) => r.action === 'registry.record.read' && r.purpose === COPY_PURPOSE);
    expect(registerReads.length).toBeGreaterThanOrEqual(1);
    expect(registerReads.every((r) => r.actor.id === person.accountId)).toBe(true);
    const listed = await built.services.privacy.exportAccesses(person, {});
    expect(listed.some((a) => a.action === 'privacy.copy' || a.purpose === COPY_PURPOSE)).toBe(false);
  });

  it('names the sections in the reader\'s language, and refuses anyone not signed in', async () => {
    const file = (await citizen.get('/my-data/copy.json?lang=zh-CN')).json<CopyFile>();
    expect(file.language).toBe('zh-CN');
    expect(file.title).toBe('获取您的数据副本');
    expect(section(file, 'registers').title).toBe('登记簿');
    const anonymous = await built.app.inject({ method: 'GET', url: '/my-data/copy.json' });
    expect([302, 303, 401]).toContain(anonymous.statusCode);
    expect(anonymous.body).not.toContain(ID_NUMBER);
  });
});
