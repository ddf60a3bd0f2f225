import { simpleParser, type AddressObject, type ParsedMail } from 'mailparser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MailPort } from './mail.js';

/**
 * The one test suite every MailPort implementation passes (STYLE 16). Each implementation's test
 * file calls `describeMailPort` with a harness that shows what left the port, as raw RFC 5322
 * messages: what a real SMTP server received, or what the outbox-only port kept.
 */
export interface MailPortHarness {
  readonly port: MailPort;
  /** Every message that left the port so far, oldest first, exactly as it left. */
  received(): readonly Buffer[];
  close(): Promise<void>;
}

function addresses(field: AddressObject | AddressObject[] | undefined): string[] {
  const list = field === undefined ? [] : Array.isArray(field) ? field : [field];
  return list.flatMap((a) => a.value.map((v) => v.address ?? ''));
}

export function describeMailPort(name: string, setup: () => Promise<MailPortHarness>): void {
  describe(`mail port contract: ${name}`, () => {
    let harness: MailPortHarness | undefined;
    beforeAll(async () => { harness = await setup(); });
    afterAll(async () => { await harness?.close(); });
    const h = (): MailPortHarness => {
      if (!harness) throw new Error('harness not ready');
      return harness;
    };
    const last = async (): Promise<ParsedMail> => {
      const raw = h().received().at(-1);
      if (!raw) throw new Error('nothing left the port');
      return simpleParser(raw);
    };

    it('delivers the subject, the recipient and Chinese text intact', async () => {
      // Long enough that the encoder must wrap it, with a character outside the BMP.
      const text = `张伟您好：\n\n您提交的“个体工商户设立登记”申请（编号 TB-2026-7K3M9Q）已受理。${'请登录通办查看办理进度。'.repeat(8)} 𠀀\n`;
      const subject = '申请已受理：个体工商户设立登记（TB-2026-7K3M9Q）——请留意后续通知';
      const before = h().received().length;
      const sent = await h().port.send({ to: 'zhang.wei@example.cn', subject, text });
      expect(h().received()).toHaveLength(before + 1);
      const mail = await last();
      expect(mail.subject).toBe(subject);
      expect(addresses(mail.to)).toEqual(['zhang.wei@example.cn']);
      expect(mail.text?.replace(/\r\n/g, '\n')).toBe(text);
      expect(mail.html).toBe(false);
      expect(mail.messageId).toBe(sent.messageId);
      expect(sent.messageId).toMatch(/^<[^<>@\s]+@[^<>@\s]+>$/);
    });

    it('sends an HTML alternative alongside the text', async () => {
      await h().port.send({ to: 'li.na@example.cn', subject: 'Approved', text: 'Your application was approved.', html: '<p>您的申请<strong>已批准</strong>。</p>' });
      const mail = await last();
      expect(mail.text?.trim()).toBe('Your application was approved.');
      expect(mail.html).toContain('<strong>已批准</strong>');
    });

    it('uses the Message-ID it is given, and gives each message its own otherwise', async () => {
      const given = await h().port.send({ to: 'a@example.cn', subject: 's', text: 't', messageId: '<0190a1b2-0000-7000-8000-00000000abcd@tongban.test>' });
      expect(given.messageId).toBe('<0190a1b2-0000-7000-8000-00000000abcd@tongban.test>');
      expect((await last()).messageId).toBe(given.messageId);
      const one = await h().port.send({ to: 'a@example.cn', subject: 's', text: 't' });
      const two = await h().port.send({ to: 'a@example.cn', subject: 's', text: 't' });
      expect(one.messageId).not.toBe(two.messageId);
    });

    it('keeps line breaks in a subject from adding headers', async () => {
      await h().port.send({ to: 'a@example.cn', subject: 'Hello\r\nBcc: spy@example.org\r\n\r\nInjected', text: 'Body' });
      const mail = await last();
      expect(mail.bcc).toBeUndefined();
      expect(mail.headers.has('bcc')).toBe(false);
      expect(mail.text?.trim()).toBe('Body');
    });

    it.each([
      'not an address',
      'a@example.cn, spy@example.org',
      'Spy <spy@example.org>',
      'a@example.cn\r\nBcc: spy@example.org',
      '',
    ])('refuses %j without anything leaving the port, and its error names no address', async (to) => {
      const before = h().received().length;
      const refusal = await h().port.send({ to, subject: 's', text: 't' }).then(() => undefined, (error: unknown) => error);
      expect(refusal).toMatchObject({ name: 'TongbanError', code: expect.stringMatching(/^TB_[A-Z]+_/) as unknown });
      expect(String((refusal as Error).message)).not.toContain('example');
      expect(h().received()).toHaveLength(before);
    });
  });
}
