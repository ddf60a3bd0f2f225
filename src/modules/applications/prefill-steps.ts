import type { FormContext } from '../../forms/index.js';
import type { Actor } from '../../kernel/audit/types.js';
import type { Principal } from '../../kernel/auth/index.js';
import { TongbanError } from '../../kernel/http/index.js';
import type { Locale } from '../../kernel/i18n/index.js';
import type { ServiceVersion } from '../catalog/service.js';
import { submitActor } from './api.js';
import { ApplicationsErrors } from './errors.js';
import { formOf } from './journey.js';
import { notFound } from './model.js';
import type { Prefill, PrefillPlan, PrefillResult } from './prefill.js';
import type { ApplicationRow } from './store.js';

const DESCRIPTION_MAX = 1000;

interface StepsDeps {
  readonly prefill: Prefill;
  readonly find: (id: string) => Promise<ApplicationRow | undefined>;
  readonly service: (row: ApplicationRow) => Promise<ServiceVersion>;
  readonly ctx: () => FormContext;
}

/**
 * Who reads the registry: the service's agency, through the platform for a person online, or the
 * clerk at its counter. The registries module audits the read under this actor, with the person as
 * subject, so it shows on "who used my data" with the organisation that used it.
 */
function readerOf(row: ApplicationRow, editor: Principal): Actor {
  if (row.channel === 'counter') return { kind: 'staff', id: editor.accountId, organisation: row.agency_code };
  return { kind: 'system', id: 'applications.prefill', organisation: row.agency_code };
}

/** The prefill step of a draft, for whoever fills it in (the person online, or the clerk at the counter). */
export function createPrefillSteps(deps: StepsDeps) {
  const { prefill } = deps;

  async function draftRow(id: string, editor: Principal): Promise<{ row: ApplicationRow; version: ServiceVersion }> {
    const row = await deps.find(id);
    if (!row) throw notFound();
    if (row.submitted_by !== editor.accountId) throw notFound('not-owner');
    if (row.status !== 'draft') throw new TongbanError(ApplicationsErrors.TB_APPLICATIONS_NOT_A_DRAFT);
    return { row, version: await deps.service(row) };
  }

  return {
    /** What the prefill page shows; 404 when the service does not prefill. */
    async prefillPlan(id: string, editor: Principal): Promise<PrefillPlan> {
      const { row, version } = await draftRow(id, editor);
      const plan = await prefill.plan(version, formOf(version), row.applicant_id_number);
      if (!plan) throw notFound();
      return plan;
    },

    /** Records the choice on the prefill page and, when chosen and allowed, fills the answers in. */
    async decidePrefill(id: string, editor: Principal, input: { choice: 'prefill' | 'self'; locale: Locale; requestId?: string }): Promise<PrefillResult> {
      const { row, version } = await draftRow(id, editor);
      return prefill.decide({
        row, version, form: formOf(version), editor, choice: input.choice, locale: input.locale, ctx: deps.ctx(),
        consentActor: submitActor(row.channel, editor, row.agency_code), reader: readerOf(row, editor),
        ...(input.requestId ? { requestId: input.requestId } : {}),
      });
    },

    /**
     * "Report wrong data" about answers that came from the registry: the items must be ones that
     * were filled in, and a description is needed. Opens a task for the registry's owner.
     */
    async reportWrongData(id: string, editor: Principal, input: { fields: readonly string[]; description: string; requestId?: string }): Promise<{ taskId: string }> {
      const { row, version } = await draftRow(id, editor);
      const decided = await prefill.decisionFor(row.id);
      const filled = new Map((decided?.outcome === 'filled' ? decided.fields : []).map((f) => [f.field, f.item]));
      if (filled.size === 0) throw notFound();
      const fields = input.fields.filter((f) => filled.has(f));
      const description = input.description.trim();
      const problems = [
        ...(fields.length === 0 ? [{ pointer: '/fields', message: 'applications.report.fieldsRequired', detail: 'Select the answers that are wrong' }] : []),
        ...(description === '' || description.length > DESCRIPTION_MAX
          ? [{ pointer: '/description', message: 'applications.report.descriptionRequired', detail: `Say what is wrong in at most ${DESCRIPTION_MAX} characters` }] : []),
      ];
      if (problems.length > 0) throw new TongbanError(ApplicationsErrors.TB_APPLICATIONS_REPORT_INVALID, { fields: problems });
      return prefill.reportWrongData({
        row, version, items: fields.map((f) => filled.get(f) ?? f), description, reporter: editor.accountId, actor: submitActor(row.channel, editor, row.agency_code),
        ...(input.requestId ? { requestId: input.requestId } : {}),
      });
    },
  };
}
