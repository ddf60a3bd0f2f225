import { describe, expect, it } from 'vitest';
import { parseMachineCpu, parseVmHwm } from './lib/processes.js';
import { DEFAULTS, parseBenchArgs } from './options.js';
import { added, aimMet, BUDGET_SECONDS, figure, formatLine, markdownTable, percentile, toResults, wallTimeLines } from './report.js';

describe('bench figures', () => {
  it('computes the ratio to the baseline, rounded, and none without a baseline', () => {
    const f = figure('mediator.pglite.throughput', 412.74, 'req/s', 25780.4);
    expect(f).toEqual({ name: 'mediator.pglite.throughput', value: 412.7, unit: 'req/s', baseline: 25780, ratio: 0.016 });
    expect(figure('x', 5, 'requests', 0).ratio).toBeNull();
    const diff = added('mediator.postgres.added-p99', 8.944, 3.4, 'ms');
    expect(diff).toMatchObject({ value: 5.54, baseline: null, ratio: null });
  });

  it('judges aims on the ratio or on the value', () => {
    expect(aimMet(figure('t', 600, 'req/s', 1000, { on: 'ratio', atLeast: 0.5 }))).toBe(true);
    expect(aimMet(figure('t', 400, 'req/s', 1000, { on: 'ratio', atLeast: 0.5 }))).toBe(false);
    expect(aimMet(added('p99', 4.5, 3, 'ms', { on: 'value', atMost: 2 }))).toBe(true);
    expect(aimMet(added('p99', 5.5, 3, 'ms', { on: 'value', atMost: 2 }))).toBe(false);
    expect(aimMet(figure('t', 1, 'ms', 1))).toBeUndefined();
  });

  it('writes latest.json entries with exactly name, value, unit, baseline and ratio', () => {
    const [entry] = toResults([figure('t', 600, 'req/s', 1000, { on: 'ratio', atLeast: 0.5 })]);
    expect(Object.keys(entry ?? {})).toEqual(['name', 'value', 'unit', 'baseline', 'ratio']);
  });

  it('prints one line per figure and a Markdown table with a row per figure', () => {
    const figures = [figure('mediator.postgres.throughput', 763, 'req/s', 24972, { on: 'ratio', atLeast: 0.5 }), added('mediator.postgres.added-p99@200rps', 8.94, 3.4, 'ms', { on: 'value', atMost: 2 })];
    expect(formatLine(figures[0]!)).toBe('mediator.postgres.throughput: 763 req/s  baseline 24972 req/s  ratio 0.031  aim MISSED (ratio ≥ 0.5)');
    expect(formatLine(figures[1]!)).toBe('mediator.postgres.added-p99@200rps: 5.54 ms  aim MISSED (value ≤ 2)');
    expect(markdownTable(figures).split('\n')).toEqual([
      '| figure | Tongban | baseline | ratio | aim |',
      '|---|---:|---:|---:|---|',
      '| mediator.postgres.throughput | 763 req/s | 24972 req/s | 0.031 | MISSED (ratio ≥ 0.5) |',
      '| mediator.postgres.added-p99@200rps | 5.54 ms | – | – | MISSED (value ≤ 2) |',
    ]);
  });

  it('takes nearest-rank percentiles', () => {
    const values = Array.from({ length: 100 }, (_, i) => 100 - i);
    expect(percentile(values, 50)).toBe(50);
    expect(percentile(values, 99)).toBe(99);
    expect(percentile([7], 99)).toBe(7);
    expect(percentile([], 50)).toBeNaN();
  });

  it('ends with the wall time of each run, the total, and a warning only over the 15-minute budget', () => {
    const runs = [{ label: 'mediator/pglite', seconds: 61.4 }, { label: 'mediator/postgres', seconds: 58.6 }];
    expect(BUDGET_SECONDS).toBe(900);
    expect(wallTimeLines(runs, 120.2)).toEqual([
      '  mediator/pglite           61 s',
      '  mediator/postgres         59 s',
      'total wall time: 120 s (2 min 00 s), budget 15 min 00 s',
    ]);
    const over = wallTimeLines(runs, 905);
    expect(over.at(-2)).toBe('total wall time: 905 s (15 min 05 s), budget 15 min 00 s');
    expect(over.at(-1)).toMatch(/^WARNING: over the 15 min 00 s budget by 5 s/);
    expect(wallTimeLines([], 779.6).at(-1)).toBe('total wall time: 780 s (13 min 00 s), budget 15 min 00 s');
  });
});

describe('bench command line', () => {
  it('defaults to every scenario on both databases', () => {
    expect(parseBenchArgs([])).toEqual(DEFAULTS);
  });

  it('selects scenarios, databases and duration', () => {
    const options = parseBenchArgs(['--only', 'mediator', '--db', 'pglite,postgres', '--duration', '10', '--warmup', '1', '--rate', '500']);
    expect(options).toMatchObject({ only: ['mediator'], databases: ['pglite', 'postgres'], durationSeconds: 10, warmupSeconds: 1, rate: 500 });
  });

  it('refuses unknown databases, unknown options and non-positive numbers', () => {
    expect(() => parseBenchArgs(['--db', 'mysql'])).toThrow(/unknown database "mysql"/);
    expect(() => parseBenchArgs(['--durations', '3'])).toThrow();
    expect(() => parseBenchArgs(['--duration', '0'])).toThrow(/--duration must be a positive number/);
  });
});

describe('peak memory', () => {
  it('reads VmHWM from /proc/<pid>/status in bytes', () => {
    expect(parseVmHwm('Name:\tnode\nVmPeak:\t 1200 kB\nVmHWM:\t  395904 kB\nVmRSS:\t 380000 kB\n')).toBe(395904 * 1024);
    expect(() => parseVmHwm('Name:\tnode\n')).toThrow(/VmHWM/);
  });
});

describe('machine CPU', () => {
  it('reads busy and total time of all cores from /proc/stat, ignoring the per-core lines', () => {
    const stat = 'cpu  100 5 50 800 20 3 2 1 0 0\ncpu0 50 2 25 400 10 1 1 0 0 0\ncpu1 50 3 25 400 10 2 1 1 0 0\nintr 12345\n';
    // busy: user 100 + nice 5 + system 50 + irq 3 + softirq 2 + steal 1 = 161 ticks; idle 800 and iowait 20 are not busy.
    expect(parseMachineCpu(stat)).toEqual({ busyMs: 1610, totalMs: 9810 });
    expect(() => parseMachineCpu('intr 1\n')).toThrow(/cpu line/);
  });
});
