import { describe, expect, it } from 'vitest';
import { loggableUrl } from './log.js';

describe('the request log\'s URL (personal data never in logs, issue 9)', () => {
  it('cuts what lies below a mediated service: the provider\'s path and query may name a person', () => {
    expect(loggableUrl('/r1/CN/GOV/110000-PSB/population/persons/persons/110101199003072359?fields=name')).toBe('/r1/CN/GOV/110000-PSB/population/persons/[redacted]');
    expect(loggableUrl('/r1/CN/GOV/110000-PSB/population/persons?name=%E5%BC%A0')).toBe('/r1/CN/GOV/110000-PSB/population/persons');
    expect(loggableUrl('/r1/CN/GOV/110000-PSB/population/listMethods')).toBe('/r1/CN/GOV/110000-PSB/population/listMethods');
  });

  it('masks an ID number anywhere else, and leaves other URLs as they are', () => {
    expect(loggableUrl('/demo-providers/psb/population/persons/11010119900307235X')).toBe('/demo-providers/psb/population/persons/[redacted]');
    expect(loggableUrl('/api/x?idNumber=110101199003072359&page=2')).toBe('/api/x?idNumber=[redacted]&page=2');
    expect(loggableUrl('/applications/0190a1b2-0000-7000-8000-000000000005?step=1234567890123456789')).toBe('/applications/0190a1b2-0000-7000-8000-000000000005?step=1234567890123456789');
    expect(loggableUrl('/halls/dongcheng-zwfw/desk')).toBe('/halls/dongcheng-zwfw/desk');
  });
});
