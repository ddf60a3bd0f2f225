import { hasRole, type Principal, type StaffRole } from '../../kernel/auth/index.js';

/** A page of the back office, and the roles its guard lets in (the authorisation matrix says the same). */
export interface StaffLink { readonly href: string; readonly label: string; readonly roles: readonly StaffRole[] }

/**
 * The staff pages of every module, so that staff find their work from the home page rather than
 * by typing addresses. Each module keeps its own guard; `home-staff.test.ts` opens every link as
 * each demo persona who is shown it, and checks nobody is shown a page their roles do not open.
 */
export const STAFF_LINKS: readonly StaffLink[] = [
  { href: '/counter', label: 'applications.home.counter', roles: ['clerk'] },
  { href: '/counter/visits', label: 'applications.home.work.visits', roles: ['clerk'] },
  { href: '/payments/counter', label: 'applications.home.work.payments', roles: ['clerk'] },
  { href: '/counter/ratings', label: 'applications.home.work.ratings', roles: ['clerk'] },
  { href: '/backoffice', label: 'applications.home.work.cases', roles: ['officer'] },
  { href: '/backoffice/follow-ups', label: 'applications.home.work.followUps', roles: ['officer', 'agency_admin'] },
  { href: '/payments/reconciliation', label: 'applications.home.work.reconciliation', roles: ['officer', 'agency_admin', 'platform_admin'] },
  { href: '/admin/registries', label: 'applications.home.work.registries', roles: ['clerk', 'officer', 'agency_admin', 'platform_admin'] },
  { href: '/admin/consent', label: 'applications.home.work.agreements', roles: ['agency_admin', 'platform_admin'] },
  { href: '/admin/privacy/questions', label: 'applications.home.work.questions', roles: ['agency_admin', 'platform_admin'] },
  { href: '/admin/mediator/registry', label: 'applications.home.work.mediatorRegistry', roles: ['agency_admin', 'platform_admin'] },
  { href: '/admin/mediator', label: 'applications.home.work.mediatorTraffic', roles: ['agency_admin', 'platform_admin'] },
  { href: '/admin/api-clients', label: 'applications.home.work.apiClients', roles: ['platform_admin'] },
  { href: '/admin/outbox', label: 'applications.home.work.outbox', roles: ['platform_admin'] },
];

/** The staff pages this person may open (none for someone without a staff role). */
export const staffLinksFor = (principal: Principal | undefined): readonly StaffLink[] =>
  principal ? STAFF_LINKS.filter((link) => hasRole(principal, link.roles)) : [];
