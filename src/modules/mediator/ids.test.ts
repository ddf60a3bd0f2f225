import { describe, expect, it } from 'vitest';
import { maskedPath } from './exchange-records.js';
import { isPlainPath, peopleOfCall, personsIn } from './ids.js';

describe('the people an event names', () => {
  it('finds each resident identity number among the string values, once, in the order met', () => {
    const event = { registrationNo: 'J110101-2026-000123', spouses: ['110101199003072359', { id: '11010119920515002X' }], again: '110101199003072359', count: 110101199003 };
    expect(personsIn(event)).toEqual(['110101199003072359', '11010119920515002X']);
  });

  it('takes only whole values: a number inside a longer text, a number value or a short one is not a person', () => {
    expect(personsIn({ note: 'see 110101199003072359', short: '1101011990', zero: '010101199003072359' })).toEqual([]);
    expect(personsIn(null)).toEqual([]);
  });

  it('walks an event nested far deeper than the call stack would allow', () => {
    let deep: unknown = '110101199003072359';
    for (let i = 0; i < 100_000; i++) deep = [deep];
    expect(personsIn(deep)).toEqual(['110101199003072359']);
  });
});

describe('the people a call names, and a path the provider resolves as checked', () => {
  it('takes every ID number in the path and the query, and the X-Road-UserId only when the call names nobody', () => {
    expect(peopleOfCall('110101199003072359', '/persons/11010119920515002X', '')).toEqual(['11010119920515002X']);
    expect(peopleOfCall(undefined, '/persons/110101199003072359', '?spouse=11010119920515002X&fields=name')).toEqual(['110101199003072359', '11010119920515002X']);
    expect(peopleOfCall('110101199003072359', '/persons', '?fields=name')).toEqual(['110101199003072359']);
    expect(peopleOfCall(undefined, '/statistics', '')).toEqual([]);
  });

  it('reads a number as the provider does: percent-encoded, or with a lowercase x, it is the same person', () => {
    const encoded = [...'110101199003072359'].map((digit) => `%3${digit}`).join('');
    expect(peopleOfCall('11010119920515002X', `/persons/${encoded}`, '')).toEqual(['110101199003072359']);
    expect(peopleOfCall(undefined, '/persons/11010119920515002x', '?spouse=%31%31%30%31%30%31%31%39%39%30%30%33%30%37%32%33%35%39')).toEqual(['11010119920515002X', '110101199003072359']);
    expect(peopleOfCall('11010119920515002x', '/persons', '')).toEqual(['11010119920515002X']);
    expect(peopleOfCall(undefined, '/persons/%zz', '')).toEqual([]);
    expect(personsIn({ holder: '11010119920515002x' })).toEqual(['11010119920515002X']);
    expect(maskedPath(`/persons/${encoded}?spouse=11010119920515002x`)).toBe('/persons/110101********2359?spouse=110101********002X');
  });

  it('refuses dot segments in any spelling, encoded slashes and backslashes, and passes plain paths', () => {
    for (const path of ['/persons/..', '/persons/.', '/a/%2e%2e/b', '/a/%2E./b', '/a/.%2e', '/a/..;jsessionid=1', '/a/%2f', '/a\\b', '/a/%5C', '/a/%zz']) {
      expect(isPlainPath(path), path).toBe(false);
    }
    for (const path of ['/persons/110101199003072359', '/', '/a/...', '/a/.well-known/x', '/a/b%20c', '/a//b']) {
      expect(isPlainPath(path), path).toBe(true);
    }
  });

  it('masks ID numbers in list paths, in the query too', () => {
    expect(maskedPath('/persons/110101199003072359?fields=name')).toBe('/persons/110101********2359?fields=name');
    expect(maskedPath('/persons?id=11010119920515002X&x=1')).toBe('/persons?id=110101********002X&x=1');
    expect(maskedPath('/cases/J110101199003072359')).toBe('/cases/J110101199003072359');
  });
});
