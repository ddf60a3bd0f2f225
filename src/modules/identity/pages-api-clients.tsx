import type { VNode } from 'preact';
import { dateTimeFormat } from '../../kernel/i18n/intl.js';
import {
  BackLink, Button, Checkboxes, CSRF_FIELD, ErrorSummary, InsetText, Layout, NotificationBanner, renderPage, SummaryList, Table, Tag, TextInput, type LayoutProps,
} from '../../ui/index.js';
import { reauthenticateHref } from '../../kernel/auth/index.js';
import { declaredScopes } from '../../kernel/auth/machine/index.js';
import type { ApiClient } from './api-clients.js';
import './messages.js';

export const API_CLIENTS_PATH = '/admin/api-clients';
export type ClientVerb = 'disable' | 'enable';
export const changeClientHref = (clientId: string, verb: ClientVerb) => `${API_CLIENTS_PATH}/${encodeURIComponent(clientId)}/${verb}`;
export const editClientHref = (clientId: string) => `${API_CLIENTS_PATH}/${encodeURIComponent(clientId)}/edit`;

export type PageContext = Pick<LayoutProps, 'locale' | 't' | 'currentPath' | 'user' | 'csrfToken'> & {
  /** This page's address, where signing in again comes back to. */
  readonly returnTo: string;
};

/** Instead of a change's form, when the administrator's sign-in is not recent: sign in again first (ASVS 5.0 7.5.3). */
function SignInAgain({ ctx }: { ctx: PageContext }): VNode {
  return (
    <>
      <InsetText>{ctx.t('identity.clients.reauthenticate')}</InsetText>
      <Button href={reauthenticateHref(ctx.returnTo)}>{ctx.t('identity.clients.signInAgain')}</Button>
    </>
  );
}
export type ClientsDone = 'disabled' | 'enabled' | 'changed' | 'unchanged';

/** What the edit form posted (shown again with its errors) and a message next to a field. */
export interface EditValues { readonly name: string; readonly scopes: readonly string[] }
export interface ShownError { readonly field: 'name' | 'scopes'; readonly text: string }

const when = (ctx: PageContext, at: Date) =>
  dateTimeFormat(ctx.locale === 'zh-CN' ? 'zh-CN' : 'en-GB', { dateStyle: 'medium', timeStyle: 'short', timeZone: 'Asia/Shanghai' }).format(at);
const keyIds = (client: ApiClient) => client.keys.map((k) => k.kid ?? '?');

function State({ ctx, client }: { ctx: PageContext; client: ApiClient }): VNode {
  return client.enabled ? <Tag colour="green">{ctx.t('identity.clients.enabled')}</Tag> : <Tag colour="grey">{ctx.t('identity.clients.disabled')}</Tag>;
}

/**
 * Every API client of the platform, for platform administrators: which system, for which agency or
 * mediator subsystem, with which scopes and keys, and whether it may get access tokens.
 */
export function renderClientsPage(ctx: PageContext, data: { clients: readonly ApiClient[]; done?: ClientsDone | undefined }): string {
  const { t } = ctx;
  return renderPage(
    <Layout {...ctx} title={t('identity.clients.title')}>
      {data.done ? <NotificationBanner type={data.done === 'unchanged' ? 'important' : 'success'}>{t(`identity.clients.done.${data.done}`)}</NotificationBanner> : null}
      <h1 class="tb-heading-xl">{t('identity.clients.title')}</h1>
      <p class="tb-body">{t('identity.clients.intro')}</p>
      <p class="tb-body">{t('identity.clients.register')} <code>tongban clients add</code></p>
      {data.clients.length === 0 ? <p class="tb-body">{t('identity.clients.none')}</p> : (
        <Table caption={t('identity.clients.caption', { count: data.clients.length })} captionSize="m" firstCellIsHeader
          head={[t('identity.clients.system'), t('identity.clients.organisation'), t('identity.clients.scopes'), t('identity.clients.keys'), t('identity.clients.state'), t('identity.clients.action')]}
          rows={data.clients.map((c) => {
            const verb: ClientVerb = c.enabled ? 'disable' : 'enable';
            return [
              <>{c.name}<br /><code>{c.clientId}</code></>,
              <code>{c.organisation}</code>,
              <>{c.scopes.map((s, i) => <>{i > 0 ? ' ' : null}<code>{s}</code></>)}</>,
              keyIds(c).join(', '),
              <State ctx={ctx} client={c} />,
              <>
                <a href={editClientHref(c.clientId)}>{t('identity.clients.edit')}<span class="tb-visually-hidden"> {c.name}</span></a><br />
                <a href={changeClientHref(c.clientId, verb)}>{t(`identity.clients.${verb}`)}<span class="tb-visually-hidden"> {c.name}</span></a>
              </>,
            ];
          })} />
      )}
    </Layout>,
  );
}

/** Asks before switching a client off (or on again), saying what it means for the system. */
export function renderChangeClientPage(ctx: PageContext, client: ApiClient, verb: ClientVerb, mayChange: boolean): string {
  const { t } = ctx;
  const title = t(`identity.clients.${verb}Title`, { name: client.name });
  return renderPage(
    <Layout {...ctx} title={title} beforeContent={<BackLink href={API_CLIENTS_PATH} text={t('identity.clients.back')} />}>
      <h1 class="tb-heading-xl">{title}</h1>
      <SummaryList rows={[
        { key: t('identity.clients.clientId'), value: <code>{client.clientId}</code> },
        { key: t('identity.clients.organisation'), value: <code>{client.organisation}</code> },
        { key: t('identity.clients.scopes'), value: client.scopes.join(' ') },
        { key: t('identity.clients.keys'), value: keyIds(client).join(', ') },
        { key: t('identity.clients.state'), value: <State ctx={ctx} client={client} /> },
        { key: t('identity.clients.updated'), value: when(ctx, client.updatedAt) },
      ]} />
      <p class="tb-body">{t(`identity.clients.${verb}Text`)}</p>
      {mayChange ? (
        <form method="post" action={changeClientHref(client.clientId, verb)}>
          <input type="hidden" name={CSRF_FIELD} value={ctx.csrfToken} />
          <Button variant={verb === 'disable' ? 'warning' : undefined}>{t(`identity.clients.${verb}Confirm`)}</Button>
        </form>
      ) : <SignInAgain ctx={ctx} />}
      <p class="tb-body"><a href={API_CLIENTS_PATH}>{t('identity.clients.cancel')}</a></p>
    </Layout>,
  );
}

/**
 * Changes a system's name and the scopes it may ask for. Its id, agency and keys stay as registered:
 * keys are rolled by the operator (`tongban clients add-key`) or, for a mediator subsystem, in the
 * mediator registry. Works without JavaScript: a refused form comes back with what was typed.
 */
export function renderEditClientPage(ctx: PageContext, client: ApiClient, form: { values: EditValues; errors: readonly ShownError[]; mayChange: boolean }): string {
  const { t } = ctx;
  const title = t('identity.clients.editTitle', { name: client.name });
  const errorOf = (field: ShownError['field']) => form.errors.filter((e) => e.field === field).map((e) => e.text).join(' ') || undefined;
  return renderPage(
    <Layout {...ctx} title={title} hasErrors={form.errors.length > 0} beforeContent={<BackLink href={API_CLIENTS_PATH} text={t('identity.clients.back')} />}>
      <ErrorSummary errors={form.errors.map((e) => ({ fieldId: e.field, text: e.text }))} />
      <h1 class="tb-heading-xl">{title}</h1>
      <SummaryList rows={[
        { key: t('identity.clients.clientId'), value: <code>{client.clientId}</code> },
        { key: t('identity.clients.organisation'), value: <code>{client.organisation}</code> },
        { key: t('identity.clients.keys'), value: keyIds(client).join(', ') },
        { key: t('identity.clients.state'), value: <State ctx={ctx} client={client} /> },
      ]} />
      {form.mayChange ? (
        <form method="post" action={editClientHref(client.clientId)} novalidate>
          <input type="hidden" name={CSRF_FIELD} value={ctx.csrfToken} />
          <TextInput name="name" label={t('identity.clients.nameLabel')} value={form.values.name} error={errorOf('name')} />
          <Checkboxes name="scopes" label={t('identity.clients.scopesLabel')} hint={t('identity.clients.scopesHint')} value={form.values.scopes} error={errorOf('scopes')}
            items={scopeItems(ctx, client)} />
          <Button>{t('identity.clients.save')}</Button>
        </form>
      ) : <SignInAgain ctx={ctx} />}
      <p class="tb-body"><a href={API_CLIENTS_PATH}>{t('identity.clients.cancel')}</a></p>
    </Layout>,
  );
}

/** The form's values for a client as it is. */
export const editValuesOf = (client: ApiClient): EditValues => ({ name: client.name, scopes: client.scopes });

/**
 * One box per scope some service checks, with what it lets a system do; and any scope the client
 * holds that nothing checks any more, ticked, so that saving keeps it unless it is unticked.
 */
function scopeItems(ctx: PageContext, client: ApiClient): { value: string; text: string; hint: string }[] {
  const locale = ctx.locale === 'en' ? 'en' : 'zh-CN';
  const declared = declaredScopes();
  const stale = client.scopes.filter((scope) => !declared.some((d) => d.scope === scope));
  return [
    ...declared.map((d) => ({ value: d.scope, text: d.scope, hint: d.text[locale] })),
    ...stale.map((scope) => ({ value: scope, text: scope, hint: ctx.t('identity.clients.scopeStale') })),
  ];
}
