import type { VNode } from 'preact';
import { hasRole, PLATFORM_AGENCY, SESSIONS_PATH, type Principal } from '../../kernel/auth/index.js';
import { SummaryList } from '../../ui/components/summary-list.js';
import { Table } from '../../ui/components/table.js';
import { Layout, type LayoutProps } from '../../ui/layout.js';
import { renderPage } from '../../ui/render.js';
import './messages.js';
import { API_CLIENTS_PATH } from './pages-api-clients.js';
import type { Account } from './service.js';

type PageContext = Pick<LayoutProps, 'locale' | 't' | 'currentPath'> & { readonly csrfToken: string };

/** The signed-in account: who you are and the roles you hold. */
export function renderAccountPage(context: PageContext, principal: Principal, account: Account): string {
  const { t } = context;
  const title = t('identity.account.title');
  const rows = [
    { key: t('identity.account.name'), value: account.name },
    { key: t('identity.account.kind'), value: t(`identity.account.kind.${account.kind}`) },
    ...(account.organisation ? [{ key: t('identity.account.organisation'), value: `${account.organisation.name} (${account.organisation.code})` }] : []),
  ];
  return renderPage(
    <Layout {...context} title={title} user={{ name: principal.name }}>
      <h1 class="tb-heading-l">{title}</h1>
      <SummaryList rows={rows} />
      <Roles context={context} principal={principal} />
      {/* The consent module's page: agreements that touch this person, consent given and withdrawn. */}
      <p class="tb-body"><a href="/account/consent">{t('identity.account.consent')}</a></p>
      {/* The privacy module's page: every use of this person's data by others (docs/adr/0024-who-used-my-data.md). */}
      <p class="tb-body"><a href="/my-data/accesses">{t('identity.account.usage')}</a></p>
      {/* The privacy module's copy of everything the platform holds about this person (PIPL art. 45). */}
      <p class="tb-body"><a href="/my-data/copy">{t('identity.account.copy')}</a></p>
      <p class="tb-body"><a href="/account/close">{t('identity.account.close')}</a></p>
      {/* The kernel's page of this person's sessions: where they are signed in, and signing out the others. */}
      <p class="tb-body"><a href={SESSIONS_PATH}>{t('identity.account.sessions')}</a></p>
      {hasRole(principal, 'platform_admin') ? <p class="tb-body"><a href={API_CLIENTS_PATH}>{t('identity.clients.title')}</a></p> : null}
    </Layout>,
  );
}

function Roles({ context, principal }: { context: PageContext; principal: Principal }): VNode {
  const { t } = context;
  if (principal.roles.length === 0) return <p class="tb-body">{t('identity.account.noRoles')}</p>;
  return (
    <Table
      caption={t('identity.account.roles')}
      captionSize="m"
      head={[t('identity.account.agency'), t('identity.account.role')]}
      rows={principal.roles.map((r) => [r.agency === PLATFORM_AGENCY ? t('identity.account.platform') : r.agency, t(`auth.role.${r.role}`)])}
    />
  );
}
