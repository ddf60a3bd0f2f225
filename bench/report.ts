/**
 * What a benchmark reports, and how it is printed. Pure: no I/O, so `npm test` covers it.
 * `bench/results/latest.json` is a list of `Figure` (issue 8): one figure per measured value,
 * next to the baseline measured in the same run on the same machine.
 */
export interface Figure {
  /** `<scenario>.<database>.<what>`, e.g. `mediator.pglite.throughput`. */
  readonly name: string;
  readonly value: number;
  readonly unit: string;
  /** The same quantity for the bare baseline; null when the figure is itself a difference. */
  readonly baseline: number | null;
  /** value / baseline, rounded to 3 decimals; null without a baseline (or a zero one). */
  readonly ratio: number | null;
}

/** What a scenario aims for; printed next to the figure, never written to latest.json. */
export interface Aim {
  /** `ratio` compares the ratio, `value` the value itself. */
  readonly on: 'ratio' | 'value';
  readonly atLeast?: number;
  readonly atMost?: number;
}

export interface Measured extends Figure {
  readonly aim?: Aim;
}

const round = (n: number, digits: number) => {
  const f = 10 ** digits;
  return Math.round(n * f) / f;
};

/** Rounds to a sensible precision for the unit: whole req/s and MB, tenths of ms below 100. */
export function roundFor(unit: string, value: number): number {
  if (unit === 'ms') return round(value, Math.abs(value) < 100 ? 2 : 1);
  return round(value, Math.abs(value) < 10 ? 2 : Math.abs(value) < 1000 ? 1 : 0);
}

export function figure(name: string, value: number, unit: string, baseline: number | null, aim?: Aim): Measured {
  const ratio = baseline === null || baseline === 0 || !Number.isFinite(baseline) ? null : round(value / baseline, 3);
  return { name, value: roundFor(unit, value), unit, baseline: baseline === null ? null : roundFor(unit, baseline), ratio, ...(aim ? { aim } : {}) };
}

/** A difference (subject minus baseline), e.g. the latency the mediator adds. */
export function added(name: string, subject: number, baseline: number, unit: string, aim?: Aim): Measured {
  return figure(name, subject - baseline, unit, null, aim);
}

/** true, false, or undefined when there is no aim (or nothing to compare). */
export function aimMet(f: Measured): boolean | undefined {
  if (!f.aim) return undefined;
  const x = f.aim.on === 'ratio' ? f.ratio : f.value;
  if (x === null) return undefined;
  if (f.aim.atLeast !== undefined && x < f.aim.atLeast) return false;
  if (f.aim.atMost !== undefined && x > f.aim.atMost) return false;
  return true;
}

export function describeAim(aim: Aim): string {
  const what = aim.on === 'ratio' ? 'ratio' : 'value';
  const parts = [aim.atLeast !== undefined ? `${what} ≥ ${aim.atLeast}` : '', aim.atMost !== undefined ? `${what} ≤ ${aim.atMost}` : ''];
  return parts.filter(Boolean).join(' and ');
}

function verdict(f: Measured): string {
  const met = aimMet(f);
  if (!f.aim || met === undefined) return '';
  return `${met ? 'met' : 'MISSED'} (${describeAim(f.aim)})`;
}

/** One line per figure, as it is measured. */
export function formatLine(f: Measured): string {
  const base = f.baseline === null ? '' : `  baseline ${f.baseline} ${f.unit}  ratio ${f.ratio ?? '-'}`;
  const aim = verdict(f);
  return `${f.name}: ${f.value} ${f.unit}${base}${aim ? `  aim ${aim}` : ''}`;
}

const cell = (s: string) => s.replace(/\|/g, '\\|');

export function markdownTable(figures: readonly Measured[]): string {
  const rows = figures.map((f) => [f.name, `${f.value} ${f.unit}`, f.baseline === null ? '–' : `${f.baseline} ${f.unit}`, f.ratio === null ? '–' : String(f.ratio), verdict(f) || '–']);
  const lines = [['figure', 'Tongban', 'baseline', 'ratio', 'aim'], ...rows].map((r) => `| ${r.map(cell).join(' | ')} |`);
  lines.splice(1, 0, '|---|---:|---:|---:|---|');
  return lines.join('\n');
}

/** What latest.json holds: exactly `{ name, value, unit, baseline, ratio }` per figure. */
export function toResults(figures: readonly Measured[]): Figure[] {
  return figures.map(({ name, value, unit, baseline, ratio }) => ({ name, value, unit, baseline, ratio }));
}

/** The p-th percentile (0–100) of the values, nearest-rank; NaN for none. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1] ?? Number.NaN;
}

/** The 15-minute budget of a whole `npm run bench` on the 2-core machine (issue 8). */
export const BUDGET_SECONDS = 15 * 60;

function clock(seconds: number): string {
  const whole = Math.round(seconds);
  return `${Math.floor(whole / 60)} min ${String(whole % 60).padStart(2, '0')} s`;
}

/**
 * The closing lines: each scenario's wall time on each database, the total, and a warning when
 * the total is over the budget (a run of every scenario must stay under it; issue 8).
 */
export function wallTimeLines(runs: readonly { readonly label: string; readonly seconds: number }[], totalSeconds: number, budgetSeconds = BUDGET_SECONDS): string[] {
  const lines = runs.map((r) => `  ${r.label.padEnd(22)} ${r.seconds.toFixed(0).padStart(5)} s`);
  lines.push(`total wall time: ${totalSeconds.toFixed(0)} s (${clock(totalSeconds)}), budget ${clock(budgetSeconds)}`);
  if (totalSeconds > budgetSeconds) lines.push(`WARNING: over the ${clock(budgetSeconds)} budget by ${(totalSeconds - budgetSeconds).toFixed(0)} s (issue 8); see docs/performance.md, "How long a run takes"`);
  return lines;
}
