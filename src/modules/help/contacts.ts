/**
 * Where people reach a person: one place, filled into the pages' text as message parameters.
 * The addresses use the reserved `.example` domain (RFC 2606) so the demo can never send anyone's
 * message to a real mailbox; a deployment puts its own here (docs in README.md).
 */
export const CONTACTS = {
  /** The national government service hotline (政务服务便民热线). */
  hotline: '12345',
  helpEmail: 'help@tongban.example',
  accessibilityEmail: 'accessibility@tongban.example',
  privacyEmail: 'privacy@tongban.example',
  feedbackEmail: 'feedback@tongban.example',
  securityEmail: 'security@tongban.example',
} as const;

export type Contacts = typeof CONTACTS;
