import { sql, type RawBuilder } from 'kysely';
import { ID_CHECK, ID_WEIGHTS, residentIdCheckChar } from './ids.js';

/**
 * Synthetic, realistic-looking persons for the population register (`tongban seed --persons N`):
 * person `i` is always the same person, so a second run adds nobody twice. The numbers have valid
 * check characters and real birth dates; the people are made up.
 */

// Beijing's districts (the region part of an ID number and of the household address).
const DISTRICTS: readonly (readonly [string, string])[] = [
  ['110101', '东城区'], ['110102', '西城区'], ['110105', '朝阳区'], ['110106', '丰台区'], ['110107', '石景山区'], ['110108', '海淀区'],
  ['110109', '门头沟区'], ['110111', '房山区'], ['110112', '通州区'], ['110113', '顺义区'], ['110114', '昌平区'], ['110115', '大兴区'],
  ['110116', '怀柔区'], ['110117', '平谷区'], ['110118', '密云区'], ['110119', '延庆区'],
];
const SURNAMES = '王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤';
const GIVEN = '伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红鹏辉建国文斌宇浩凯晨欣怡佳琪子轩梓涵一诺思雨博文嘉怡俊杰雅婷';
const STREETS = ['建国路', '长安街', '学院路', '中关村大街', '望京街', '光华路', '安定路', '阜成路', '丰台路', '永定路', '新华大街', '府前街'];
const FIRST_DAY = Date.UTC(1940, 0, 1);
const DAYS = 29_220; // 1940-01-01 to 2019-12-31
const SEQUENCES = 999;
const SPACE = DISTRICTS.length * DAYS * SEQUENCES;
// A multiplier coprime with SPACE spreads consecutive persons over districts, dates and sequences.
const STRIDE = 2_654_435_761 % SPACE;

const pick = <T>(list: readonly T[] | string, n: number): T | string => list[n % list.length] as T | string;

export interface SyntheticPerson {
  readonly idNumber: string;
  readonly name: string;
  readonly sex: 'male' | 'female';
  readonly dateOfBirth: string;
  readonly householdAddress: string;
  readonly householdNumber: string;
  readonly ethnicity: string;
}

/** Person number `i` (0 ≤ i < ~467 million, all distinct). */
export function syntheticPerson(i: number): SyntheticPerson {
  const x = Number((BigInt(i) * BigInt(STRIDE) + 7n) % BigInt(SPACE));
  const district = DISTRICTS[x % DISTRICTS.length] ?? DISTRICTS[0]!;
  const rest = Math.floor(x / DISTRICTS.length);
  const day = rest % DAYS;
  const sequence = Math.floor(rest / DAYS) + 1;
  const date = new Date(FIRST_DAY + day * 86_400_000).toISOString().slice(0, 10);
  const first17 = `${district[0]}${date.replaceAll('-', '')}${String(sequence).padStart(3, '0')}`;
  // The sequence's parity is the sex, as in a real number.
  const sex = sequence % 2 === 1 ? 'male' : 'female';
  const given = i % 3 === 0 ? String(pick(GIVEN, i * 7)) : `${String(pick(GIVEN, i * 7))}${String(pick(GIVEN, i * 13 + 5))}`;
  return {
    idNumber: first17 + residentIdCheckChar(first17),
    name: `${String(pick(SURNAMES, i * 31 + day))}${given}`,
    sex,
    dateOfBirth: date,
    householdAddress: `北京市${district[1]}${String(pick(STREETS, i))}${(i % 300) + 1} 号`,
    householdNumber: `${district[0]}${String(i % 1_000_000).padStart(6, '0')}`,
    ethnicity: i % 12 === 0 ? '回族' : '汉族',
  };
}

/** A constant SQL array of text; the lists are this file's own, none holds a quote or a backslash. */
function textArray(list: readonly string[]): RawBuilder<unknown> {
  if (list.some((x) => /['"\\]/.test(x))) throw new Error('a synthetic-person list holds a quote or a backslash');
  return sql.raw(`(array[${list.map((x) => `'${x}'`).join(',')}])`);
}

/**
 * Persons `from`…`to - 1` as rows `(i, key, data)` computed by the database itself: the same
 * arithmetic as `syntheticPerson`, in SQL, so that a million persons need not be made in Node and
 * travel to the database as JSON (`tongban seed --persons`; registries.test.ts checks that both
 * give the same persons). Chosen for speed: constant arrays rather than `substr` on multibyte
 * text, the check character from integer arithmetic, and the record as JSON text cast to jsonb
 * (about twice as fast as `jsonb_build_object`; no value can hold a quote or a backslash).
 */
export function syntheticPersonsSql(from: number, to: number): RawBuilder<{ i: number; key: string; data: Record<string, unknown> }> {
  const codes = textArray(DISTRICTS.map(([code]) => code));
  const names = textArray(DISTRICTS.map(([, name]) => name));
  // The weighted sum of each district code's six digits, then the date's eight and the sequence's three.
  const districtSums = sql.raw(`(array[${DISTRICTS.map(([code]) => [...code].reduce((sum, c, k) => sum + Number(c) * (ID_WEIGHTS[k] ?? 0), 0)).join(',')}])`);
  const dateSum = Array.from({ length: 8 }, (_, k) => `((f.ymd / ${10 ** (7 - k)}) % 10) * ${ID_WEIGHTS[6 + k] ?? 0}`).join(' + ');
  const seqSum = `(d.seq / 100) * ${ID_WEIGHTS[14] ?? 0} + ((d.seq / 10) % 10) * ${ID_WEIGHTS[15] ?? 0} + (d.seq % 10) * ${ID_WEIGHTS[16] ?? 0}`;
  const check = textArray([...ID_CHECK]);
  const surnames = textArray([...SURNAMES]);
  const given = textArray([...GIVEN]);
  const streets = textArray(STREETS);
  return sql`
    select g.i, k.key, cast('{"idNumber":"' || k.key || '","name":"' || ${surnames}[(g.i * 31 + d.day) % ${sql.lit(SURNAMES.length)} + 1]
        || ${given}[(g.i * 7) % ${sql.lit(GIVEN.length)} + 1] || case when g.i % 3 = 0 then '' else ${given}[(g.i * 13 + 5) % ${sql.lit(GIVEN.length)} + 1] end
        || '","sex":"' || case when d.seq % 2 = 1 then 'male' else 'female' end
        || '","dateOfBirth":"' || f.born
        || '","householdAddress":"北京市' || ${names}[d.district + 1] || ${streets}[g.i % ${sql.lit(STREETS.length)} + 1] || cast(g.i % 300 + 1 as text) || ' 号'
        || '","householdNumber":"' || ${codes}[d.district + 1] || lpad(cast(g.i % 1000000 as text), 6, '0')
        || '","ethnicity":"' || case when g.i % 12 = 0 then '回族' else '汉族' end || '"}' as jsonb) as data
    from generate_series(cast(${sql.lit(from)} as bigint), cast(${sql.lit(to)} as bigint) - 1) as g(i)
    cross join lateral (select (g.i * ${sql.lit(STRIDE)} + 7) % ${sql.lit(SPACE)} as x) as a
    cross join lateral (select cast(a.x % ${sql.lit(DISTRICTS.length)} as integer) as district, cast((a.x / ${sql.lit(DISTRICTS.length)}) % ${sql.lit(DAYS)} as integer) as day,
      cast((a.x / ${sql.lit(DISTRICTS.length)}) / ${sql.lit(DAYS)} + 1 as integer) as seq) as d
    cross join lateral (select to_char(date '1940-01-01' + d.day, 'YYYY-MM-DD') as born) as b
    cross join lateral (select b.born, cast(replace(b.born, '-', '') as integer) as ymd) as f
    cross join lateral (select ${codes}[d.district + 1] || replace(f.born, '-', '') || lpad(cast(d.seq as text), 3, '0')
      || ${check}[(${districtSums}[d.district + 1] + ${sql.raw(dateSum)} + ${sql.raw(seqSum)}) % 11 + 1] as key) as k`;
}
