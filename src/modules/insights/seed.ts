import type { Kernel } from '../../kernel/context.js';
import type { CatalogService } from '../catalog/service.js';
import type { IdentityService } from '../identity/service.js';
import { demoStaff, playHistory, type HistoryItem, type HistoryService } from './history.js';

/** Months of demo history before the current one, and applications in each. */
const MONTHS_BACK = 5;
const PER_MONTH = 7;

const COMMENTS_LOW = ['等了太久，也没人告诉我进度。', 'The form asked for the same thing twice.', '材料清单和窗口要求不一致。'];
const COMMENTS_HIGH = ['网上办理很方便。', 'Quick and clear, thank you.', '窗口工作人员很耐心。'];

/**
 * The demo's history: for each of the last months, applications online and at a counter, decided
 * on time and late, refused, withdrawn, left as drafts, and rated (low ratings followed up). Made
 * by a fixed rule from the item's number, so every run plays the same items; dated relative to
 * the month of `now` so the dashboard always shows recent months.
 */
export function demoHistory(now: Date): HistoryItem[] {
  const month = new Date(now.getTime() + 8 * 3_600_000);
  const items: HistoryItem[] = [];
  for (let back = MONTHS_BACK; back >= 0; back -= 1) {
    const first = new Date(Date.UTC(month.getUTCFullYear(), month.getUTCMonth() - back, 1));
    for (let i = 0; i < PER_MONTH; i += 1) {
      const n = (first.getUTCFullYear() % 100) * 1000 + (first.getUTCMonth() + 1) * 10 + i;
      const day = new Date(first.getTime() + (2 + i * 3) * 86_400_000).toISOString().slice(0, 10);
      const service: HistoryService = i % 3 === 2 ? 'driving-licence-renewal' : 'sole-trader-business-licence';
      const outcome = i === 5 ? 'draft' : i === 6 ? (back === 0 ? 'open' : 'withdrawn') : i === 3 ? 'rejected' : 'approved';
      // Hours to the decision: most within the deadline, every fourth well past it.
      const hoursToEnd = (i + back) % 4 === 0 ? 24 * (service === 'driving-licence-renewal' ? 4 : 8) : 6 + ((i * 7 + back * 5) % 40);
      const score = outcome === 'rejected' ? 1 + ((i + back) % 2) : (i + back) % 5 === 0 ? 2 : 3 + ((i + back) % 3);
      const rated = outcome !== 'draft' && outcome !== 'open' && (i + back) % 6 !== 1;
      const low = score <= 2;
      items.push({
        n, service, channel: i % 2 === 0 || outcome === 'draft' ? 'online' : 'counter', day, hour: 9 + (i % 7), outcome, hoursToEnd,
        ...(rated ? { rating: { score, comment: (low ? COMMENTS_LOW : COMMENTS_HIGH)[(i + back) % 3]!, afterHours: 3 } } : {}),
        ...(rated && low && back > 0 ? { followUp: { answer: '感谢您的意见，我们已经核查并改进。', changes: '在网上和窗口公布了统一的材料清单，并每周公布办理进度。', afterHours: 20, ...(back > 1 ? { resolved: back % 2 === 0 } : {}) } } : {}),
      });
    }
  }
  return items;
}

/**
 * The insights demo seed: plays the demo history (idempotent: items already played are skipped).
 * Not in tests, where each test plays the history it needs: playing months of it costs seconds.
 */
export async function seedInsights(kernel: Kernel, services: { identity: IdentityService; catalog: CatalogService }): Promise<number> {
  if (kernel.config.env === 'test') return 0;
  const staff = await demoStaff(services.identity);
  return playHistory({ kernel, identity: services.identity, catalog: services.catalog, ...staff }, demoHistory(kernel.now()), kernel.now());
}
