import { Writable } from 'node:stream';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeEachDatabase } from '../../../test/helpers/databases.js';
import type { Built } from '../../app.js';
import { createTestBrowser, csrfToken, signIn, type TestBrowser } from '../../kernel/auth/test-kit.js';
import { loadConfig } from '../../kernel/config/index.js';
import { createLogger } from '../../kernel/log.js';
import { demoPersona } from '../identity/demo-personas.js';
import { migrationSources } from '../index.js';
import { DEMO_CITIZEN } from './definitions.js';
import { PUBLIC_URL, registriesApp } from './test-kit.js';

/**
 * A report of wrong registry data (a correction task) belongs to the registry's owner agency:
 * staff of another agency get the unknown task's 404, so neither the task nor the person's report
 * is disclosed, and the refusal is logged as `security.denied` with `reason: other-agency`
 * (issue 9, ADR 34). An unknown or already closed task is an ordinary 404, not a denial.
 */
const TASKS = '/admin/registries/corrections';
const UNKNOWN = '01890a5d-ac96-774b-bcce-b302099a8057';
type Line = Record<string, unknown>;

describeEachDatabase('registries: another agency\'s correction task is a logged denial', migrationSources, (use) => {
  let built: Built;
  const lines: Line[] = [];
  const browsers = new Map<string, TestBrowser>();
  beforeAll(async () => {
    const sink = new Writable({ write(chunk: Buffer, _enc, done) { for (const l of chunk.toString().split('\n')) if (l) lines.push(JSON.parse(l) as Line); done(); } });
    built = await registriesApp(use, ['identity', 'registries'], createLogger(loadConfig({ NODE_ENV: 'test', TONGBAN_PUBLIC_URL: PUBLIC_URL, TONGBAN_DATA_DIR: ':memory:', LOG_LEVEL: 'info' }), sink));
    // The PSB keeps the population register; the clerk works for another agency.
    for (const persona of ['agency-admin', 'clerk']) {
      const browser = createTestBrowser(built.app, PUBLIC_URL);
      await signIn(browser, persona);
      browsers.set(persona, browser);
    }
  });
  afterAll(async () => { await built.app.close(); });

  const as = (persona: string) => browsers.get(persona)!;
  const report = async () => (await built.services.registries.reportWrongData({
    registry: 'population', idNumber: DEMO_CITIZEN.idNumber, items: ['householdAddress'], description: 'Moved house', reporter: { accountId: demoPersona('citizen').accountId },
  })).taskId;
  /** The security.denied lines of one answer, joined by its request id. */
  const denials = (res: { headers: Record<string, unknown> }) => lines.filter((l) => l.event === 'security.denied' && l.reqId === res.headers['x-request-id']);

  it('answers another agency\'s task with the unknown task\'s 404, logged as security.denied (other-agency), and changes nothing', async () => {
    const taskId = await report();
    const unknown = await as('clerk').get(`${TASKS}/${UNKNOWN}/resolve?lang=en`);
    const page = await as('clerk').get(`${TASKS}/${taskId}/resolve?lang=en`);
    expect(page.statusCode).toBe(404);
    expect(unknown.statusCode).toBe(404);
    // The same page as for a task that does not exist: nothing tells the two apart.
    const plain = (res: { body: string; headers: Record<string, unknown> }) => res.body.replaceAll(taskId, UNKNOWN).replaceAll(String(res.headers['x-request-id']), '(reference)');
    expect(plain(page)).toBe(plain(unknown));
    expect(page.body).not.toContain('Moved house');
    expect(denials(page)).toEqual([expect.objectContaining({ level: 40, code: 'TB_REGISTRIES_CORRECTION_NOT_FOUND', reason: 'other-agency', method: 'GET', route: `${TASKS}/:id/resolve` })]);
    expect(JSON.stringify(denials(page))).not.toContain(taskId);

    const token = csrfToken((await as('clerk').get('/admin/registries')).body);
    const post = await as('clerk').post(`${TASKS}/${taskId}/resolve`, { _csrf: token, note: 'Not ours, closed anyway' });
    expect(post.statusCode).toBe(404);
    expect(denials(post)).toEqual([expect.objectContaining({ code: 'TB_REGISTRIES_CORRECTION_NOT_FOUND', reason: 'other-agency', method: 'POST' })]);
    expect(await built.services.registries.correction(taskId)).toMatchObject({ status: 'open' });
  });

  it('logs no denial for an unknown task or the owner agency\'s closed one: those are ordinary 404s', async () => {
    const unknown = await as('clerk').get(`${TASKS}/${UNKNOWN}/resolve`);
    expect(unknown.statusCode).toBe(404);
    expect(denials(unknown)).toEqual([]);
    expect(lines.some((l) => l.reqId === unknown.headers['x-request-id'] && l.msg === 'request refused' && l.code === 'TB_REGISTRIES_CORRECTION_NOT_FOUND')).toBe(true);

    const taskId = await report();
    await built.services.registries.resolveCorrection({ id: taskId, note: 'Corrected', actor: { kind: 'staff', id: 'psb-staff', organisation: '110000-PSB' }, mayResolve: () => true });
    const closed = await as('agency-admin').get(`${TASKS}/${taskId}/resolve`);
    expect(closed.statusCode).toBe(404);
    expect(denials(closed)).toEqual([]);
    // Closed or open, another agency's task is still theirs: a denial.
    const theirs = await as('clerk').get(`${TASKS}/${taskId}/resolve`);
    expect(theirs.statusCode).toBe(404);
    expect(denials(theirs)).toEqual([expect.objectContaining({ reason: 'other-agency' })]);
  });

  it('the service refuses another agency\'s staff as not found with the reason, and an unknown task without one', async () => {
    const taskId = await report();
    const staff = { kind: 'staff', id: 'amr-staff', organisation: '110000-AMR' } as const;
    const refusal = async (id: string) => built.services.registries.resolveCorrection({ id, note: 'x', actor: staff, mayResolve: (owner) => owner === '110000-AMR' }).then(() => undefined, (e: unknown) => e);
    expect(await refusal(taskId)).toMatchObject({ code: 'TB_REGISTRIES_CORRECTION_NOT_FOUND', status: 404, denied: 'other-agency' });
    expect(await refusal(UNKNOWN)).toMatchObject({ code: 'TB_REGISTRIES_CORRECTION_NOT_FOUND', denied: undefined });
    expect(await built.services.registries.correction(taskId)).toMatchObject({ status: 'open' });
  });
});
