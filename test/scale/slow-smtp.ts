import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { SMTPServer } from 'smtp-server';

/**
 * A real SMTP server on 127.0.0.1 that takes its time over each message (as a busy relay does),
 * so that deliveries overlap and every job worker of the cluster gets its share while the test
 * watches. It keeps each message's Message-ID: one per delivery, duplicates included.
 */
export interface SlowSmtpSink {
  readonly url: string;
  /** The Message-ID of every message accepted, in order of arrival. */
  readonly messageIds: string[];
  close(): Promise<void>;
}

export async function startSlowSmtpSink(delayMs: number): Promise<SlowSmtpSink> {
  const messageIds: string[] = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    onData(stream, _session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        const raw = Buffer.concat(chunks).toString('utf8');
        const header = raw.slice(0, Math.max(0, raw.indexOf('\r\n\r\n')));
        messageIds.push(/^Message-ID:\s*(<[^>]+>)/im.exec(header)?.[1] ?? '(none)');
        void sleep(delayMs).then(() => callback(null));
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
    messageIds,
    close: () => new Promise<void>((resolve) => { server.close(() => resolve()); }),
  };
}
