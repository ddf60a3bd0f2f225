import type { VNode } from 'preact';
import {
  BackLink, Button, Checkboxes, CSRF_FIELD, ErrorSummary, Layout, NotificationBanner, Pagination, Select, SummaryList, Table, Tag, Textarea,
  renderPage, type LayoutProps, type Translate,
} from '../../ui/index.js';
import type { LocalizedText } from '../catalog/service.js';
import { actionLabel, Deadline, formatDateTime, roleLabel } from './deadline.js';
import type { Note, QueuePage } from './service.js';
import type { CaseView } from './view.js';

export type PageContext = Pick<LayoutProps, 'locale' | 't' | 'currentPath' | 'user' | 'csrfToken'>;

/** Who did what, by account id: names are looked up by the plugin. */
export type Names = ReadonlyMap<string, string>;

export interface QueueFilters {
  readonly status: string;
  readonly show: readonly string[];
  readonly sort: 'due' | 'submitted';
}

export interface QueuePageData {
  readonly result: QueuePage;
  readonly filters: QueueFilters;
  readonly statuses: readonly { id: string; name: LocalizedText }[];
  readonly agencies: readonly string[];
  readonly serviceNames: ReadonlyMap<string, string>;
  readonly names: Names;
  readonly me: string;
  readonly now: Date;
  readonly isSupervisor: boolean;
  readonly pageHref: (page: number) => string;
}

function assigneeText(ctx: PageContext, assignee: string | null, names: Names, me: string): string {
  if (assignee === null) return ctx.t('workflow.assignee.nobody');
  if (assignee === me) return ctx.t('workflow.assignee.you');
  return names.get(assignee) ?? assignee;
}

export function renderQueuePage(ctx: PageContext, data: QueuePageData): string {
  const { t, locale } = ctx;
  const { result, filters } = data;
  const statusItems = [
    { value: '', text: t('workflow.queue.anyOpen') }, { value: 'closed', text: t('workflow.queue.closed') }, { value: 'all', text: t('workflow.queue.all') },
    ...data.statuses.map((s) => ({ value: `status:${s.id}`, text: s.name[locale] })),
  ];
  const showItems = [
    { value: 'mine', text: t('workflow.queue.assignedToMe') }, { value: 'overdue', text: t('workflow.queue.overdue') },
    ...(data.isSupervisor ? [{ value: 'supervisor', text: t('workflow.queue.needsSupervisor') }] : []),
  ];
  const rows = result.items.map((c) => [
    <a href={`/backoffice/cases/${c.id}`} key="ref">{c.reference ?? c.id.slice(0, 8)}</a>,
    data.serviceNames.get(`${c.serviceId}@${c.serviceVersion}`) ?? c.serviceId,
    <Tag key="status" colour={c.final ? 'grey' : undefined}>{c.statusName[locale]}</Tag>,
    formatDateTime(c.submittedAt, locale),
    <Deadline key="due" t={t} locale={locale} item={c} now={data.now} />,
    assigneeText(ctx, c.assignee, data.names, data.me),
  ]);
  const pages = Array.from({ length: result.pages }, (_, i) => ({ number: i + 1, href: data.pageHref(i + 1), current: i + 1 === result.page }));
  return renderPage(
    <Layout {...ctx} title={t('workflow.queue.title')}>
      <span class="tb-caption">{t('workflow.queue.agencies', { agencies: data.agencies.join(', ') })}</span>
      <h1 class="tb-heading-xl">{t('workflow.queue.title')}</h1>
      <form method="get" action="/backoffice">
        <h2 class="tb-heading-m">{t('workflow.queue.filters')}</h2>
        <Select name="status" label={t('workflow.queue.status')} items={statusItems} value={filters.status} />
        <Checkboxes name="show" label={t('workflow.queue.show')} items={showItems} value={filters.show} />
        <Select name="sort" label={t('workflow.queue.sort')} value={filters.sort}
          items={[{ value: 'due', text: t('workflow.queue.sortDue') }, { value: 'submitted', text: t('workflow.queue.sortSubmitted') }]} />
        <Button variant="secondary">{t('workflow.queue.apply')}</Button>
      </form>
      <p class="tb-body" role="status">{t('workflow.queue.count', { count: result.total })}</p>
      {rows.length === 0 ? <p class="tb-body">{t('workflow.queue.empty')}</p> : (
        <Table caption={t('workflow.queue.title')} captionSize="m" rows={rows} head={[
          t('workflow.queue.reference'), t('workflow.queue.service'), t('workflow.queue.status'),
          t('workflow.queue.submitted'), t('workflow.queue.due'), t('workflow.queue.assignee'),
        ]} />
      )}
      {result.pages > 1 ? (
        <Pagination pages={pages}
          previousHref={result.page > 1 ? data.pageHref(result.page - 1) : undefined}
          nextHref={result.page < result.pages ? data.pageHref(result.page + 1) : undefined} />
      ) : null}
    </Layout>,
  );
}

export interface CasePageData {
  readonly view: CaseView;
  readonly serviceName: string;
  readonly agencyName: string;
  readonly names: Names;
  readonly me: string;
  readonly now: Date;
  readonly notes: readonly Note[];
  /** What this member of staff may do, and whether each needs a reason. */
  readonly actions: readonly { readonly action: string; readonly needsReason: boolean }[];
  readonly application: VNode | null;
  readonly done?: string | undefined;
  readonly noted?: boolean | undefined;
  readonly stale?: boolean | undefined;
  /** The case of this member of staff's own application: they are told another must handle it. */
  readonly ownApplication?: boolean | undefined;
  /** A posted form that came back with an error, and what was typed. */
  readonly error?: { readonly field: string; readonly text: string; readonly value: string } | undefined;
}

/** `label` is what the action is called: the reason label names it; the error text does not. */
function reasonLabels(t: Translate, action: string, label = action): { label: string; hint?: string; error: string } {
  if (action === 'request_info') return { label: t('workflow.act.questionLabel'), hint: t('workflow.act.questionHint'), error: t('workflow.error.questionRequired') };
  if (action === 'reject') return { label: t('workflow.act.rejectLabel'), hint: t('workflow.act.rejectHint'), error: t('workflow.error.reasonRequired') };
  return { label: t('workflow.act.reasonLabel', { action: label }), error: t('workflow.error.reasonRequired') };
}

export const reasonFieldId = (action: string) => `reason-${action}`;
export const NOTE_FIELD_ID = 'note-text';

/** The error text of a form field, for the plugin to put in `CasePageData.error`. */
export function reasonError(t: Translate, action: string): string {
  return reasonLabels(t, action).error;
}

function ActionForm(props: { ctx: PageContext; caseId: string; action: string; label: string; needsReason: boolean; error: CasePageData['error'] }): VNode {
  const { ctx, action } = props;
  const labels = reasonLabels(ctx.t, action, props.label);
  const id = reasonFieldId(action);
  const mine = props.error?.field === id ? props.error : undefined;
  const variant = action === 'reject' ? 'warning' : action === 'release' ? 'secondary' : undefined;
  return (
    <form method="post" action={`/backoffice/cases/${props.caseId}/act`} novalidate>
      <input type="hidden" name={CSRF_FIELD} value={ctx.csrfToken} />
      <input type="hidden" name="action" value={action} />
      {props.needsReason ? <Textarea name="reason" id={id} label={labels.label} hint={labels.hint} error={mine?.text} value={mine?.value} rows={3} /> : null}
      <Button variant={variant}>{props.label}</Button>
    </form>
  );
}

export function renderCasePage(ctx: PageContext, data: CasePageData): string {
  const { t, locale } = ctx;
  const { view } = data;
  const reference = view.reference ?? view.id.slice(0, 8);
  const title = t('workflow.case.title', { reference });
  const stateName = (id: string | null) => (id === null ? '' : view.definition.states.find((s) => s.id === id)?.name[locale] ?? id);
  const label = (action: string) => actionLabel(t, locale, view.definition, action);
  const who = (h: CaseView['history'][number]) => {
    const role = roleLabel(t, h.actor.role);
    if (h.actor.id === data.me) return `${role} (${t('workflow.assignee.you')})`;
    const name = h.actor.kind === 'staff' ? data.names.get(h.actor.id) : undefined;
    return name ? `${role} (${name})` : role;
  };
  const summary = [
    { key: t('workflow.queue.service'), value: data.serviceName },
    { key: t('workflow.case.agency'), value: data.agencyName },
    { key: t('workflow.queue.status'), value: <Tag colour={view.final ? 'grey' : undefined}>{view.statusName[locale]}</Tag> },
    { key: t('workflow.queue.assignee'), value: assigneeText(ctx, view.assignee, data.names, data.me) },
    { key: t('workflow.queue.submitted'), value: formatDateTime(view.submittedAt, locale) },
    { key: t('workflow.queue.due'), value: <Deadline t={t} locale={locale} item={view} now={data.now} /> },
  ];
  return renderPage(
    <Layout {...ctx} title={title} hasErrors={data.error !== undefined}
      beforeContent={<BackLink href="/backoffice" text={t('workflow.case.back')} />}>
      <ErrorSummary errors={data.error ? [{ fieldId: data.error.field, text: data.error.text }] : []} />
      {data.stale ? <NotificationBanner>{t('workflow.case.stale')}</NotificationBanner> : null}
      {data.ownApplication ? <NotificationBanner>{t('workflow.error.ownApplication')}</NotificationBanner> : null}
      {data.done ? <NotificationBanner type="success">{t('workflow.case.done', { action: label(data.done) })}</NotificationBanner> : null}
      {data.noted ? <NotificationBanner type="success">{t('workflow.notes.added')}</NotificationBanner> : null}
      <span class="tb-caption">{data.serviceName}</span>
      <h1 class="tb-heading-xl">{title}</h1>
      <h2 class="tb-visually-hidden">{t('workflow.case.summary')}</h2>
      <SummaryList rows={summary} />

      <h2 class="tb-heading-l">{t('workflow.act.heading')}</h2>
      {data.actions.length === 0 ? <p class="tb-body">{t('workflow.act.none')}</p>
        : data.actions.map((a) => <ActionForm key={a.action} ctx={ctx} caseId={view.id} action={a.action} label={label(a.action)} needsReason={a.needsReason} error={data.error} />)}

      <h2 class="tb-heading-l">{t('workflow.case.application')}</h2>
      {data.application ?? <p class="tb-body">{t('workflow.case.noApplication')}</p>}

      <Table caption={t('workflow.case.history')} captionSize="m"
        head={[t('workflow.case.when'), t('workflow.case.what'), t('workflow.case.who'), t('workflow.queue.status'), t('workflow.case.reason')]}
        rows={[...view.history].reverse().map((h) => [
          formatDateTime(h.at, locale), label(h.action), who(h),
          h.from === null || h.from === h.to ? stateName(h.to) : `${stateName(h.from)} → ${stateName(h.to)}`, h.reason ?? '',
        ])} />

      <h2 class="tb-heading-l">{t('workflow.notes.heading')}</h2>
      <p class="tb-body">{t('workflow.notes.hint')}</p>
      {data.notes.length === 0 ? <p class="tb-body">{t('workflow.notes.none')}</p> : (
        <ul class="tb-list">
          {data.notes.map((n) => (
            <li key={n.id}>
              <p class="tb-body"><strong>{data.names.get(n.authorId) ?? n.authorId}</strong>, {formatDateTime(n.at, locale)}</p>
              <p class="tb-body">{n.text}</p>
            </li>
          ))}
        </ul>
      )}
      <form method="post" action={`/backoffice/cases/${view.id}/notes`} novalidate>
        <input type="hidden" name={CSRF_FIELD} value={ctx.csrfToken} />
        <Textarea name="text" id={NOTE_FIELD_ID} label={t('workflow.notes.label')} rows={3}
          error={data.error?.field === NOTE_FIELD_ID ? data.error.text : undefined}
          value={data.error?.field === NOTE_FIELD_ID ? data.error.value : undefined} />
        <Button variant="secondary">{t('workflow.notes.submit')}</Button>
      </form>
    </Layout>,
  );
}

