import { hasRole } from '../../kernel/auth/index.js';
import { translate, type Locale } from '../../kernel/i18n/index.js';
import type { ApplicationsService, CasePanel } from '../applications/service.js';
import type { CertificateSummary } from './service.js';
import './messages.js';

const DATE: Record<Locale, Intl.DateTimeFormat> = {
  'zh-CN': new Intl.DateTimeFormat('zh-CN', { dateStyle: 'long', timeZone: 'Asia/Shanghai' }),
  en: new Intl.DateTimeFormat('en-GB', { dateStyle: 'long', timeZone: 'Asia/Shanghai' }),
};

/** The certificate's state in a line: valid since…, or revoked on… because…. */
export function stateLine(certificate: CertificateSummary, locale: Locale): string {
  return certificate.revokedAt
    ? translate(locale, 'documents.state.revokedOn', { date: DATE[locale].format(certificate.revokedAt), reason: certificate.revokeReason ?? '' })
    : translate(locale, 'documents.state.validSince', { date: DATE[locale].format(certificate.issuedAt) });
}

/**
 * The certificate's sections on the application's pages: for the applicant, download and check;
 * for staff, its state and (officers of the issuing agency) the way to revoke it.
 */
export function addCertificatePanels(
  applications: Pick<ApplicationsService, 'addPanel'>,
  documents: { forApplication(applicationId: string): Promise<CertificateSummary | undefined>; hasUnprintable(id: string): Promise<boolean> },
): void {
  applications.addPanel('applicant', async ({ application, locale }): Promise<CasePanel | null> => {
    const certificate = await documents.forApplication(application.id);
    if (!certificate) return null;
    const t = (key: string) => translate(locale, key);
    return {
      id: 'certificate',
      heading: t('documents.panel.applicantHeading'),
      lines: [certificate.title[locale], stateLine(certificate, locale)],
      links: [
        { href: `/documents/${certificate.id}/pdf`, text: t('documents.panel.download') },
        { href: `/verify/${certificate.id}`, text: t('documents.panel.check') },
        { href: '/documents', text: t('documents.panel.all') },
      ],
      tone: certificate.revokedAt ? 'warning' : 'success',
    };
  });

  applications.addPanel('staff', async ({ application, viewer, locale }): Promise<CasePanel | null> => {
    const certificate = await documents.forApplication(application.id);
    if (!certificate) return null;
    const t = (key: string) => translate(locale, key);
    const mayRevoke = !certificate.revokedAt && hasRole(viewer, ['officer', 'supervisor'], certificate.agency);
    return {
      id: 'certificate',
      heading: t('documents.panel.staffHeading'),
      // The officer who approved is told here when the PDF has to print 〓 for some characters.
      lines: [certificate.title[locale], stateLine(certificate, locale), ...(await documents.hasUnprintable(certificate.id) ? [t('documents.panel.unprintable')] : [])],
      links: [
        { href: `/verify/${certificate.id}`, text: t('documents.panel.check') },
        ...(mayRevoke ? [{ href: `/backoffice/certificates/${certificate.id}/revoke`, text: t('documents.panel.revoke') }] : []),
      ],
      tone: certificate.revokedAt ? 'warning' : 'info',
    };
  });
}
