import {
  BackLink, Button, CSRF_FIELD, ErrorSummary, InsetText, Layout, NotificationBanner, Radios, renderPage, Select, SummaryList, Table, Tag, Textarea, TextInput,
} from '../../ui/index.js';
import './messages.js';
import type { Posted } from './forms.js';
import { LAWFUL_BASES } from './model.js';
import { AgreementFacts, time, type AgencyNames, type PageContext } from './pages-person.js';
import type { DataAgreement } from './service.js';

export const ADMIN_PATH = '/admin/consent';
export const editHref = (id: string) => `${ADMIN_PATH}/${encodeURIComponent(id)}/edit`;
export const retireHref = (id: string) => `${ADMIN_PATH}/${encodeURIComponent(id)}/retire`;

export interface ShownError { readonly field: string; readonly text: string }

/** `/admin/consent`: the agreements of the administrator's agencies (all of them for a platform administrator). */
export function renderAdminPage(ctx: PageContext, data: { agreements: readonly DataAgreement[]; agencies: AgencyNames; done?: 'saved' | 'retired' | undefined }): string {
  const { t, locale } = ctx;
  const title = t('consent.admin.title');
  return renderPage(
    <Layout {...ctx} title={title}>
      {data.done ? <NotificationBanner type="success">{t(`consent.admin.done.${data.done}`)}</NotificationBanner> : null}
      <h1 class="tb-heading-xl">{title}</h1>
      <p class="tb-body">{t('consent.admin.intro')}</p>
      <Button href={`${ADMIN_PATH}/new`} variant="secondary">{t('consent.admin.add')}</Button>
      {data.agreements.length === 0 ? <p class="tb-body">{t('consent.admin.none')}</p> : (
        <Table caption={t('consent.admin.caption')} firstCellIsHeader
          head={[t('consent.admin.id'), t('consent.admin.purpose'), t('consent.admin.controller'), t('consent.admin.basis'), t('consent.admin.version'), t('consent.admin.status'), t('consent.admin.actions')]}
          rows={data.agreements.map((a) => [
            <code>{a.id}</code>, a.purpose[locale], data.agencies[a.controller]?.[locale] ?? a.controller,
            a.needsConsent ? t('consent.admin.basisConsent') : t(`consent.lawfulBasis.${a.lawfulBasis}`), String(a.version),
            a.active ? <Tag colour="green">{t('consent.admin.active')}</Tag> : <Tag colour="grey">{t('consent.admin.retired')}</Tag>,
            a.active ? (
              <span class="tb-button-group">
                <a href={editHref(a.id)}>{t('consent.admin.edit')}<span class="tb-visually-hidden"> {a.id}</span></a>
                <a href={retireHref(a.id)}>{t('consent.admin.retire')}<span class="tb-visually-hidden"> {a.id}</span></a>
              </span>
            ) : '',
          ])} />
      )}
    </Layout>,
  );
}

const raw = (posted: Posted, name: string): string => {
  const value = posted[name];
  return (Array.isArray(value) ? value[0] : value) ?? '';
};

export interface FormData {
  readonly editing?: DataAgreement | undefined;
  readonly versions?: readonly DataAgreement[] | undefined;
  readonly controllers: readonly { code: string; name: string }[];
  readonly values: Posted;
  readonly errors: readonly ShownError[];
}

/** Add or edit an agreement; an edit saves a new version and says when consent will be asked again. */
export function renderAgreementForm(ctx: PageContext, data: FormData): string {
  const { t, locale } = ctx;
  const { editing } = data;
  const v = (name: string) => raw(data.values, name);
  const e = (name: string) => data.errors.find((x) => x.field === name)?.text;
  const title = editing ? t('consent.admin.editTitle', { id: editing.id }) : t('consent.admin.add');
  const controllers = [{ value: '', text: t('consent.admin.choose') }, ...data.controllers.map((c) => ({ value: c.code, text: `${c.name} (${c.code})` }))];
  return renderPage(
    <Layout {...ctx} title={title} hasErrors={data.errors.length > 0} beforeContent={<BackLink href={ADMIN_PATH} text={t('consent.admin.back')} />}>
      <ErrorSummary errors={data.errors.map((x) => ({ fieldId: x.field, text: x.text }))} />
      <h1 class="tb-heading-xl">{title}</h1>
      {editing ? <InsetText>{t('consent.admin.versionHint', { version: editing.version + 1 })}</InsetText> : null}
      <form method="post" action={editing ? editHref(editing.id) : `${ADMIN_PATH}/new`} novalidate>
        <input type="hidden" name={CSRF_FIELD} value={ctx.csrfToken} />
        {editing ? <SummaryList rows={[{ key: t('consent.admin.id'), value: <code>{editing.id}</code> }]} /> : (
          <TextInput name="id" label={t('consent.admin.id')} hint={t('consent.admin.idHint')} value={v('id')} error={e('id')} width={30} spellcheck={false} />
        )}
        <Select name="controller" label={t('consent.admin.controller')} items={controllers} value={v('controller')} error={e('controller')} />
        <Textarea name="purposeZh" label={t('consent.admin.purposeZh')} hint={t('consent.admin.purposeHint')} value={v('purposeZh')} error={e('purposeZh')} rows={3} />
        <Textarea name="purposeEn" label={t('consent.admin.purposeEn')} value={v('purposeEn')} error={e('purposeEn')} rows={3} />
        <Radios name="lawfulBasis" label={t('consent.admin.lawfulBasis')} hint={t('consent.admin.lawfulBasisHint')} value={v('lawfulBasis')} error={e('lawfulBasis')}
          items={LAWFUL_BASES.map((b) => ({ value: b, text: t(`consent.lawfulBasis.${b}`) }))} />
        <TextInput name="legalBasisZh" label={t('consent.admin.legalBasisZh')} hint={t('consent.admin.legalBasisHint')} value={v('legalBasisZh')} error={e('legalBasisZh')} />
        <TextInput name="legalBasisEn" label={t('consent.admin.legalBasisEn')} value={v('legalBasisEn')} error={e('legalBasisEn')} />
        <Textarea name="items" label={t('consent.admin.items')} hint={t('consent.admin.itemsHint')} value={v('items')} error={e('items')} rows={5} spellcheck={false} />
        <TextInput name="retentionZh" label={t('consent.admin.retentionZh')} value={v('retentionZh')} error={e('retentionZh')} />
        <TextInput name="retentionEn" label={t('consent.admin.retentionEn')} value={v('retentionEn')} error={e('retentionEn')} />
        <TextInput name="consentDays" label={t('consent.admin.consentDays')} hint={t('consent.admin.consentDaysHint')} value={v('consentDays')} error={e('consentDays')} width={4} inputmode="numeric" />
        <Button>{t('consent.admin.save')}</Button>
      </form>
      {data.versions && data.versions.length > 0 ? (
        <Table caption={t('consent.admin.versions')} captionSize="m" firstCellIsHeader
          head={[t('consent.admin.version'), t('consent.admin.savedAt'), t('consent.admin.purpose'), t('consent.admin.consentFrom')]}
          rows={data.versions.map((x) => [String(x.version), time(locale, x.createdAt), x.purpose[locale], x.needsConsent ? String(x.consentFromVersion) : t('consent.admin.noConsent')])} />
      ) : null}
    </Layout>,
  );
}

/** The confirmation before retiring an agreement. */
export function renderRetirePage(ctx: PageContext, agreement: DataAgreement, agencies: AgencyNames): string {
  const { t, locale } = ctx;
  const title = t('consent.admin.retireTitle', { id: agreement.id });
  return renderPage(
    <Layout {...ctx} title={title} beforeContent={<BackLink href={ADMIN_PATH} text={t('consent.admin.back')} />}>
      <h1 class="tb-heading-xl">{title}</h1>
      <p class="tb-body">{agreement.purpose[locale]}</p>
      <AgreementFacts ctx={ctx} agreement={agreement} agencies={agencies} />
      <p class="tb-body">{t('consent.admin.retireEffect')}</p>
      <form method="post" action={retireHref(agreement.id)} novalidate>
        <input type="hidden" name={CSRF_FIELD} value={ctx.csrfToken} />
        <div class="tb-button-group">
          <Button variant="warning">{t('consent.admin.retireConfirm')}</Button>
          <a href={ADMIN_PATH}>{t('consent.admin.cancel')}</a>
        </div>
      </form>
    </Layout>,
  );
}
