import { describe, expect, it } from 'vitest';
import { checkFile } from './journey.js';

const PDF = Buffer.from('%PDF-1.7\n1 0 obj\n');
const PNG = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0]);
const file = (content: Buffer, claimedType: string) => ({ filename: 'scan', claimedType, content, truncated: false });

describe('checkFile: the type the sender claims', () => {
  it('reads the claim without its parameters, in any case and spacing', () => {
    expect(checkFile(file(PDF, 'application/pdf; name="scan.pdf"'))).toMatchObject({ ok: true, type: 'application/pdf' });
    expect(checkFile(file(PDF, ' Application/PDF ;charset=binary'))).toMatchObject({ ok: true, type: 'application/pdf' });
    // A PDF claimed as PNG with parameters is still a mismatch, not "no claim".
    expect(checkFile(file(PDF, 'IMAGE/PNG; charset=binary'))).toMatchObject({ ok: false, messageKey: 'applications.upload.mismatch', params: { claimed: 'PNG' } });
    expect(checkFile(file(PNG, 'application/pdf;x=1'))).toMatchObject({ ok: false, messageKey: 'applications.upload.mismatch', params: { claimed: 'PDF' } });
  });

  it('judges by the bytes when the claim names no type it knows', () => {
    for (const claim of ['', 'application/octet-stream', 'application/octet-stream; name=a.png', ';', 'garbage']) {
      expect(checkFile(file(PNG, claim))).toMatchObject({ ok: true, type: 'image/png' });
    }
  });
});
