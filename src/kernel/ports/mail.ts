/**
 * The mail port (STYLE 5): the one method the platform calls to send an email. The messaging
 * module holds the implementations (SMTP through nodemailer, and the outbox-only port that keeps
 * messages without delivering them); `mail.case.ts` is the one test suite every implementation
 * passes (STYLE 16).
 */
export interface MailMessage {
  readonly to: string;
  readonly subject: string;
  readonly text: string;
  readonly html?: string | undefined;
  /**
   * The Message-ID header, `<local@domain>`. Give a stable one per message: a send repeated after
   * a crash (jobs run at least once) then carries the same id, and mail clients can tell.
   */
  readonly messageId?: string | undefined;
}

export interface SentMail {
  /** The Message-ID header the message went out with, `<local@domain>`. */
  readonly messageId: string;
}

export interface MailPort {
  /**
   * `smtp`: a resolved send means a mail server accepted the message. `kept`: nothing leaves the
   * platform; the message is composed exactly as it would be sent, then kept in the outbox.
   */
  readonly delivery: 'smtp' | 'kept';
  /**
   * Rejects with a TongbanError when the message was not accepted. The error's message never
   * contains an address or any of the message's text, so it is safe to log and to store.
   */
  send(message: MailMessage): Promise<SentMail>;
}

// Deliberately narrower than RFC 5322: one plain address, no display name, no comments, no
// quoting. Nothing we send to needs more, and anything wider invites header tricks.
const ADDRESS = /^[A-Za-z0-9!#$%&'*+/=?^_`{|}~.-]+@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*$/;

/** Whether `value` is one plain email address (`name@example.com`) the ports accept. */
export function isMailAddress(value: string): boolean {
  return value.length <= 254 && ADDRESS.test(value) && !value.startsWith('.') && !value.includes('..');
}
