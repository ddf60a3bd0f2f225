import { describe, expect, it } from 'vitest';
import { translate } from '../../kernel/i18n/index.js';
import { renderRegistryPage } from './pages-registry.js';
import type { CertificateRow } from './service.js';

const DAY = 86_400_000;
const NOW = new Date('2026-12-04T12:00:00Z');
const ctx = { locale: 'en' as const, t: (key: string, params?: Record<string, string | number>) => translate('en', key, params), currentPath: '/admin/mediator/registry' };

function certificate(hex: string, notBefore: number, notAfter: number): CertificateRow {
  return {
    sha256: hex.repeat(64), subsystem_id: 'CN/GOV/110000-PSB/population', subject: `CN=${hex}`, issuer: `CN=${hex}`, serial: '01',
    not_before: new Date(NOW.getTime() + notBefore), not_after: new Date(NOW.getTime() + notAfter), pem: '', added_by: 'test', added_at: NOW,
  };
}

/** The registry page flags each certificate an administrator must act on: renew, replace, or wait. */
describe('client certificates on the registry page', () => {
  it('tags an expired, a not yet valid and a soon expiring certificate, and leaves a valid one plain', () => {
    const rows = [certificate('a', -400 * DAY, -DAY), certificate('b', DAY, 400 * DAY), certificate('c', -300 * DAY, 20 * DAY), certificate('d', -DAY, 300 * DAY)];
    const html = renderRegistryPage(ctx, { members: [], subsystems: [], services: [], rights: [], certificates: rows, keys: [], now: NOW });
    const rowOf = (hex: string) => html.split('<tr').find((tr) => tr.includes(`CN=${hex}<`)) ?? '';
    expect(rowOf('a')).toContain('tb-tag--red">Expired');
    expect(rowOf('b')).toContain('Not valid yet');
    expect(rowOf('c')).toContain('Renew soon');
    expect(rowOf('d')).not.toContain('tb-tag');
    expect(rowOf('d')).toContain('datetime="2027-09-30T12:00:00.000Z"');
    expect(rowOf('d')).toContain('DD:DD:DD');
  });
});
