import type { Hall } from './model.js';
import type { SchedulingService } from './service.js';

const WEEKDAYS = [['09:00', '12:00'], ['13:30', '17:00']] as const;
const hours = { 1: WEEKDAYS, 2: WEEKDAYS, 3: WEEKDAYS, 4: WEEKDAYS, 5: WEEKDAYS, 6: [], 7: [] };

type DemoHall = Omit<Hall, 'counters'> & { counters: Omit<Hall['counters'][number], 'hallId'>[] };

/**
 * Demo halls. The district government service centre (政务服务中心) gathers several agencies'
 * counters under one roof, run by the civil affairs bureau; the police station serves residence
 * permits only, on Saturday mornings too.
 */
export const DEMO_HALLS: readonly DemoHall[] = [
  {
    id: 'dongcheng-zwfw',
    name: { 'zh-CN': '东城区政务服务中心', en: 'Dongcheng District Government Service Centre' },
    address: { 'zh-CN': '北京市东城区东四北大街1号', en: '1 Dongsi North Street, Dongcheng District, Beijing' },
    agencyCode: '110000-CAB', ticketPrefix: 'A', slotMinutes: 30, hours, closedDays: [], phone: '010-12345678',
    counters: [
      { id: 'dongcheng-zwfw-1', number: 1, name: { 'zh-CN': '公安户政窗口', en: 'Residence and household registration' }, services: ['residence-certificate', 'birth-registration'], capacity: 2 },
      { id: 'dongcheng-zwfw-2', number: 2, name: { 'zh-CN': '公安户政窗口', en: 'Residence and household registration' }, services: ['residence-certificate'], capacity: 2 },
      { id: 'dongcheng-zwfw-3', number: 3, name: { 'zh-CN': '市场监管窗口', en: 'Business registration' }, services: ['sole-trader-business-licence'], capacity: 3 },
      { id: 'dongcheng-zwfw-4', number: 4, name: { 'zh-CN': '民政窗口', en: 'Civil affairs' }, services: ['minimum-living-allowance'], capacity: 2 },
      { id: 'dongcheng-zwfw-5', number: 5, name: { 'zh-CN': '交通窗口', en: 'Driving licences' }, services: ['driving-licence-renewal'], capacity: 2 },
    ],
  },
  {
    id: 'chaoyang-jianguomen-pcs',
    name: { 'zh-CN': '朝阳分局建国门外派出所', en: 'Jianguomenwai Police Station, Chaoyang' },
    address: { 'zh-CN': '北京市朝阳区建国门外大街18号', en: '18 Jianguomenwai Street, Chaoyang District, Beijing' },
    agencyCode: '110000-PSB', ticketPrefix: 'B', slotMinutes: 20, hours: { ...hours, 6: [['09:00', '12:00']] }, closedDays: [], phone: '010-87654321',
    counters: [
      { id: 'chaoyang-jianguomen-pcs-1', number: 1, name: { 'zh-CN': '户籍窗口', en: 'Household registration' }, services: ['residence-certificate'], capacity: 1 },
    ],
  },
];

/** Idempotent: halls and counters that exist are left as they are. */
export async function seedSchedulingDemo(scheduling: Pick<SchedulingService, 'addHall'>): Promise<void> {
  for (const hall of DEMO_HALLS) await scheduling.addHall(hall);
}
