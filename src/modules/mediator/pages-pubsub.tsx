import { pushFailureText } from './pubsub-failures.js';
import type { VNode } from 'preact';
import { BackLink, Button, Layout, NotificationBanner, renderPage, Select, Table, Textarea, TextInput } from '../../ui/index.js';
import './messages.js';
import './pubsub-messages.js';
import type { PageContext } from './pages.js';
import { timeOf, TRAFFIC_PATH } from './pages-exchanges.js';
import { choose, ConfirmPage, errorOf, FormPage, type ShownError } from './pages-registry.js';
import { text, type Posted } from './registry-forms.js';
import { subsystemIdsOf, type PubSubOverview, type SubsystemRow } from './service.js';
import type { EventTypeRow, SubscriptionRow } from './store-pubsub.js';

export const PUBSUB_PATH = `${TRAFFIC_PATH}/pubsub`;
export const NEW_TYPE_PATH = `${PUBSUB_PATH}/types/new`;
export const DELETE_TYPE_PATH = `${PUBSUB_PATH}/types/delete`;
export const cancelSubscriptionHref = (id: string) => `${PUBSUB_PATH}/subscriptions/${id}/cancel`;
export const deleteTypeHref = (type: Pick<EventTypeRow, 'room' | 'event_type'>) =>
  `${DELETE_TYPE_PATH}?room=${encodeURIComponent(type.room)}&type=${encodeURIComponent(type.event_type)}`;

/** What the page offers its reader: their agencies' subsystems (the rooms and subscribers they manage), and what was just done. */
export interface PubSubPageOptions {
  readonly rooms: ReadonlySet<string>;
  readonly done?: 'defined' | 'deleted' | 'cancelled' | undefined;
}

/** Who may publish or subscribe: the room member's own systems, and those the type names. */
function Allowed({ ctx, listed }: { ctx: PageContext; listed: readonly string[] }): VNode {
  return (
    <ul class="tb-list">
      <li>{ctx.t('mediator.pubsub.own')}</li>
      {listed.map((id) => <li key={id}><code class="tb-break">{id}</code></li>)}
    </ul>
  );
}

/**
 * `/admin/mediator/pubsub` (ADR 53): the event types of the rooms an agency runs or is named in,
 * and the subscriptions of and to its systems with the events waiting for them: where a push is
 * stuck shows here. An administrator defines and deletes the event types of their agency's rooms
 * (ADR 59); subscriptions stay with the systems, through the GovStack PubSub API.
 */
export function renderPubSubPage(ctx: PageContext, overview: PubSubOverview, options: PubSubPageOptions = { rooms: new Set() }): string {
  const { t, locale } = ctx;
  const title = t('mediator.pubsub.title');
  const manages = options.rooms.size > 0;
  return renderPage(
    <Layout {...ctx} title={title} beforeContent={<BackLink href={TRAFFIC_PATH} text={t('mediator.exchange.back')} />}>
      {options.done ? <NotificationBanner type="success">{t(`mediator.pubsub.done.${options.done}`)}</NotificationBanner> : null}
      <h1 class="tb-heading-l">{title}</h1>
      <p class="tb-body">{t('mediator.pubsub.intro')}</p>
      <h2 class="tb-heading-m">{t('mediator.pubsub.types')}</h2>
      {manages ? <Button href={NEW_TYPE_PATH} variant="secondary">{t('mediator.pubsub.define')}</Button> : null}
      {overview.eventTypes.length === 0 ? <p class="tb-body">{t('mediator.pubsub.noTypes')}</p> : (
        <Table
          caption={t('mediator.pubsub.typesCaption')}
          head={[t('mediator.pubsub.room'), t('mediator.pubsub.eventType'), t('mediator.pubsub.publishers'), t('mediator.pubsub.subscribers'), t('mediator.pubsub.defined'),
            ...(manages ? [t('mediator.pubsub.action')] : [])]}
          rows={overview.eventTypes.map((type) => [
            <code class="tb-break">{type.room}</code>, <code>{type.event_type}</code>,
            <Allowed ctx={ctx} listed={subsystemIdsOf(type.publishers)} />, <Allowed ctx={ctx} listed={subsystemIdsOf(type.subscribers)} />,
            <time dateTime={type.created_at.toISOString()}>{timeOf(locale, type.created_at)}</time>,
            ...(manages ? [options.rooms.has(type.room)
              ? <a href={deleteTypeHref(type)}>{t('mediator.pubsub.delete')}<span class="tb-visually-hidden"> {type.event_type}</span></a>
              : ''] : []),
          ])}
        />
      )}
      <h2 class="tb-heading-m">{t('mediator.pubsub.subscriptions')}</h2>
      {overview.subscriptions.length === 0 ? <p class="tb-body">{t('mediator.pubsub.noSubscriptions')}</p> : (
        <Table
          caption={t('mediator.pubsub.subscriptionsCaption')}
          head={[t('mediator.pubsub.subscriber'), t('mediator.pubsub.eventType'), t('mediator.pubsub.delivery'), { text: t('mediator.pubsub.ttl'), numeric: true },
            t('mediator.pubsub.fifo'), { text: t('mediator.pubsub.waiting'), numeric: true }, { text: t('mediator.pubsub.expired'), numeric: true }, t('mediator.pubsub.lastError'),
            ...(manages ? [t('mediator.pubsub.action')] : [])]}
          rows={overview.subscriptions.map((s) => [
            <code class="tb-break">{s.subscriber}</code>,
            <><code>{s.event_type}</code> <span class="tb-hint">{t('mediator.pubsub.inRoom', { room: s.room })}</span></>,
            s.push_service === null ? t('mediator.pubsub.pull') : <>{t('mediator.pubsub.push')} <code class="tb-break">{s.push_service}</code></>,
            { text: s.ttl_seconds, numeric: true },
            s.fifo ? t('mediator.pubsub.yes') : t('mediator.pubsub.no'),
            { text: s.waiting, numeric: true }, { text: s.expired, numeric: true },
            s.last_error === null ? t('mediator.pubsub.none') : pushFailureText(s.last_error, t),
            ...(manages ? [options.rooms.has(s.subscriber)
              ? <a href={cancelSubscriptionHref(s.id)}>{t('mediator.pubsub.cancel')}<span class="tb-visually-hidden"> {s.event_type}</span></a>
              : ''] : []),
          ])}
        />
      )}
    </Layout>,
  );
}

/** Defines an event type in one of the reader's rooms: its JSON Schema, and who besides the room's own systems may publish and subscribe. */
export function renderEventTypeForm(ctx: PageContext, data: { rooms: readonly SubsystemRow[]; values: Posted; errors: readonly ShownError[] }): string {
  const { t } = ctx;
  const v = (name: string) => text(data.values, name);
  const e = (name: string) => errorOf(data.errors, name);
  return renderPage(
    <FormPage ctx={ctx} title={t('mediator.pubsub.defineTitle')} action={NEW_TYPE_PATH} errors={data.errors} backTo={PUBSUB_PATH} backText={t('mediator.pubsub.back')}>
      <Select name="room" label={t('mediator.pubsub.room')} hint={t('mediator.pubsub.roomHint')} items={choose(ctx, data.rooms)} value={v('room')} error={e('room')} />
      <TextInput name="eventType" label={t('mediator.pubsub.eventType')} hint={t('mediator.pubsub.eventTypeHint')} value={v('eventType')} error={e('eventType')} width={20} spellcheck={false} />
      <Textarea name="schema" label={t('mediator.pubsub.schema')} hint={t('mediator.pubsub.schemaHint')} value={v('schema')} error={e('schema')} rows={12} spellcheck={false} />
      <Textarea name="publishers" label={t('mediator.pubsub.publishersLabel')} hint={t('mediator.pubsub.listHint')} value={v('publishers')} error={e('publishers')} rows={3} spellcheck={false} />
      <Textarea name="subscribers" label={t('mediator.pubsub.subscribersLabel')} hint={t('mediator.pubsub.listHint')} value={v('subscribers')} error={e('subscribers')} rows={3} spellcheck={false} />
    </FormPage>,
  );
}

/** Asks before an event type goes, with its subscriptions and the events still waiting for them. */
export function renderDeleteTypePage(ctx: PageContext, type: EventTypeRow): string {
  const { t } = ctx;
  return renderPage(
    <ConfirmPage ctx={ctx} title={t('mediator.pubsub.deleteTitle', { type: type.event_type })} action={deleteTypeHref(type)} confirm={t('mediator.pubsub.deleteConfirm')}
      backTo={PUBSUB_PATH} backText={t('mediator.pubsub.back')}>
      <p class="tb-body">{t('mediator.pubsub.deleteText', { type: type.event_type, room: type.room })}</p>
    </ConfirmPage>,
  );
}

/** Asks before a subscription of one of the reader's agency's systems is cancelled, with the events waiting for it. */
export function renderCancelSubscriptionPage(ctx: PageContext, subscription: SubscriptionRow): string {
  const { t } = ctx;
  return renderPage(
    <ConfirmPage ctx={ctx} title={t('mediator.pubsub.cancelTitle', { type: subscription.event_type })} action={cancelSubscriptionHref(subscription.id)}
      confirm={t('mediator.pubsub.cancelConfirm')} backTo={PUBSUB_PATH} backText={t('mediator.pubsub.back')}>
      <p class="tb-body">{t('mediator.pubsub.cancelText', { subscriber: subscription.subscriber, type: subscription.event_type, room: subscription.room })}</p>
    </ConfirmPage>,
  );
}
