import type { Locale } from '../../kernel/i18n/index.js';
import {
  BackLink, Button, CSRF_FIELD, ErrorSummary, Layout, NotificationBanner, renderPage, SummaryList, Table, Textarea, TextInput, type LayoutProps,
} from '../../ui/index.js';
import './messages.js';
import type { CorrectionTask, LocalizedText, Registry, RegistryRecord } from './service.js';

export type PageContext = Pick<LayoutProps, 'locale' | 't' | 'currentPath' | 'user' | 'csrfToken'>;
export interface ShownError { readonly field: string; readonly text: string }

export const ADMIN_PATH = '/admin/registries';
export const TASKS_PATH = `${ADMIN_PATH}/corrections`;
export const lookupHref = (code: string) => `${ADMIN_PATH}/${encodeURIComponent(code)}/lookup`;
export const resolveHref = (id: string) => `${TASKS_PATH}/${id}/resolve`;

const TIME: Record<Locale, Intl.DateTimeFormat> = {
  'zh-CN': new Intl.DateTimeFormat('zh-CN', { dateStyle: 'medium', timeStyle: 'short', timeZone: 'Asia/Shanghai' }),
  en: new Intl.DateTimeFormat('en-GB', { dateStyle: 'medium', timeStyle: 'short', timeZone: 'Asia/Shanghai' }),
};
const local = (text: LocalizedText, locale: Locale) => text[locale];
/** A data item's title in the page's language. */
export type ItemTitle = (registry: Registry, item: string) => LocalizedText;

/** `/admin/registries`: the registries of the staff member's agencies, with their open reports. */
/** `mayLookUp`: whether the viewer is staff of the owner agency (a platform administrator is not). */
export function renderAdminPage(ctx: PageContext, data: { registries: readonly Registry[]; open: ReadonlyMap<string, number>; mayLookUp: (owner: string) => boolean }): string {
  const { t, locale } = ctx;
  return renderPage(
    <Layout {...ctx} title={t('registries.admin.title')}>
      <h1 class="tb-heading-xl">{t('registries.admin.title')}</h1>
      <p class="tb-body">{t('registries.admin.intro')}</p>
      {data.registries.length === 0 ? <p class="tb-body">{t('registries.admin.none')}</p> : (
        <Table caption={t('registries.admin.caption')} captionSize="m" firstCellIsHeader
          head={[t('registries.admin.registry'), t('registries.admin.owner'), t('registries.admin.corrections'), t('registries.admin.lookUp')]}
          rows={data.registries.map((r) => [
            local(r.name, locale), r.owner, t('registries.admin.openCount', { count: data.open.get(r.code) ?? 0 }),
            data.mayLookUp(r.owner) ? <a href={lookupHref(r.code)}>{t('registries.admin.lookUp')}<span class="tb-visually-hidden"> {local(r.name, locale)}</span></a> : '',
          ])} />
      )}
      <p class="tb-body"><a href={TASKS_PATH}>{t('registries.admin.corrections')}</a></p>
    </Layout>,
  );
}

export interface LookupData {
  readonly registry: Registry;
  readonly values: { readonly key?: string | undefined; readonly purpose?: string | undefined };
  readonly errors: readonly ShownError[];
  /** After a look-up: the record, or null when none has the key. */
  readonly result?: RegistryRecord | null | undefined;
  readonly title: ItemTitle;
}

/** `/admin/registries/:code/lookup`: a record by its key, with the purpose the read is recorded with. */
export function renderLookupPage(ctx: PageContext, data: LookupData): string {
  const { t, locale } = ctx;
  const { registry } = data;
  const title = t('registries.lookup.title', { registry: local(registry.name, locale) });
  const errorOf = (field: string) => data.errors.find((e) => e.field === field)?.text;
  return renderPage(
    <Layout {...ctx} title={title} hasErrors={data.errors.length > 0} beforeContent={<BackLink href={ADMIN_PATH} text={t('registries.lookup.back')} />}>
      <ErrorSummary errors={data.errors.map((e) => ({ fieldId: e.field, text: e.text }))} />
      <h1 class="tb-heading-xl">{title}</h1>
      <form method="post" action={lookupHref(registry.code)} novalidate>
        <input type="hidden" name={CSRF_FIELD} value={ctx.csrfToken} />
        <TextInput name="key" label={t('registries.lookup.key', { field: local(data.title(registry, registry.keyField), locale) })} hint={t('registries.lookup.keyHint')}
          value={data.values.key} error={errorOf('key')} width={20} spellcheck={false} />
        <Textarea name="purpose" label={t('registries.lookup.purpose')} hint={t('registries.lookup.purposeHint')} value={data.values.purpose} error={errorOf('purpose')} rows={2} />
        <Button>{t('registries.lookup.submit')}</Button>
      </form>
      {data.result === null ? <p class="tb-body" role="status">{t('registries.lookup.notFound')}</p> : null}
      {data.result ? (
        <section aria-labelledby="record-heading">
          <h2 class="tb-heading-l" id="record-heading">{t('registries.lookup.found')}</h2>
          <p class="tb-body">{t('registries.lookup.revision', { revision: data.result.revision, at: TIME[locale].format(data.result.modifiedAt) })}</p>
          <SummaryList rows={Object.entries(data.result.data).map(([item, value]) => ({
            key: local(data.title(registry, item), locale), value: typeof value === 'string' ? value : JSON.stringify(value),
          }))} />
        </section>
      ) : null}
    </Layout>,
  );
}

/** `/admin/registries/corrections`: open reports of wrong data for the staff member's agencies. */
export function renderTasksPage(ctx: PageContext, data: { tasks: readonly CorrectionTask[]; names: ReadonlyMap<string, LocalizedText>; done: boolean }): string {
  const { t, locale } = ctx;
  return renderPage(
    <Layout {...ctx} title={t('registries.tasks.title')} beforeContent={<BackLink href={ADMIN_PATH} text={t('registries.lookup.back')} />}>
      {data.done ? <NotificationBanner type="success">{t('registries.tasks.done')}</NotificationBanner> : null}
      <h1 class="tb-heading-xl">{t('registries.tasks.title')}</h1>
      <p class="tb-body">{t('registries.tasks.intro')}</p>
      {data.tasks.length === 0 ? <p class="tb-body">{t('registries.tasks.none')}</p> : (
        <Table caption={t('registries.tasks.caption')} captionSize="m"
          head={[t('registries.tasks.registry'), t('registries.tasks.key'), t('registries.tasks.items'), t('registries.tasks.description'), t('registries.tasks.reported'), t('registries.tasks.action')]}
          rows={data.tasks.map((task) => [
            data.names.get(task.registry)?.[locale] ?? task.registry, <code>{task.key}</code>, task.items.join(', '), task.description,
            <time dateTime={task.createdAt.toISOString()}>{TIME[locale].format(task.createdAt)}</time>,
            <a href={resolveHref(task.id)}>{t('registries.tasks.resolve')}<span class="tb-visually-hidden"> {task.key}</span></a>,
          ])} />
      )}
    </Layout>,
  );
}

/** `/admin/registries/corrections/:id/resolve`: close a report with a note of what was done. */
export function renderResolvePage(ctx: PageContext, data: { task: CorrectionTask; registryName: string; note: string; errors: readonly ShownError[] }): string {
  const { t } = ctx;
  const { task } = data;
  return renderPage(
    <Layout {...ctx} title={t('registries.tasks.resolveTitle')} hasErrors={data.errors.length > 0} beforeContent={<BackLink href={TASKS_PATH} text={t('registries.tasks.back')} />}>
      <ErrorSummary errors={data.errors.map((e) => ({ fieldId: e.field, text: e.text }))} />
      <h1 class="tb-heading-xl">{t('registries.tasks.resolveTitle')}</h1>
      <SummaryList rows={[
        { key: t('registries.tasks.registry'), value: data.registryName },
        { key: t('registries.tasks.key'), value: <code>{task.key}</code> },
        { key: t('registries.tasks.items'), value: task.items.join(', ') },
        { key: t('registries.tasks.description'), value: task.description },
      ]} />
      <form method="post" action={resolveHref(task.id)} novalidate>
        <input type="hidden" name={CSRF_FIELD} value={ctx.csrfToken} />
        <Textarea name="note" label={t('registries.tasks.note')} hint={t('registries.tasks.noteHint')} value={data.note} error={data.errors.find((e) => e.field === 'note')?.text} rows={3} />
        <Button>{t('registries.tasks.submit')}</Button>
      </form>
    </Layout>,
  );
}
