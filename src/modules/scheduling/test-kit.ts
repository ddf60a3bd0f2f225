import type { Logger } from 'pino';
import { buildApp, type Built } from '../../app.js';
import type { Principal } from '../../kernel/auth/index.js';
import { loadConfig } from '../../kernel/config/index.js';
import type { TestDatabase } from '../../../test/helpers/databases.js';
import { modules } from '../index.js';

/** Test support for scheduling and for modules that need a booked appointment. */

export const RESIDENCE = 'residence-certificate';
export const HALL = 'dongcheng-zwfw';
export const PUBLIC_URL = 'http://tongban.test';

const pdf = (text: string): Buffer => Buffer.from(`%PDF-1.7\n${text}\n%%EOF\n`);

/** A clock the test sets and moves. Starts on Monday 7 December 2026, 08:00 in Shanghai. */
export function testClock(start = '2026-12-07T08:00:00+08:00') {
  let t = new Date(start).getTime();
  return { now: () => new Date(t), set: (at: string) => { t = new Date(at).getTime(); }, advance: (ms: number) => { t += ms; } };
}

/** The real app on a test database with the demo data, on the given clock (and, to read its log lines, a logger). */
export async function schedulingApp(test: TestDatabase, now: () => Date, logger?: Logger): Promise<Built> {
  const base = loadConfig({ NODE_ENV: 'test', TONGBAN_PUBLIC_URL: PUBLIC_URL, TONGBAN_DATA_DIR: ':memory:' });
  const built = await buildApp({ config: { ...base, database: test.config.database }, database: test.database, now, ...(logger ? { logger } : {}) });
  await built.app.ready();
  for (const mod of modules) await mod.seed?.({ kernel: built.kernel, services: built.services });
  return built;
}

/** The principal of an account (a demo persona's `accountId`), as sign-in would make it. */
export async function accountPrincipal(built: Built, accountId: string): Promise<Principal> {
  const found = await built.services.identity.principal(accountId);
  if (!found) throw new Error(`no principal for ${accountId}`);
  return found;
}

/** The residence form's answers, page by page (other suites submit the same form). */
export const RESIDENCE_ANSWERS = {
  you: { full_name: '张伟', id_number: '110101199003072359', 'date_of_birth-day': '7', 'date_of_birth-month': '3', 'date_of_birth-year': '1990', phone: '13800138000' },
  addresses: {
    'hukou_address-province': '河北省', 'hukou_address-city': '石家庄市', 'hukou_address-district': '长安区', 'hukou_address-line1': '中山东路1号',
    'beijing_address-province': '北京市', 'beijing_address-city': '北京市', 'beijing_address-district': '东城区', 'beijing_address-line1': '东四北大街2号',
    'moved_on-day': '1', 'moved_on-month': '1', 'moved_on-year': '2024',
  },
  basis: { basis: 'employment', employer: '北京某某科技有限公司' },
} as const;

/** A submitted residence-permit application (it has an in-person step) made online by `person`. */
export async function submitResidenceApplication(built: Built, person: Principal): Promise<{ id: string; reference: string }> {
  const applications = built.services.applications;
  const draft = await applications.startOnline(RESIDENCE, person, 'en');
  for (const [page, answers] of Object.entries(RESIDENCE_ANSWERS)) {
    const result = await applications.savePage(draft.id, person, page, answers, []);
    if (result.errors.length > 0) throw new Error(`page ${page}: ${JSON.stringify(result.errors)}`);
  }
  await applications.savePage(draft.id, person, 'documents', {}, [
    { fieldId: 'address_registration', filename: 'registration.pdf', claimedType: 'application/pdf', content: pdf('registration'), truncated: false },
    { fieldId: 'basis_proof', filename: 'contract.pdf', claimedType: 'application/pdf', content: pdf('contract'), truncated: false },
  ]);
  const submitted = await applications.submit(draft.id, person, { declaration: true, locale: 'en' });
  return { id: submitted.id, reference: submitted.reference ?? '' };
}
