import type { VNode } from 'preact';
import { BackLink, Layout, renderPage, Table } from '../../ui/index.js';
import './messages.js';
import './pubsub-messages.js';
import type { PageContext } from './pages.js';
import { timeOf, TRAFFIC_PATH } from './pages-exchanges.js';
import { subsystemIdsOf, type PubSubOverview } from './service.js';

export const PUBSUB_PATH = `${TRAFFIC_PATH}/pubsub`;

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
 * stuck shows here. Read only: systems manage both through the GovStack PubSub API.
 */
export function renderPubSubPage(ctx: PageContext, overview: PubSubOverview): string {
  const { t, locale } = ctx;
  const title = t('mediator.pubsub.title');
  return renderPage(
    <Layout {...ctx} title={title} beforeContent={<BackLink href={TRAFFIC_PATH} text={t('mediator.exchange.back')} />}>
      <h1 class="tb-heading-l">{title}</h1>
      <p class="tb-body">{t('mediator.pubsub.intro')}</p>
      <h2 class="tb-heading-m">{t('mediator.pubsub.types')}</h2>
      {overview.eventTypes.length === 0 ? <p class="tb-body">{t('mediator.pubsub.noTypes')}</p> : (
        <Table
          caption={t('mediator.pubsub.typesCaption')}
          head={[t('mediator.pubsub.room'), t('mediator.pubsub.eventType'), t('mediator.pubsub.publishers'), t('mediator.pubsub.subscribers'), t('mediator.pubsub.defined')]}
          rows={overview.eventTypes.map((type) => [
            <code class="tb-break">{type.room}</code>, <code>{type.event_type}</code>,
            <Allowed ctx={ctx} listed={subsystemIdsOf(type.publishers)} />, <Allowed ctx={ctx} listed={subsystemIdsOf(type.subscribers)} />,
            <time dateTime={type.created_at.toISOString()}>{timeOf(locale, type.created_at)}</time>,
          ])}
        />
      )}
      <h2 class="tb-heading-m">{t('mediator.pubsub.subscriptions')}</h2>
      {overview.subscriptions.length === 0 ? <p class="tb-body">{t('mediator.pubsub.noSubscriptions')}</p> : (
        <Table
          caption={t('mediator.pubsub.subscriptionsCaption')}
          head={[t('mediator.pubsub.subscriber'), t('mediator.pubsub.eventType'), t('mediator.pubsub.delivery'), { text: t('mediator.pubsub.ttl'), numeric: true },
            t('mediator.pubsub.fifo'), { text: t('mediator.pubsub.waiting'), numeric: true }, { text: t('mediator.pubsub.expired'), numeric: true }, t('mediator.pubsub.lastError')]}
          rows={overview.subscriptions.map((s) => [
            <code class="tb-break">{s.subscriber}</code>,
            <><code>{s.event_type}</code> <span class="tb-hint">{t('mediator.pubsub.inRoom', { room: s.room })}</span></>,
            s.push_service === null ? t('mediator.pubsub.pull') : <>{t('mediator.pubsub.push')} <code class="tb-break">{s.push_service}</code></>,
            { text: s.ttl_seconds, numeric: true },
            s.fifo ? t('mediator.pubsub.yes') : t('mediator.pubsub.no'),
            { text: s.waiting, numeric: true }, { text: s.expired, numeric: true },
            s.last_error ?? t('mediator.pubsub.none'),
          ])}
        />
      )}
    </Layout>,
  );
}
