import { describe, expect, it } from 'vitest';
import { securityHeaderProblems } from './security-headers.js';

const good = {
  'content-security-policy': "default-src 'self';script-src 'self';script-src-attr 'none';object-src 'none';base-uri 'none';frame-ancestors 'none';form-action 'self'",
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'strict-origin-when-cross-origin',
  'cross-origin-opener-policy': 'same-origin',
};

describe('the security header check the journeys use', () => {
  it('passes the headers Tongban sends', () => {
    expect(securityHeaderProblems(good)).toEqual([]);
  });

  it('fails on each weakened directive or missing header', () => {
    expect(securityHeaderProblems({})).toEqual(['no Content-Security-Policy header']);
    const weak = {
      ...good,
      'content-security-policy': "default-src 'self';script-src 'self' 'unsafe-inline';object-src 'self';frame-ancestors *",
      'x-frame-options': 'SAMEORIGIN',
    };
    const { 'x-content-type-options': _dropped, ...noSniffMissing } = weak;
    expect(securityHeaderProblems(noSniffMissing)).toEqual([
      'CSP object-src is "\'self\'", not \'none\'',
      'CSP base-uri is missing, not \'none\'',
      'CSP frame-ancestors is "*", not \'none\'',
      'CSP script-src allows "\'self\' \'unsafe-inline\'"',
      'x-content-type-options is missing',
      'x-frame-options is "SAMEORIGIN"',
    ]);
  });

  it('checks default-src when there is no script-src', () => {
    const csp = "default-src * 'unsafe-inline';object-src 'none';base-uri 'none';frame-ancestors 'none'";
    expect(securityHeaderProblems({ ...good, 'content-security-policy': csp })).toEqual(['CSP script-src allows "* \'unsafe-inline\'"']);
  });
});
