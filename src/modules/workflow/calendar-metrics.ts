import type { FastifyBaseLogger } from 'fastify';
import { Gauge, type Registry } from 'prom-client';
import type { CalendarStatus } from './deadlines.js';

/**
 * Says at boot, in the log, what the operator must do about the working-day calendar: the current
 * year, and from December the next, missing (its weekdays would all count as working days) or
 * provisional (statutory days only: the official notice is not loaded yet).
 */
export function logCalendarStatus(log: FastifyBaseLogger, status: CalendarStatus): void {
  for (const w of status.warnings) {
    log.warn({ year: w.year, problem: w.problem, coveredUntil: status.coveredUntil },
      w.problem === 'missing'
        ? `working-day calendar: ${w.year} is missing, deadlines in it count weekends only; load the State Council's notice with tongban calendar import (docs/operations.md)`
        : `working-day calendar: ${w.year} is provisional (statutory days only, no make-up days); load the State Council's notice with tongban calendar import (docs/operations.md)`);
  }
}

/**
 * `tongban_calendar_covered_until` (the last year the official arrangement covers, without a gap,
 * from the current one) and `tongban_calendar_warning` (1 while the current year, or from December
 * the next, is missing or provisional), computed at scrape time from the calendar in force.
 */
export function registerCalendarMetrics(registry: Registry, status: () => CalendarStatus): void {
  new Gauge({
    name: 'tongban_calendar_covered_until',
    help: 'Last year covered by the official holiday arrangement (tongban calendar import), without a gap from the current year',
    registers: [registry],
    collect() {
      this.set(status().coveredUntil);
    },
  });
  new Gauge({
    name: 'tongban_calendar_warning',
    help: 'Years (the current one, and from December the next) missing from the working-day calendar or only provisional',
    labelNames: ['year', 'problem'],
    registers: [registry],
    collect() {
      this.reset();
      for (const w of status().warnings) this.set({ year: String(w.year), problem: w.problem }, 1);
    },
  });
}
