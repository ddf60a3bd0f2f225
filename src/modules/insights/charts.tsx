import type { VNode } from 'preact';
import type { Locale } from '../../kernel/i18n/index.js';
import type { Translate } from '../../ui/index.js';
import { formatMonth, formatNumber } from './format.js';
import type { MonthFigures } from './figures.js';

/*
 * Server-rendered SVG charts: no script, no image request, scaled by their viewBox to any width.
 * Each has role="img" with a title and a description, and a table with the same numbers beside
 * it; the two series differ by fill and outline as well as colour, and the legend names them.
 */

const INK = '#0b0c0c';
const BLUE = '#1d70b8';
const GRID = '#b1b4b6';

function niceMax(value: number): number {
  if (value <= 5) return 5;
  const step = 10 ** Math.floor(Math.log10(value));
  return Math.ceil(value / step) * step;
}

interface ChartText { readonly id: string; readonly title: string; readonly desc: string }

function Frame({ text, width, height, children }: { text: ChartText; width: number; height: number; children: preact.ComponentChildren }): VNode {
  return (
    <svg class="tb-chart" viewBox={`0 0 ${width} ${height}`} width="100%" role="img" aria-labelledby={`${text.id}-title ${text.id}-desc`} focusable="false" xmlns="http://www.w3.org/2000/svg">
      <title id={`${text.id}-title`}>{text.title}</title>
      <desc id={`${text.id}-desc`}>{text.desc}</desc>
      {children}
    </svg>
  );
}

/** Applications received (solid) and decided (outlined) in each month. */
export function TrendChart({ months, locale, t, text }: { months: readonly MonthFigures[]; locale: Locale; t: Translate; text: ChartText }): VNode {
  const width = 640;
  const height = 260;
  const left = 40;
  const bottom = 40;
  const top = 30;
  const max = niceMax(Math.max(0, ...months.map((m) => Math.max(m.received, m.decided))));
  const plotHeight = height - top - bottom;
  const slot = (width - left - 10) / Math.max(1, months.length);
  const bar = Math.max(4, slot / 2 - 4);
  const y = (v: number) => top + plotHeight - (v / max) * plotHeight;
  return (
    <Frame text={text} width={width} height={height}>
      <line x1={left} y1={y(0)} x2={width - 10} y2={y(0)} stroke={INK} />
      <line x1={left} y1={y(max)} x2={width - 10} y2={y(max)} stroke={GRID} stroke-dasharray="4 4" />
      <text x={left - 6} y={y(max) + 4} text-anchor="end" font-size="12" fill={INK}>{formatNumber(locale, max)}</text>
      <text x={left - 6} y={y(0) + 4} text-anchor="end" font-size="12" fill={INK}>0</text>
      {months.map((m, i) => {
        const x = left + i * slot + 2;
        return (
          <g key={m.month}>
            <rect x={x} y={y(m.received)} width={bar} height={y(0) - y(m.received)} fill={BLUE} />
            <rect x={x + bar + 2} y={y(m.decided)} width={bar} height={y(0) - y(m.decided)} fill="#ffffff" stroke={INK} stroke-width="2" />
            <text x={x + bar} y={height - bottom + 16} text-anchor="middle" font-size="11" fill={INK}>{formatMonth(locale, m.month).replace(/\s?\d{4}年?/, '')}</text>
          </g>
        );
      })}
      <rect x={left} y={6} width={12} height={12} fill={BLUE} />
      <text x={left + 18} y={17} font-size="12" fill={INK}>{t('insights.dash.received')}</text>
      <rect x={left + 180} y={6} width={12} height={12} fill="#ffffff" stroke={INK} stroke-width="2" />
      <text x={left + 198} y={17} font-size="12" fill={INK}>{t('insights.dash.decided')}</text>
    </Frame>
  );
}

/** How many ratings of each score, 5 at the top. */
export function DistributionChart({ distribution, locale, t, text }: { distribution: readonly number[]; locale: Locale; t: Translate; text: ChartText }): VNode {
  const width = 640;
  const row = 32;
  const left = 150;
  const height = row * 5 + 10;
  const max = niceMax(Math.max(0, ...distribution));
  const span = width - left - 60;
  return (
    <Frame text={text} width={width} height={height}>
      {[5, 4, 3, 2, 1].map((score, i) => {
        const count = distribution[score - 1] ?? 0;
        const y = 5 + i * row;
        const w = (count / max) * span;
        return (
          <g key={score}>
            <text x={left - 8} y={y + 20} text-anchor="end" font-size="13" fill={INK}>{t(`insights.score.${score}`)}</text>
            <rect x={left} y={y + 4} width={w} height={row - 10} fill={BLUE} />
            <text x={left + w + 6} y={y + 20} font-size="13" fill={INK}>{formatNumber(locale, count)}</text>
          </g>
        );
      })}
    </Frame>
  );
}
