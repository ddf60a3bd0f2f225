/**
 * The PRC working-day calendar as data: days off on weekdays, and the official make-up working
 * days (调休上班) that fall on weekends. Dates are calendar days in Asia/Shanghai.
 *
 * 2026: 国务院办公厅关于2026年部分节假日安排的通知 (国办发明电, 2025-11-04), copied in full.
 * 2027: the State Council publishes the arrangement around November of the year before. Until it
 * does, 2027 is provisional: the statutory holidays of 全国年节及纪念日放假办法 (2024 revision:
 * 元旦 1 day, 春节 4 days = 除夕 + 初一..初三, 清明 1, 劳动节 2 = 1-2 May, 端午 1, 中秋 1,
 * 国庆 3 = 1-3 October), and, by its article 6, a weekday off in lieu of each holiday that falls
 * on a Saturday or Sunday (the next weekdays after the holiday). No make-up working days: those
 * only the notice sets. An operator loads the notice without a release (`tongban calendar import`,
 * docs/operations.md); the boot log and `tongban_calendar_covered_until` warn while a year is
 * provisional (docs/adr/0011-workflow-from-history.md).
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
    source: '全国年节及纪念日放假办法 (2024 revision): statutory days and days in lieu (art. 6), provisional; lunar dates from the Chinese calendar',
    provisional: true,
    daysOff: [
      '2027-01-01', // 元旦 (Friday)
      // 春节: 除夕 Friday 5 February (初一 is Saturday 6 February), 初一 and 初二 on the weekend:
      // in lieu Tuesday 9 and Wednesday 10 February, after 初三 (Monday 8).
      ...range('2027-02-05', '2027-02-10'),
      '2027-04-05', // 清明节 (Monday)
      // 劳动节 Saturday 1 and Sunday 2 May: in lieu Monday 3 and Tuesday 4 May.
      ...range('2027-05-01', '2027-05-04'),
      '2027-06-09', // 端午节 (Wednesday)
      '2027-09-15', // 中秋节 (Wednesday)
      // 国庆节 Friday 1 to Sunday 3 October: in lieu Monday 4 and Tuesday 5 October.
      ...range('2027-10-01', '2027-10-05'),
    ],
    makeUpWorkdays: [],
  },
];
