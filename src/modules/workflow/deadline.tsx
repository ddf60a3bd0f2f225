import type { VNode } from 'preact';
import type { Locale } from '../../kernel/i18n/index.js';
import { Tag, type Translate } from '../../ui/index.js';
import { countdown, dueDay, startOfShanghaiDay, type Holidays } from './calendar.js';
import { ACTION_LABELS, ROLE_LABELS } from './messages.js';
import type { WorkflowDefinition } from './derive.js';
import { actionName, type CaseSummary } from './view.js';

const TIME_ZONE = 'Asia/Shanghai';

export function formatDate(at: Date, locale: Locale): string {
  return new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeZone: TIME_ZONE }).format(at);
}

export function formatDateTime(at: Date, locale: Locale): string {
  return new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeStyle: 'short', timeZone: TIME_ZONE }).format(at);
}

/**
 * The action's label: the standard one for a built-in action, else the one the workflow (the
 * case's snapshot of it) gives the service's own action, else its id.
 */
export function actionLabel(t: Translate, locale: Locale, definition: WorkflowDefinition, action: string): string {
  const key = ACTION_LABELS[action];
  if (key) return t(key);
  return actionName(definition, action)?.[locale] ?? action;
}

export function roleLabel(t: Translate, role: string): string {
  const key = ROLE_LABELS[role];
  return key ? t(key) : role;
}

/** What a countdown says in words; colour never carries it alone. */
export function deadlineText(t: Translate, c: CaseSummary, now: Date, holidays?: Holidays): string {
  if (c.final) return t('workflow.due.closed');
  const left = countdown(now, c.dueAt, holidays);
  if (left.kind === 'overdue') return t('workflow.due.overdue', { count: left.days });
  if (left.kind === 'today') return t('workflow.due.today');
  return t('workflow.due.left', { count: left.workingDays });
}

/** The last day, the countdown, and tags for overdue and escalated cases. */
export function Deadline(props: { t: Translate; locale: Locale; item: CaseSummary; now: Date }): VNode {
  const { t, locale, item, now } = props;
  return (
    <>
      <span class="tb-body">{t('workflow.due.date', { date: formatDate(startOfShanghaiDay(dueDay(item.dueAt)), locale) })}</span>
      <br />
      <span>{deadlineText(t, item, now)}</span>
      {item.overdue ? <> <Tag colour="red">{t('workflow.tag.overdue')}</Tag></> : null}
      {item.escalated && !item.final ? <> <Tag colour="yellow">{t('workflow.tag.escalated')}</Tag></> : null}
    </>
  );
}
