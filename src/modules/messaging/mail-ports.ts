import nodemailer from 'nodemailer';
import { TongbanError } from '../../kernel/http/errors.js';
import { isMailAddress, type MailMessage, type MailPort, type SentMail } from '../../kernel/ports/mail.js';
import { MessagingErrors } from './errors.js';

/**
 * The two MailPort implementations. Both compose the message with nodemailer, so what the
 * outbox keeps is byte for byte what SMTP would have sent; they differ only in where it goes.
 */

export interface MailPortOptions {
  /** The sender address, `no-reply@<public host>`. */
  readonly from: string;
}

// Strings only: nodemailer must never read a file or fetch a URL named in a message.
const SAFE = { disableFileAccess: true, disableUrlAccess: true } as const;

function checked(message: MailMessage): MailMessage {
  if (!isMailAddress(message.to)) throw new TongbanError(MessagingErrors.TB_MESSAGING_ADDRESS_INVALID);
  return message;
}

const mailOptions = (from: string, m: MailMessage) => ({
  from, to: m.to, subject: m.subject, text: m.text,
  ...(m.html !== undefined ? { html: m.html } : {}),
  ...(m.messageId !== undefined ? { messageId: m.messageId } : {}),
});

/**
 * What went wrong, without the addresses a server's reply may quote (`550 <zhang@…>: no such
 * user`): this text is logged, stored on the message and shown on the outbox page.
 */
export function describeMailError(error: unknown): string {
  if (!(error instanceof Error)) return 'unknown error';
  const e = error as Error & { code?: unknown; responseCode?: unknown; response?: unknown };
  const text = typeof e.response === 'string' ? e.response : e.message;
  const redacted = text.replace(/<[^>]*>/g, '<…>').replace(/[^\s<>]+@[^\s<>]+/g, '…').replace(/\s+/g, ' ').trim().slice(0, 300);
  return [typeof e.code === 'string' ? e.code : undefined, redacted].filter(Boolean).join(': ');
}

function isPermanent(error: unknown): boolean {
  const code = (error as { responseCode?: unknown } | undefined)?.responseCode;
  return typeof code === 'number' && code >= 500 && code < 600;
}

/** Delivery through an SMTP server, configured by TONGBAN_SMTP_URL (`smtp://user:pass@host:587`). */
export function createSmtpMailPort(url: string, options: MailPortOptions): MailPort {
  // One connection per message, no pool: a job's send is self-contained, and nothing is left
  // open for shutdown to wait on. Short timeouts keep a dead server from holding a worker.
  const transport = nodemailer.createTransport({ url, connectionTimeout: 10_000, greetingTimeout: 10_000, socketTimeout: 30_000, ...SAFE });
  return {
    delivery: 'smtp',
    async send(message): Promise<SentMail> {
      const m = checked(message);
      try {
        const info = await transport.sendMail(mailOptions(options.from, m));
        return { messageId: info.messageId };
      } catch (error) {
        // No `cause`: loggers print it, and the server's reply may name the recipient.
        const code = isPermanent(error) ? MessagingErrors.TB_MESSAGING_DELIVERY_REFUSED : MessagingErrors.TB_MESSAGING_DELIVERY_FAILED;
        throw new TongbanError(code, { detail: describeMailError(error) });
      }
    },
  };
}

/**
 * The built-in port when no mail server is configured: nothing leaves the platform. The message
 * is composed as SMTP would send it and handed to `onKept` (the raw RFC 5322 bytes) if given;
 * the messaging module keeps its own copy in the outbox table for the outbox and messages pages.
 */
export function createOutboxMailPort(options: MailPortOptions & { readonly onKept?: (raw: Buffer) => void }): MailPort {
  const transport = nodemailer.createTransport({ streamTransport: true, buffer: true, newline: 'windows', ...SAFE });
  return {
    delivery: 'kept',
    async send(message): Promise<SentMail> {
      const info = await transport.sendMail(mailOptions(options.from, checked(message)));
      options.onKept?.(info.message as Buffer);
      return { messageId: info.messageId };
    },
  };
}
