import { residentIdCheckChar } from './ids.js';

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
