import { describe, expect, it } from 'vitest';
import { describeMailPort } from '../../kernel/ports/mail.case.js';
import { createOutboxMailPort, createSmtpMailPort, describeMailError } from './mail-ports.js';
import { startSmtpSink } from './test-kit.js';

const from = 'no-reply@tongban.test';

describeMailPort('SMTP through nodemailer to a real smtp-server', async () => {
  const sink = await startSmtpSink();
  return { port: createSmtpMailPort(sink.url, { from }), received: () => sink.received, close: () => sink.close() };
});

describeMailPort('outbox only (nothing leaves the platform)', () => {
  const kept: Buffer[] = [];
  return Promise.resolve({ port: createOutboxMailPort({ from, onKept: (raw) => kept.push(raw) }), received: () => kept, close: () => Promise.resolve() });
});

describe('SMTP port failures', () => {
  it('reports a temporary refusal as retryable and a permanent one as refused, naming no address', async () => {
    const sink = await startSmtpSink();
    try {
      const port = createSmtpMailPort(sink.url, { from });
      sink.refuseNext(1, 451);
      await expect(port.send({ to: 'zhang.wei@example.cn', subject: 's', text: 't' })).rejects.toMatchObject({ code: 'TB_MESSAGING_DELIVERY_FAILED', message: expect.stringContaining('451') as unknown });
      sink.refuseNext(1, 550);
      const refused = await port.send({ to: 'nobody@example.cn', subject: 's', text: 't' }).then(() => new Error('sent'), (error: unknown) => error as Error);
      expect(refused).toMatchObject({ code: 'TB_MESSAGING_DELIVERY_REFUSED' });
      expect(refused.message).toContain('550');
      expect(refused.message).not.toContain('example.cn');
      expect(refused.cause).toBeUndefined();
      expect(sink.received).toHaveLength(0);
      // The server takes mail again: the port holds no state from the failures.
      await port.send({ to: 'zhang.wei@example.cn', subject: 's', text: 't' });
      expect(sink.received).toHaveLength(1);
    } finally {
      await sink.close();
    }
  });

  it('fails, retryably, when no server listens', async () => {
    const sink = await startSmtpSink();
    await sink.close();
    const port = createSmtpMailPort(sink.url, { from });
    await expect(port.send({ to: 'a@example.cn', subject: 's', text: 't' })).rejects.toMatchObject({ code: 'TB_MESSAGING_DELIVERY_FAILED' });
  });

  it('describes errors without the addresses a reply quotes', () => {
    const error = Object.assign(new Error('Can\'t send mail'), { code: 'EENVELOPE', responseCode: 550, response: '550 5.1.1 <zhang.wei@example.cn>: user zhang.wei@example.cn unknown' });
    expect(describeMailError(error)).toBe('EENVELOPE: 550 5.1.1 <…>: user … unknown');
    expect(describeMailError('oops')).toBe('unknown error');
  });
});
