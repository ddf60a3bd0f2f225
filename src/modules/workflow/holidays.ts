/**
 * The PRC working-day calendar as data: days off on weekdays, and the official make-up working
 * days (调休上班) that fall on weekends. Dates are calendar days in Asia/Shanghai.
 *
 * 2026: 国务院办公厅关于2026年部分节假日安排的通知 (国办发明电, 2025-11-04), copied in full.
 * 2027: the State Council publishes the arrangement around November of the year before. Until it
 * does, 2027 lists only the statutory holidays of 全国年节及纪念日放假办法 (2024 revision),
 * with no make-up days and no days moved off a weekend; replace it with the notice when it appears
 * (docs/adr/0011-workflow-from-history.md says how).
 */
export interface HolidayYear {
  readonly year: number;
  readonly source: string;
  /** True while the year is the statutory days only, before the official arrangement. */
  readonly provisional: boolean;
  /** Every day off, weekends inside a holiday included (harmless, and it reads like the notice). */
  readonly daysOff: readonly string[];
  /** Saturdays and Sundays that are working days. */
  readonly makeUpWorkdays: readonly string[];
}

const range = (from: string, to: string): string[] => {
  const days: string[] = [];
  for (let t = Date.parse(`${from}T00:00:00Z`); t <= Date.parse(`${to}T00:00:00Z`); t += 86_400_000) {
    days.push(new Date(t).toISOString().slice(0, 10));
  }
  return days;
};

export const HOLIDAY_YEARS: readonly HolidayYear[] = [
  {
    year: 2026,
    source: '国务院办公厅关于2026年部分节假日安排的通知 (2025-11-04)',
    provisional: false,
    daysOff: [
      ...range('2026-01-01', '2026-01-03'), // 元旦
      ...range('2026-02-15', '2026-02-23'), // 春节
      ...range('2026-04-04', '2026-04-06'), // 清明节
      ...range('2026-05-01', '2026-05-05'), // 劳动节
      ...range('2026-06-19', '2026-06-21'), // 端午节
      ...range('2026-09-25', '2026-09-27'), // 中秋节
      ...range('2026-10-01', '2026-10-07'), // 国庆节
    ],
    makeUpWorkdays: ['2026-01-04', '2026-02-14', '2026-02-28', '2026-05-09', '2026-09-20', '2026-10-10'],
  },
  {
    year: 2027,
    source: '全国年节及纪念日放假办法 (2024 revision), statutory days only; lunar dates from the Chinese calendar',
    provisional: true,
    daysOff: [
      '2027-01-01', // 元旦 (Friday)
      ...range('2027-02-06', '2027-02-09'), // 春节: 除夕 (Saturday 6 February) to 初三
      '2027-04-05', // 清明节 (Monday)
      '2027-05-01', '2027-05-02', // 劳动节 (weekend)
      '2027-06-09', // 端午节 (Wednesday)
      '2027-09-15', // 中秋节 (Wednesday)
      ...range('2027-10-01', '2027-10-03'), // 国庆节
    ],
    makeUpWorkdays: [],
  },
];
