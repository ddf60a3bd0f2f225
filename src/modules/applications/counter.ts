import { compileForm, type CompiledForm, type FieldError, type Posted, type RawValue, type Text } from '../../forms/index.js';
import { hasRole, type Principal } from '../../kernel/auth/index.js';
import type { Kernel } from '../../kernel/context.js';
import { TongbanError } from '../../kernel/http/index.js';
import { translate, type Locale } from '../../kernel/i18n/index.js';
import type { CatalogService, ServiceVersion } from '../catalog/service.js';
import { ApplicationsErrors } from './errors.js';
import { formContext } from './journey.js';
import type { Application } from './model.js';
import type { Channel } from './store.js';

export const COUNTER_PAGE = 'counter';

export type CounterStart =
  | { readonly ok: true; readonly application: Application }
  | { readonly ok: false; readonly errors: readonly FieldError[]; readonly raw: Readonly<Record<string, RawValue>> };

interface CounterDeps {
  readonly kernel: Kernel;
  readonly catalog: Pick<CatalogService, 'getCurrentService' | 'searchServices' | 'listAgencies'>;
  readonly createDraft: (input: { service: ServiceVersion; editor: Principal; channel: Channel; applicantAccountId: string | null; idNumber: string | null; locale: Locale }) => Promise<Application>;
}

const text = (key: string): Text => ({ en: translate('en', key), 'zh-CN': translate('zh-CN', key) });

/**
 * The counter channel: a clerk names the person by resident ID number and picks a service; the
 * draft that follows is filled in on the same pages as online, with channel `counter`.
 */
export function createCounter({ kernel, catalog, createDraft }: CounterDeps) {
  const requireClerk = (clerk: Principal) => {
    if (!hasRole(clerk, 'clerk')) throw new TongbanError('TB_KERNEL_FORBIDDEN', { detail: 'Only a clerk may start an application at a counter' });
  };

  /**
   * The first counter page as a form of the form engine, so the ID number gets its checks
   * (format, checksum, date of birth) and the page its rendering. Services of the clerk's own
   * agencies come first; any service may be chosen.
   */
  async function counterForm(clerk: Principal): Promise<CompiledForm> {
    const [services, agencies] = await Promise.all([catalog.searchServices({}), catalog.listAgencies()]);
    const own = new Set(clerk.roles.filter((r) => r.role === 'clerk').map((r) => r.agency));
    const agencyName = new Map(agencies.map((a) => [a.code, a.name]));
    const ordered = [...services.filter((s) => own.has(s.agencyCode)), ...services.filter((s) => !own.has(s.agencyCode))];
    return compileForm({
      pages: [{
        id: COUNTER_PAGE,
        title: text('applications.counter.title'),
        fields: [
          { id: 'resident_id', type: 'resident-id', label: text('applications.counter.residentId'), hint: text('applications.counter.residentIdHint') },
          {
            id: 'service', type: 'single-choice', display: 'select', label: text('applications.counter.service'),
            options: ordered.map((s) => {
              const agency = agencyName.get(s.agencyCode);
              return { value: s.id, label: { en: `${s.name.en}${agency ? ` (${agency.en})` : ''}`, 'zh-CN': `${s.name['zh-CN']}${agency ? `（${agency['zh-CN']}）` : ''}` } };
            }),
          },
        ],
      }],
    });
  }

  return {
    counterForm: async (clerk: Principal) => { requireClerk(clerk); return counterForm(clerk); },

    /** Checks the counter page and opens (or resumes) the clerk's draft for that person and service. */
    async startCounter(clerk: Principal, body: Posted, locale: Locale): Promise<CounterStart> {
      requireClerk(clerk);
      const form = await counterForm(clerk);
      const read = form.readPage(COUNTER_PAGE, body, {}, formContext(kernel.now()));
      if (read.errors.length > 0) return { ok: false, errors: read.errors, raw: read.raw };
      const idNumber = read.answers.resident_id;
      const serviceId = read.answers.service;
      if (typeof idNumber !== 'string' || typeof serviceId !== 'string') throw new TongbanError(ApplicationsErrors.TB_APPLICATIONS_COUNTER_INVALID);
      const service = await catalog.getCurrentService(serviceId);
      if (!service) throw new TongbanError(ApplicationsErrors.TB_APPLICATIONS_SERVICE_UNAVAILABLE);
      const application = await createDraft({ service, editor: clerk, channel: 'counter', applicantAccountId: null, idNumber, locale });
      return { ok: true, application };
    },
  };
}
