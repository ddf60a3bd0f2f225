import { CONTACTS } from './contacts.js';
import type { HelpKey } from './messages.js';

/*
 * The information pages as data: headings, paragraphs, lists and contact details, each a message
 * key. One renderer (pages.tsx) turns them into markup, so every page has the same structure and
 * none needs raw HTML.
 */

/**
 * A way to reach someone: a phone number or address (never translated) with a note, or a link to
 * the page that explains it.
 */
export type ContactRow =
  | { readonly label: HelpKey; readonly address: { readonly href: string; readonly text: string }; readonly note: HelpKey }
  | { readonly label: HelpKey; readonly page: { readonly href: string; readonly text: HelpKey } };

export interface PageLink {
  readonly href: string;
  readonly text: HelpKey;
}

export type Block =
  | { readonly kind: 'h2'; readonly text: HelpKey }
  | { readonly kind: 'p'; readonly text: HelpKey }
  | { readonly kind: 'inset'; readonly text: HelpKey }
  | { readonly kind: 'list'; readonly intro?: HelpKey; readonly items: readonly HelpKey[] }
  | { readonly kind: 'contacts'; readonly rows: readonly ContactRow[] }
  | { readonly kind: 'facts'; readonly rows: readonly { readonly label: HelpKey; readonly value: HelpKey }[] };

export interface InfoPage {
  readonly path: string;
  readonly title: HelpKey;
  readonly lead: HelpKey;
  readonly blocks: readonly Block[];
  /** Other pages to point to at the end. */
  readonly related: readonly PageLink[];
}

const phone = (note: HelpKey = 'help.contacts.phoneHours'): ContactRow =>
  ({ label: 'help.contacts.phone', address: { href: `tel:${CONTACTS.hotline}`, text: CONTACTS.hotline }, note });
const email = (address: string, note: HelpKey = 'help.contacts.emailReply'): ContactRow =>
  ({ label: 'help.contacts.email', address: { href: `mailto:${address}`, text: address }, note });

const link = {
  services: { href: '/services', text: 'help.get.services' },
  help: { href: '/help', text: 'help.get.title' },
  accessibility: { href: '/accessibility', text: 'help.accessibility.title' },
  privacy: { href: '/privacy', text: 'help.privacy.title' },
  contact: { href: '/contact', text: 'help.contact.title' },
  feedback: { href: '/feedback', text: 'help.feedback.title' },
} as const satisfies Record<string, PageLink>;

const getHelp: InfoPage = {
  path: '/help',
  title: 'help.get.title',
  lead: 'help.get.lead',
  blocks: [
    { kind: 'h2', text: 'help.get.phone.heading' },
    { kind: 'p', text: 'help.get.phone.body' },
    { kind: 'contacts', rows: [phone()] },
    { kind: 'list', intro: 'help.get.phone.ready', items: ['help.get.phone.reference', 'help.get.phone.service'] },
    { kind: 'inset', text: 'help.get.phone.password' },
    { kind: 'h2', text: 'help.get.hall.heading' },
    { kind: 'p', text: 'help.get.hall.body' },
    { kind: 'p', text: 'help.get.hall.support' },
    { kind: 'facts', rows: [{ label: 'help.get.hall.hoursLabel', value: 'help.get.hall.hours' }, { label: 'help.get.hall.whereLabel', value: 'help.get.hall.where' }] },
    { kind: 'h2', text: 'help.get.bring.heading' },
    {
      kind: 'list', intro: 'help.get.bring.intro',
      items: ['help.get.bring.id', 'help.get.bring.documents', 'help.get.bring.reference', 'help.get.bring.forSomeone', 'help.get.bring.business'],
    },
  ],
  related: [link.services, link.contact, link.feedback, link.accessibility],
};

const accessibility: InfoPage = {
  path: '/accessibility',
  title: 'help.accessibility.title',
  lead: 'help.accessibility.lead',
  blocks: [
    {
      kind: 'list', intro: 'help.accessibility.youCan',
      items: ['help.accessibility.zoom', 'help.accessibility.keyboard', 'help.accessibility.screenReader', 'help.accessibility.noScript', 'help.accessibility.languages'],
    },
    { kind: 'h2', text: 'help.accessibility.standard.heading' },
    { kind: 'p', text: 'help.accessibility.standard.body' },
    { kind: 'h2', text: 'help.accessibility.testing.heading' },
    { kind: 'list', items: ['help.accessibility.testing.axe', 'help.accessibility.testing.noScript', 'help.accessibility.testing.manual', 'help.accessibility.testing.floor'] },
    { kind: 'h2', text: 'help.accessibility.limits.heading' },
    { kind: 'list', items: ['help.accessibility.limits.apiDocs', 'help.accessibility.limits.scans', 'help.accessibility.limits.pdf'] },
    { kind: 'h2', text: 'help.accessibility.report.heading' },
    { kind: 'p', text: 'help.accessibility.report.body' },
    { kind: 'contacts', rows: [phone(), email(CONTACTS.accessibilityEmail)] },
    { kind: 'p', text: 'help.accessibility.report.counter' },
  ],
  related: [link.help, link.contact],
};

const privacy: InfoPage = {
  path: '/privacy',
  title: 'help.privacy.title',
  lead: 'help.privacy.lead',
  blocks: [
    { kind: 'h2', text: 'help.privacy.who.heading' },
    { kind: 'p', text: 'help.privacy.who.body' },
    { kind: 'h2', text: 'help.privacy.what.heading' },
    {
      kind: 'list',
      items: ['help.privacy.what.identity', 'help.privacy.what.answers', 'help.privacy.what.decisions', 'help.privacy.what.messages', 'help.privacy.what.records', 'help.privacy.what.technical'],
    },
    { kind: 'p', text: 'help.privacy.cookies' },
    { kind: 'h2', text: 'help.privacy.basis.heading' },
    { kind: 'p', text: 'help.privacy.basis.duty' },
    { kind: 'p', text: 'help.privacy.basis.consent' },
    { kind: 'p', text: 'help.privacy.basis.minimum' },
    { kind: 'h2', text: 'help.privacy.sharing.heading' },
    { kind: 'p', text: 'help.privacy.sharing.body' },
    { kind: 'h2', text: 'help.privacy.usage.heading' },
    { kind: 'p', text: 'help.privacy.usage.body' },
    { kind: 'h2', text: 'help.privacy.retention.heading' },
    { kind: 'list', items: ['help.privacy.retention.session', 'help.privacy.retention.drafts', 'help.privacy.retention.applications', 'help.privacy.retention.usage', 'help.privacy.retention.logs'] },
    { kind: 'h2', text: 'help.privacy.rights.heading' },
    {
      kind: 'list', intro: 'help.privacy.rights.intro',
      items: ['help.privacy.rights.access', 'help.privacy.rights.correct', 'help.privacy.rights.delete', 'help.privacy.rights.withdraw', 'help.privacy.rights.explain'],
    },
    { kind: 'p', text: 'help.privacy.rights.yourself' },
    { kind: 'h2', text: 'help.privacy.contact.heading' },
    { kind: 'p', text: 'help.privacy.contact.body' },
    { kind: 'contacts', rows: [email(CONTACTS.privacyEmail), phone()] },
    { kind: 'p', text: 'help.privacy.contact.complain' },
  ],
  related: [link.contact, link.accessibility],
};

const contact: InfoPage = {
  path: '/contact',
  title: 'help.contact.title',
  lead: 'help.contact.lead',
  blocks: [
    {
      kind: 'contacts',
      rows: [phone(), email(CONTACTS.helpEmail), { label: 'help.contacts.inPerson', page: { href: '/help', text: 'help.contacts.halls' } }],
    },
    { kind: 'h2', text: 'help.contact.application.heading' },
    { kind: 'p', text: 'help.contact.application.body' },
    { kind: 'h2', text: 'help.contact.security.heading' },
    { kind: 'p', text: 'help.contact.security.body' },
  ],
  related: [link.help, link.feedback, link.privacy],
};

const feedback: InfoPage = {
  path: '/feedback',
  title: 'help.feedback.title',
  lead: 'help.feedback.lead',
  blocks: [
    { kind: 'h2', text: 'help.feedback.how.heading' },
    {
      kind: 'contacts',
      rows: [
        email(CONTACTS.feedbackEmail, 'help.feedback.reply'),
        phone('help.feedback.how.phone'),
        { label: 'help.contacts.inPerson', page: { href: '/help', text: 'help.feedback.how.counter' } },
      ],
    },
    { kind: 'h2', text: 'help.feedback.include.heading' },
    { kind: 'list', items: ['help.feedback.include.page', 'help.feedback.include.task', 'help.feedback.include.happened'] },
    { kind: 'inset', text: 'help.feedback.personal' },
    { kind: 'h2', text: 'help.feedback.rating.heading' },
    { kind: 'p', text: 'help.feedback.rating.body' },
    { kind: 'p', text: 'help.feedback.complaint' },
  ],
  related: [link.help, link.contact],
};

/** Every information page, in the order of the footer. */
export const INFO_PAGES: readonly InfoPage[] = [getHelp, accessibility, privacy, contact, feedback];
