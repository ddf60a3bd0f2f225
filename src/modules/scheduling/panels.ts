import { translate, type Locale } from '../../kernel/i18n/index.js';
import type { ApplicationsService, CasePanel, PanelInput } from '../applications/service.js';
import { formatWhen } from './format.js';
import './messages.js';
import type { AppointmentSummary } from './model.js';

const bookHref = (applicationId: string) => `/applications/${applicationId}/appointment/hall`;

function appointmentLines(a: AppointmentSummary, locale: Locale): string[] {
  const t = (key: string, params: Record<string, string | number> = {}) => translate(locale, key, params);
  const lines = [
    t('scheduling.panel.when', { when: formatWhen(a.startsAt, locale) }),
    t('scheduling.panel.where', { hall: a.hallName[locale], address: a.hallAddress[locale] }),
    t('scheduling.panel.reference', { reference: a.reference }),
  ];
  if (a.ticket) lines.push(t('scheduling.panel.ticket', { ticket: a.ticket.label }));
  return lines;
}

/**
 * The sections scheduling adds to an application's pages: for the applicant, "book an
 * appointment" or the appointment with links to change or cancel it; for staff, the appointment.
 */
export function registerSchedulingPanels(
  applications: Pick<ApplicationsService, 'addPanel'>,
  scheduling: { appointmentFor(applicationId: string): Promise<AppointmentSummary | undefined> },
): void {
  applications.addPanel('applicant', async (input: PanelInput): Promise<CasePanel | null> => {
    if (!input.definition.inPerson.required) return null;
    const { locale } = input;
    const t = (key: string) => translate(locale, key);
    const id = input.application.id;
    const appointment = await scheduling.appointmentFor(id);
    if (appointment) {
      const open = appointment.status === 'booked' && !input.case.final;
      return {
        id: 'appointment', heading: t('scheduling.panel.booked'), tone: 'info', lines: appointmentLines(appointment, locale),
        links: open ? [{ href: bookHref(id), text: t('scheduling.panel.change') }, { href: `/applications/${id}/appointment/cancel`, text: t('scheduling.panel.cancel') }] : [],
      };
    }
    if (input.case.final) return null;
    const description = input.definition.inPerson.description?.[locale];
    return {
      id: 'appointment', heading: t('scheduling.panel.book'), tone: 'warning',
      lines: [...(description ? [description] : []), t('scheduling.panel.bookHint')],
      links: [{ href: bookHref(id), text: t('scheduling.panel.bookLink') }],
    };
  });

  applications.addPanel('staff', async (input: PanelInput): Promise<CasePanel | null> => {
    if (!input.definition.inPerson.required) return null;
    const { locale } = input;
    const appointment = await scheduling.appointmentFor(input.application.id);
    if (!appointment) return { id: 'appointment', heading: translate(locale, 'scheduling.panel.staffHeading'), lines: [translate(locale, 'scheduling.panel.staffNone')], links: [] };
    return {
      id: 'appointment', heading: translate(locale, 'scheduling.panel.staffHeading'), tone: appointment.status === 'checked_in' ? 'success' : 'info',
      lines: [translate(locale, `scheduling.status.${appointment.status}`), ...appointmentLines(appointment, locale)], links: [],
    };
  });
}
