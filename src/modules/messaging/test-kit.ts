import type { AddressInfo } from 'node:net';
import { simpleParser, type ParsedMail } from 'mailparser';
import { SMTPServer } from 'smtp-server';

/**
 * A real SMTP server on 127.0.0.1 for tests: it accepts mail (or refuses it on request) and keeps
 * each message's raw bytes, which tests parse with mailparser as a mail client would.
 */
export interface SmtpSink {
  /** For TONGBAN_SMTP_URL: `smtp://127.0.0.1:<port>`. */
  readonly url: string;
  /** Accepted messages, oldest first, as received. */
  readonly received: Buffer[];
  /** Answers the next `count` messages with `responseCode` (451: try later; 550: refused) instead of taking them. */
  refuseNext(count: number, responseCode: number, text?: string): void;
  /** The accepted messages, parsed. */
  parsed(): Promise<ParsedMail[]>;
  close(): Promise<void>;
}

export async function startSmtpSink(): Promise<SmtpSink> {
  const received: Buffer[] = [];
  let refusals: { count: number; responseCode: number; text: string } = { count: 0, responseCode: 451, text: '' };
  const server = new SMTPServer({
    authOptional: true,
    // Plain text on loopback: no TLS certificate to make, and nodemailer then does not try STARTTLS.
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    onData(stream, _session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        if (refusals.count > 0) {
          refusals = { ...refusals, count: refusals.count - 1 };
          callback(Object.assign(new Error(refusals.text), { responseCode: refusals.responseCode }));
          return;
        }
        received.push(Buffer.concat(chunks));
        callback(null);
      });
    },
  });
  await new Promise<void>((resolve, reject) => {
    server.server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.server.address() as AddressInfo;
  return {
    url: `smtp://127.0.0.1:${port}`,
    received,
    refuseNext(count, responseCode, text = responseCode >= 500 ? '5.1.1 <nobody@example.cn>: Recipient unknown' : '4.3.0 Try again later') {
      refusals = { count, responseCode, text };
    },
    parsed: () => Promise.all(received.map((raw) => simpleParser(raw))),
    close: () => new Promise<void>((resolve) => { server.close(() => resolve()); }),
  };
}
