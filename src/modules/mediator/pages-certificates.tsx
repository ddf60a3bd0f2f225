import { renderPage, Select, SummaryList, Textarea } from '../../ui/index.js';
import { groupedFingerprint } from './certificates.js';
import './messages.js';
import type { PageContext } from './pages.js';
import { choose, ConfirmPage, errorOf, FormPage, REGISTRY_PATH, removeCertificateHref, type ShownError } from './pages-registry.js';
import { text, type Posted } from './registry-forms.js';
import type { CertificateRow, SubsystemRow } from './service.js';

export const NEW_CERTIFICATE_PATH = `${REGISTRY_PATH}/certificates/new`;

/** Register a TLS client certificate for one of the administrator's subsystems (ADR 43). */
export function renderCertificateForm(ctx: PageContext, data: { subsystems: readonly SubsystemRow[]; values: Posted; errors: readonly ShownError[] }): string {
  const { t } = ctx;
  const e = (name: string) => errorOf(data.errors, name);
  return renderPage(
    <FormPage ctx={ctx} title={t('mediator.admin.addCertificate')} action={NEW_CERTIFICATE_PATH} errors={data.errors}>
      <Select name="subsystem" label={t('mediator.admin.subsystem')} hint={t('mediator.admin.certificateSubsystemHint')} items={choose(ctx, data.subsystems)}
        value={text(data.values, 'subsystem')} error={e('subsystem')} />
      <Textarea name="certificate" label={t('mediator.admin.certificate')} hint={t('mediator.admin.certificateHint')} value={text(data.values, 'certificate')}
        error={e('certificate')} rows={12} spellcheck={false} />
    </FormPage>,
  );
}

/** Asks before removing: a removed certificate refuses the system's next call. */
export function renderRemoveCertificatePage(ctx: PageContext, certificate: CertificateRow): string {
  const { t } = ctx;
  const fingerprint = groupedFingerprint(certificate.sha256);
  return renderPage(
    <ConfirmPage ctx={ctx} title={t('mediator.admin.removeCertificateTitle')} action={removeCertificateHref(certificate.sha256)} confirm={t('mediator.admin.removeCertificateConfirm')}>
      <SummaryList rows={[
        { key: t('mediator.admin.subsystem'), value: <code>{certificate.subsystem_id}</code> },
        { key: t('mediator.admin.certSubject'), value: certificate.subject },
        { key: t('mediator.admin.fingerprint'), value: <code>{fingerprint}</code> },
      ]} />
      <p class="tb-body">{t('mediator.admin.removeCertificateText', { subsystem: certificate.subsystem_id, fingerprint })}</p>
    </ConfirmPage>,
  );
}
