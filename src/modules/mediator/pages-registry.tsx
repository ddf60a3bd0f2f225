import type { ComponentChildren, VNode } from 'preact';
import {
  BackLink, Button, Checkboxes, CSRF_FIELD, ErrorSummary, Layout, NotificationBanner, renderPage, Select, SummaryList, Table, Tag, Textarea, TextInput,
} from '../../ui/index.js';
import './messages.js';
import type { PageContext } from './pages.js';
import { METHOD_CHOICES, text, ticked, type Posted } from './registry-forms.js';
import { dateTimeFormat } from '../../kernel/i18n/intl.js';
import { groupedFingerprint } from './certificates.js';
import type { CertificateRow, MemberRow, RightRow, ServiceRow, SubsystemKey, SubsystemRow } from './service.js';

export const REGISTRY_PATH = '/admin/mediator/registry';
export const editServiceHref = (id: string) => `${REGISTRY_PATH}/services/edit?id=${encodeURIComponent(id)}`;
export const revokeHref = (id: string) => `${REGISTRY_PATH}/rights/${id}/revoke`;
export const removeCertificateHref = (sha256: string) => `${REGISTRY_PATH}/certificates/${sha256}/remove`;
export const removeKeyHref = (key: Pick<SubsystemKey, 'subsystemId' | 'kid'>) =>
  `${REGISTRY_PATH}/keys/remove?subsystem=${encodeURIComponent(key.subsystemId)}&kid=${encodeURIComponent(key.kid)}`;

/** A certificate this close to its end is flagged, so its renewal is registered in time. */
const RENEW_WITHIN_MS = 30 * 86_400_000;
const DAY: Intl.DateTimeFormatOptions = { dateStyle: 'medium', timeZone: 'Asia/Shanghai' };

export interface ShownError { readonly field: string; readonly text: string }

export interface RegistryPageData {
  readonly members: readonly MemberRow[];
  readonly subsystems: readonly SubsystemRow[];
  readonly services: readonly ServiceRow[];
  readonly rights: readonly RightRow[];
  readonly certificates: readonly CertificateRow[];
  /** The access-token keys of the administrator's subsystems (ADR 47). */
  readonly keys: readonly SubsystemKey[];
  /** The clock that says which certificates have expired or soon will. */
  readonly now: Date;
  readonly done?: 'subsystem' | 'service' | 'grant' | 'revoke' | 'certificate' | 'certificateRemoved' | 'key' | 'keyRemoved' | undefined;
}

/** `/admin/mediator/registry`: the members an administrator may manage, and what they offer and allow. */
export function renderRegistryPage(ctx: PageContext, data: RegistryPageData): string {
  const { t } = ctx;
  const yesNo = (value: boolean) => (value ? t('mediator.admin.yes') : t('mediator.admin.no'));
  const done = {
    subsystem: t('mediator.admin.done.subsystem'), service: t('mediator.admin.done.service'), grant: t('mediator.admin.done.grant'), revoke: t('mediator.admin.done.revoke'),
    certificate: t('mediator.admin.done.certificate'), certificateRemoved: t('mediator.admin.done.certificateRemoved'),
    key: t('mediator.admin.done.key'), keyRemoved: t('mediator.admin.done.keyRemoved'),
  };
  const none = <p class="tb-body">{t('mediator.admin.none')}</p>;
  const validity = (c: CertificateRow) => {
    const left = c.not_after.getTime() - data.now.getTime();
    if (left <= 0) return <Tag colour="red">{t('mediator.admin.expired')}</Tag>;
    if (c.not_before.getTime() > data.now.getTime()) return <Tag colour="yellow">{t('mediator.admin.notYetValid')}</Tag>;
    return left <= RENEW_WITHIN_MS ? <Tag colour="yellow">{t('mediator.admin.renewSoon')}</Tag> : null;
  };
  return renderPage(
    <Layout {...ctx} title={t('mediator.admin.title')}>
      {data.done ? <NotificationBanner type="success">{done[data.done]}</NotificationBanner> : null}
      <h1 class="tb-heading-xl">{t('mediator.admin.title')}</h1>
      <p class="tb-body">{t('mediator.admin.intro')} <a href="/admin/mediator">{t('mediator.admin.traffic')}</a></p>
      {data.members.length === 0 ? <p class="tb-body">{t('mediator.admin.noMembers')}</p> : (
        <Table caption={t('mediator.admin.members')} captionSize="m" firstCellIsHeader head={[t('mediator.admin.member'), t('mediator.admin.name'), t('mediator.admin.agency')]}
          rows={data.members.map((m) => [<code>{m.id}</code>, m.name, m.agency])} />
      )}

      <h2 class="tb-heading-l">{t('mediator.admin.subsystems')}</h2>
      {data.members.length > 0 ? <Button href={`${REGISTRY_PATH}/subsystems/new`} variant="secondary">{t('mediator.admin.addSubsystem')}</Button> : null}
      {data.subsystems.length === 0 ? none : (
        <Table caption={t('mediator.admin.subsystems')} firstCellIsHeader head={[t('mediator.admin.subsystem'), t('mediator.admin.name'), t('mediator.admin.clientId')]}
          rows={data.subsystems.map((s) => [<code>{s.id}</code>, s.name, s.client_id ? <code>{s.client_id}</code> : t('mediator.admin.clientNone')])} />
      )}

      <h2 class="tb-heading-l">{t('mediator.admin.services')}</h2>
      {data.subsystems.length > 0 ? <Button href={`${REGISTRY_PATH}/services/new`} variant="secondary">{t('mediator.admin.addService')}</Button> : null}
      {data.services.length === 0 ? none : (
        <Table caption={t('mediator.admin.services')} firstCellIsHeader
          head={[t('mediator.admin.service'), t('mediator.admin.baseUrl'), t('mediator.admin.consent'), t('mediator.admin.bodies'), t('mediator.admin.actions')]}
          rows={data.services.map((s) => [
            <code>{s.id}</code>, <code>{s.base_url}</code>, s.needs_consent ? `${yesNo(true)} (${s.agreement_id ?? ''})` : yesNo(false), yesNo(s.store_bodies),
            <a href={editServiceHref(s.id)}>{t('mediator.admin.edit')}<span class="tb-visually-hidden"> {s.id}</span></a>,
          ])} />
      )}

      <h2 class="tb-heading-l">{t('mediator.admin.rights')}</h2>
      {data.services.length > 0 ? <Button href={`${REGISTRY_PATH}/rights/new`} variant="secondary">{t('mediator.admin.grant')}</Button> : null}
      {data.rights.length === 0 ? none : (
        <Table caption={t('mediator.admin.rights')}
          head={[t('mediator.admin.service'), t('mediator.admin.client'), t('mediator.admin.method'), t('mediator.admin.path'), t('mediator.admin.actions')]}
          rows={data.rights.map((r) => [
            <code>{r.service_id}</code>, <code>{r.client_id}</code>, <code>{r.method}</code>, <code>{r.path}</code>,
            <a href={revokeHref(r.id)}>{t('mediator.admin.revoke')}<span class="tb-visually-hidden"> {`${r.method} ${r.path} ${r.client_id}`}</span></a>,
          ])} />
      )}

      <h2 class="tb-heading-l">{t('mediator.admin.certificates')}</h2>
      <p class="tb-body">{t('mediator.admin.certificatesIntro')}</p>
      {data.subsystems.length > 0 ? <Button href={`${REGISTRY_PATH}/certificates/new`} variant="secondary">{t('mediator.admin.addCertificate')}</Button> : null}
      {data.certificates.length === 0 ? none : (
        <Table caption={t('mediator.admin.certificates')}
          head={[t('mediator.admin.subsystem'), t('mediator.admin.fingerprint'), t('mediator.admin.certSubject'), t('mediator.admin.validUntil'), t('mediator.admin.actions')]}
          rows={data.certificates.map((c) => [
            <code>{c.subsystem_id}</code>, <code>{groupedFingerprint(c.sha256)}</code>, c.subject, [<time dateTime={c.not_after.toISOString()}>{dateTimeFormat(ctx.locale, DAY).format(c.not_after)}</time>, ' ', validity(c)],
            <a href={removeCertificateHref(c.sha256)}>{t('mediator.admin.remove')}<span class="tb-visually-hidden"> {`${c.subsystem_id} ${c.subject}`}</span></a>,
          ])} />
      )}

      <h2 class="tb-heading-l">{t('mediator.admin.keys')}</h2>
      <p class="tb-body">{t('mediator.admin.keysIntro')}</p>
      {data.subsystems.length > 0 ? <Button href={`${REGISTRY_PATH}/keys/new`} variant="secondary">{t('mediator.admin.addKey')}</Button> : null}
      {data.keys.length === 0 ? none : (
        <Table caption={t('mediator.admin.keys')}
          head={[t('mediator.admin.subsystem'), t('mediator.admin.clientId'), t('mediator.admin.keyId'), t('mediator.admin.keyType'), t('mediator.admin.actions')]}
          rows={data.keys.map((k) => [
            <code>{k.subsystemId}</code>, <code>{k.clientId}</code>, <code>{k.kid}</code>, k.type,
            // A subsystem's last key cannot be removed (add its new key first): no link to a refusal.
            data.keys.filter((other) => other.subsystemId === k.subsystemId).length > 1
              ? <a href={removeKeyHref(k)}>{t('mediator.admin.remove')}<span class="tb-visually-hidden"> {`${k.subsystemId} ${k.kid}`}</span></a>
              : '',
          ])} />
      )}
    </Layout>,
  );
}

interface FormProps {
  readonly ctx: PageContext; readonly title: string; readonly action: string; readonly errors: readonly ShownError[]; readonly children: ComponentChildren;
  /** The list the form belongs to, and its back link's text (the registry's by default). */
  readonly backTo?: string;
  readonly backText?: string;
}

export function FormPage({ ctx, title, action, errors, children, backTo = REGISTRY_PATH, backText }: FormProps): VNode {
  return (
    <Layout {...ctx} title={title} hasErrors={errors.length > 0} beforeContent={<BackLink href={backTo} text={backText ?? ctx.t('mediator.admin.back')} />}>
      <ErrorSummary errors={errors.map((e) => ({ fieldId: e.field, text: e.text }))} />
      <h1 class="tb-heading-xl">{title}</h1>
      <form method="post" action={action} novalidate>
        <input type="hidden" name={CSRF_FIELD} value={ctx.csrfToken} />
        {children}
        <Button>{ctx.t('mediator.admin.save')}</Button>
      </form>
    </Layout>
  );
}

export const errorOf = (errors: readonly ShownError[], field: string) => errors.find((e) => e.field === field)?.text;
export const choose = (ctx: PageContext, ids: readonly { id: string; name: string }[]) => [{ value: '', text: ctx.t('mediator.admin.choose') }, ...ids.map((x) => ({ value: x.id, text: `${x.name} (${x.id})` }))];

export function renderSubsystemForm(ctx: PageContext, data: { members: readonly MemberRow[]; values: Posted; errors: readonly ShownError[] }): string {
  const { t } = ctx;
  const v = (name: string) => text(data.values, name);
  const e = (name: string) => errorOf(data.errors, name);
  return renderPage(
    <FormPage ctx={ctx} title={t('mediator.admin.addSubsystem')} action={`${REGISTRY_PATH}/subsystems/new`} errors={data.errors}>
      <Select name="member" label={t('mediator.admin.member')} items={choose(ctx, data.members)} value={v('member')} error={e('member')} />
      <TextInput name="code" label={t('mediator.admin.code')} hint={t('mediator.admin.codeHint')} value={v('code')} error={e('code')} width={20} spellcheck={false} />
      <TextInput name="name" label={t('mediator.admin.name')} value={v('name')} error={e('name')} />
      <TextInput name="clientId" label={t('mediator.admin.clientIdLabel')} hint={t('mediator.admin.clientIdHint')} value={v('clientId')} error={e('clientId')} width={30} spellcheck={false} />
    </FormPage>,
  );
}

export function renderServiceForm(ctx: PageContext, data: { subsystems: readonly SubsystemRow[]; editing?: ServiceRow | undefined; values: Posted; errors: readonly ShownError[] }): string {
  const { t } = ctx;
  const v = (name: string) => text(data.values, name);
  const e = (name: string) => errorOf(data.errors, name);
  const editing = data.editing;
  const options = ['needsConsent', 'storeBodies'].filter((o) => ticked(data.values, 'options', o));
  const fixed = editing ? [
    <SummaryList rows={[{ key: t('mediator.admin.subsystem'), value: <code>{editing.subsystem_id}</code> }, { key: t('mediator.admin.code'), value: <code>{editing.code}</code> }]} />,
    <input type="hidden" name="subsystem" value={editing.subsystem_id} />,
    <input type="hidden" name="code" value={editing.code} />,
  ] : [
    <Select name="subsystem" label={t('mediator.admin.subsystem')} items={choose(ctx, data.subsystems)} value={v('subsystem')} error={e('subsystem')} />,
    <TextInput name="code" label={t('mediator.admin.code')} hint={t('mediator.admin.codeHint')} value={v('code')} error={e('code')} width={20} spellcheck={false} />,
  ];
  return renderPage(
    <FormPage ctx={ctx} title={editing ? t('mediator.admin.editService', { id: editing.id }) : t('mediator.admin.addService')}
      action={editing ? editServiceHref(editing.id) : `${REGISTRY_PATH}/services/new`} errors={data.errors}>
      {fixed}
      <TextInput name="name" label={t('mediator.admin.name')} value={v('name')} error={e('name')} />
      <TextInput name="baseUrl" type="url" label={t('mediator.admin.baseUrl')} hint={t('mediator.admin.baseUrlHint')} value={v('baseUrl')} error={e('baseUrl')} spellcheck={false} />
      <Textarea name="openapi" label={t('mediator.admin.openapi')} hint={t('mediator.admin.openapiHint')} value={v('openapi')} error={e('openapi')} rows={10} spellcheck={false} />
      <Checkboxes name="options" label={t('mediator.admin.options')} value={options} items={[
        { value: 'needsConsent', text: t('mediator.admin.needsConsent'), hint: t('mediator.admin.needsConsentHint') },
        { value: 'storeBodies', text: t('mediator.admin.storeBodies'), hint: t('mediator.admin.storeBodiesHint') },
      ]} />
      <TextInput name="agreementId" label={t('mediator.admin.agreementId')} hint={t('mediator.admin.agreementIdHint')} value={v('agreementId')} error={e('agreementId')} width={30} spellcheck={false} />
      <TextInput name="timeoutMs" label={t('mediator.admin.timeout')} hint={t('mediator.admin.timeoutHint')} value={v('timeoutMs')} error={e('timeoutMs')} width={10} inputmode="numeric" />
    </FormPage>,
  );
}

export function renderRightForm(ctx: PageContext, data: { services: readonly ServiceRow[]; clients: readonly SubsystemRow[]; values: Posted; errors: readonly ShownError[] }): string {
  const { t } = ctx;
  const v = (name: string) => text(data.values, name);
  const e = (name: string) => errorOf(data.errors, name);
  const methods = METHOD_CHOICES.map((m) => ({ value: m, text: m === '*' ? t('mediator.admin.methodAny') : m }));
  return renderPage(
    <FormPage ctx={ctx} title={t('mediator.admin.grant')} action={`${REGISTRY_PATH}/rights/new`} errors={data.errors}>
      <Select name="service" label={t('mediator.admin.service')} items={choose(ctx, data.services)} value={v('service')} error={e('service')} />
      <Select name="client" label={t('mediator.admin.client')} hint={t('mediator.admin.clientHint')} items={choose(ctx, data.clients)} value={v('client')} error={e('client')} />
      <Select name="method" label={t('mediator.admin.method')} items={methods} value={v('method') || 'GET'} error={e('method')} />
      <TextInput name="path" label={t('mediator.admin.path')} hint={t('mediator.admin.pathHint')} value={v('path')} error={e('path')} spellcheck={false} />
    </FormPage>,
  );
}

interface ConfirmProps {
  readonly ctx: PageContext; readonly title: string; readonly action: string; readonly confirm: string; readonly children: ComponentChildren;
  readonly backTo?: string;
  readonly backText?: string;
}

/** Asks before a change that refuses a system's next call: the warning button posts, the link goes back. */
export function ConfirmPage({ ctx, title, action, confirm, children, backTo = REGISTRY_PATH, backText }: ConfirmProps): VNode {
  return (
    <Layout {...ctx} title={title} beforeContent={<BackLink href={backTo} text={backText ?? ctx.t('mediator.admin.back')} />}>
      <h1 class="tb-heading-xl">{title}</h1>
      {children}
      <form method="post" action={action}>
        <input type="hidden" name={CSRF_FIELD} value={ctx.csrfToken} />
        <Button variant="warning">{confirm}</Button>
      </form>
      <p class="tb-body"><a href={backTo}>{ctx.t('mediator.admin.cancel')}</a></p>
    </Layout>
  );
}

export function renderRevokePage(ctx: PageContext, right: RightRow): string {
  const { t } = ctx;
  return renderPage(
    <ConfirmPage ctx={ctx} title={t('mediator.admin.revokeTitle')} action={revokeHref(right.id)} confirm={t('mediator.admin.revokeConfirm')}>
      <p class="tb-body">{t('mediator.admin.revokeText', { client: right.client_id, method: right.method, path: right.path, service: right.service_id })}</p>
    </ConfirmPage>,
  );
}
