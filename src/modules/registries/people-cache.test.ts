import { describe, expect, it } from 'vitest';
import { cachedPeople } from './records.js';

function directory(accounts: Map<string, string>) {
  const asked: string[] = [];
  return {
    asked,
    auditSubjectByIdNumber: (idNumber: string) => {
      asked.push(idNumber);
      const id = accounts.get(idNumber);
      return Promise.resolve(id === undefined ? undefined : { id });
    },
  };
}

describe('ID number → account cache for the audit subject of reads', () => {
  it('asks once for concurrent and repeated lookups of a person with an account', async () => {
    const source = directory(new Map([['110101199003072359', 'acct-1']]));
    let now = 0;
    const people = cachedPeople(source, () => now);
    const answers = await Promise.all([people.auditSubjectByIdNumber('110101199003072359'), people.auditSubjectByIdNumber('110101199003072359')]);
    expect(answers).toEqual([{ id: 'acct-1' }, { id: 'acct-1' }]);
    now = 4 * 60_000;
    expect(await people.auditSubjectByIdNumber('110101199003072359')).toEqual({ id: 'acct-1' });
    expect(source.asked).toEqual(['110101199003072359']);
  });

  it('remembers "no account" for seconds only: a person who signs up is named soon after', async () => {
    const accounts = new Map<string, string>();
    const source = directory(accounts);
    let now = 0;
    const people = cachedPeople(source, () => now);
    expect(await people.auditSubjectByIdNumber('11010119900307235X')).toBeUndefined();
    accounts.set('11010119900307235X', 'acct-2');
    now = 1_000;
    expect(await people.auditSubjectByIdNumber('11010119900307235X')).toBeUndefined();
    now = 6_000;
    expect(await people.auditSubjectByIdNumber('11010119900307235X')).toEqual({ id: 'acct-2' });
    expect(source.asked).toHaveLength(2);
  });

  it('does not keep a failed lookup', async () => {
    let fail = true;
    const people = cachedPeople({ auditSubjectByIdNumber: () => (fail ? Promise.reject(new Error('database down')) : Promise.resolve({ id: 'acct-3' })) }, () => 0);
    await expect(people.auditSubjectByIdNumber('x')).rejects.toThrow('database down');
    fail = false;
    expect(await people.auditSubjectByIdNumber('x')).toEqual({ id: 'acct-3' });
  });
});
