import type { Principal } from '../../kernel/auth/index.js';
import type { Kernel } from '../../kernel/context.js';
import { createApplicationsService, type Upload } from '../applications/service.js';
import type { CatalogService } from '../catalog/service.js';
import type { IdentityService } from '../identity/service.js';
import { createWorkflowService } from '../workflow/service.js';
import { createInsightsService } from './service.js';

/**
 * Plays a history of applications through the real services with a clock set back in time, so
 * that the dashboard's figures come from data made the way real data is made. Used by the demo
 * seed (several months) and by the figures test (a small known history).
 */

export type HistoryService = 'sole-trader-business-licence' | 'driving-licence-renewal';

export interface HistoryItem {
  /** Distinguishes the synthetic applicant: one person per item, so a second run can tell it is done. */
  readonly n: number;
  readonly service: HistoryService;
  readonly channel: 'online' | 'counter';
  /** Asia/Shanghai calendar day and hour the draft was opened and (unless a draft) sent. */
  readonly day: string;
  readonly hour: number;
  /** `draft`: opened and never sent; `open`: sent and not decided yet. */
  readonly outcome: 'approved' | 'rejected' | 'withdrawn' | 'draft' | 'open';
  /** Hours from sending to the decision or withdrawal. */
  readonly hoursToEnd?: number;
  readonly rating?: { readonly score: number; readonly comment?: string; readonly afterHours: number };
  readonly followUp?: { readonly answer: string; readonly changes: string; readonly afterHours: number; readonly resolved?: boolean };
  /** A real account instead of the synthetic person of `n` (a demo persona in journeys). */
  readonly person?: Principal & { readonly idNumber: string };
}

export interface HistoryDeps {
  readonly kernel: Kernel;
  readonly identity: Pick<IdentityService, 'saveAccount' | 'account' | 'principal'>;
  readonly catalog: CatalogService;
  readonly officer: Principal;
  readonly clerk: Principal;
}

const HOUR = 3_600_000;

/**
 * The demo staff who act in the history: a counter clerk, and an officer who handles cases at
 * every agency of the history's services (the demo officer does).
 */
export async function demoStaff(identity: Pick<IdentityService, 'accountsWithRole' | 'principal'>): Promise<{ officer: Principal; clerk: Principal }> {
  const [officers, clerks] = await Promise.all([identity.accountsWithRole('110000-TRA', 'officer'), identity.accountsWithRole('110000-CAB', 'clerk')]);
  const principals = async (ids: readonly string[]) => (await Promise.all(ids.map((id) => identity.principal(id)))).filter((p): p is Principal => p !== undefined);
  const officer = (await principals(officers.map((a) => a.id))).find((p) => p.roles.some((r) => r.agency === '110000-AMR' && r.role === 'officer'));
  const clerk = (await principals(clerks.map((a) => a.id)))[0];
  if (!officer || !clerk) throw new Error('the demo history needs the demo officer and clerk (seed identity first)');
  return { officer, clerk };
}
const PDF = new TextEncoder().encode('%PDF-1.7\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n');
const PNG = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, ...new Array<number>(56).fill(1)]);
const JPEG = new Uint8Array([0xff, 0xd8, 0xff, 0xe0, ...new Array<number>(60).fill(2)]);

/** A made-up resident ID number with a valid checksum (GB 11643), different for each `n`. */
export function syntheticIdNumber(n: number): string {
  const body = `110105198${String(n % 10)}0${String(1 + (Math.floor(n / 10) % 9))}${String(10 + (n % 18)).padStart(2, '0')}${String(100 + (n % 900)).padStart(3, '0')}`;
  const weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
  const sum = [...body].reduce((acc, digit, i) => acc + Number(digit) * weights[i]!, 0);
  return body + '10X98765432'[sum % 11]!;
}

/** The synthetic person of item `n`: a fixed account id, so the seed finds them again. */
export function historyPerson(n: number): Principal & { idNumber: string } {
  return { accountId: `0190a1b2-0000-7000-8001-${String(n).padStart(12, '0')}`, kind: 'person', name: `示例${n}`, roles: [], idNumber: syntheticIdNumber(n) };
}

function answersFor(service: HistoryService, person: { name: string; idNumber: string }): { answers: Record<string, Record<string, unknown>>; uploads: Upload[] } {
  const file = (fieldId: string, filename: string, claimedType: string, content: Uint8Array): Upload => ({ fieldId, filename, claimedType, content, truncated: false });
  if (service === 'sole-trader-business-licence') {
    return {
      answers: {
        operator: { operator_name: person.name, operator_id_number: person.idNumber, operator_phone: '13800138000' },
        business: {
          organisation: 'individual', business_address: { province: '北京市', city: '北京市', district: '朝阳区', line1: '建国路1号' },
          business_scope: ['retail'], scope_detail: '销售新鲜水果', employees: 2, capital: { amount: 500000, currency: 'CNY' },
        },
      },
      uploads: [file('premises_proof', 'lease.pdf', 'application/pdf', PDF), file('operator_id', 'id.png', 'image/png', PNG)],
    };
  }
  return {
    answers: {
      licence: { driver_name: person.name, id_number: person.idNumber, file_number: '110105123456', licence_class: 'C1', expiry_date: '2030-06-30', reason: 'expiry' },
      delivery: { delivery: 'collect', phone: '13800138000' },
    },
    uploads: [file('medical_certificate', 'medical.pdf', 'application/pdf', PDF), file('photo', 'photo.jpg', 'image/jpeg', JPEG)],
  };
}

/** Services with their own clock: everything they write is dated by `clock.at`. */
function servicesAt(deps: HistoryDeps, clock: { at: Date }) {
  // The live services already run the job handlers; these only enqueue (the SLA jobs of cases they close find them final).
  const kernel: Kernel = { ...deps.kernel, now: () => clock.at, jobs: { ...deps.kernel.jobs, register: () => undefined, every: () => undefined } };
  const workflow = createWorkflowService(kernel);
  // History is not announced: nobody is sent mail about an application of months ago.
  const applications = createApplicationsService(kernel, { catalog: deps.catalog, workflow, messaging: { notify: () => Promise.resolve({ id: '' }) }, identity: deps.identity });
  const insights = createInsightsService(kernel, { applications, workflow, catalog: deps.catalog }, { cacheMs: 0 });
  return { workflow, applications, insights };
}

/**
 * Plays each item not played yet (its person has no application for its service; for a draft of
 * a person of its own, that person does not exist yet) whose times are all before `now`. Returns how many were played. Running it again plays nothing.
 */
export async function playHistory(deps: HistoryDeps, items: readonly HistoryItem[], now: Date): Promise<number> {
  const clock = { at: now };
  const { workflow, applications, insights } = servicesAt(deps, clock);
  let played = 0;
  for (const item of items) {
    const start = new Date(Date.parse(`${item.day}T00:00:00+08:00`) + item.hour * HOUR);
    const last = start.getTime() + (item.hoursToEnd ?? 0) * HOUR + (item.rating?.afterHours ?? 0) * HOUR + (item.followUp?.afterHours ?? 0) * 2 * HOUR;
    if (last > now.getTime()) continue;
    const person = item.person ?? historyPerson(item.n);
    const service = await deps.catalog.getCurrentService(item.service);
    if (!service) throw new Error(`history needs the demo service ${item.service}`);
    const known = !item.person && Boolean(await deps.identity.account(person.accountId));
    if (!item.person && !known) {
      await deps.identity.saveAccount({ id: person.accountId, kind: 'person', name: person.name, idNumber: person.idNumber, email: `history-${item.n}@tongban.example` });
    }
    // A draft is deleted 30 days after its last change (the applications' retention job), so no
    // application does not mean not played: its own person, made just before it, says it was.
    if (item.outcome === 'draft' && known) continue;
    clock.at = start;
    if ((await applications.listForPerson(person)).some((a) => a.application.serviceId === service.id)) continue;
    played += 1;
    const online = item.channel === 'online';
    const editor = online ? person : deps.clerk;
    const draft = online
      ? await applications.startOnline(item.service, person, 'zh-CN')
      : await applications.startCounter(deps.clerk, { resident_id: person.idNumber, service: service.id }, 'zh-CN').then((r) => {
        if (!r.ok) throw new Error(`history counter start failed: ${JSON.stringify(r.errors)}`);
        return r.application;
      });
    if (item.outcome === 'draft') continue;
    const sent = await applications.submitAnswers(draft.id, editor, { ...answersFor(item.service, person), locale: 'zh-CN' });
    if (!sent.ok) throw new Error(`history application ${item.n} was refused: ${JSON.stringify(sent.errors)}`);
    if (item.outcome === 'open') continue;
    clock.at = new Date(start.getTime() + (item.hoursToEnd ?? 1) * HOUR);
    if (item.outcome === 'withdrawn') {
      // A counter applicant withdraws once their account is linked: listing their applications links it.
      await applications.listForPerson(person);
      await applications.withdraw(draft.id, person);
    } else {
      await workflow.act(undefined, { caseId: draft.id, action: 'claim', actor: deps.officer });
      await workflow.act(undefined, { caseId: draft.id, action: item.outcome === 'approved' ? 'approve' : 'reject', actor: deps.officer, reason: item.outcome === 'rejected' ? '材料不全' : undefined });
    }
    if (!item.rating) continue;
    clock.at = new Date(clock.at.getTime() + item.rating.afterHours * HOUR);
    const rating = online
      ? await insights.rateOnline(draft.id, person, { score: item.rating.score, comment: item.rating.comment })
      : await insights.rateAtCounter(sent.application.reference ?? '', deps.clerk, { score: item.rating.score, comment: item.rating.comment });
    if (!item.followUp) continue;
    clock.at = new Date(clock.at.getTime() + item.followUp.afterHours * HOUR);
    const open = (await insights.followUps(deps.officer, 'open')).find((f) => f.caseId === rating.caseId);
    if (!open) throw new Error(`history rating ${item.n} opened no follow-up`);
    await insights.answer(open.id, deps.officer, { answer: item.followUp.answer, changes: item.followUp.changes });
    if (item.followUp.resolved === undefined) continue;
    clock.at = new Date(clock.at.getTime() + item.followUp.afterHours * HOUR);
    await applications.listForPerson(person);
    await insights.respond(draft.id, person, { resolved: item.followUp.resolved ? 'yes' : 'no' });
  }
  return played;
}
