import type { VNode } from 'preact';
import type { Locale } from '../kernel/i18n/index.js';

/** Example content in both languages; examples stand in for the translated text a page passes. */
export type Say = (en: string, zhCN: string) => string;

export interface Example {
  readonly name: string;
  /** Rendered inside Layout, so components find the page's language. */
  render(say: Say): VNode;
}

export function sayFor(locale: Locale): Say {
  return (en, zhCN) => (locale === 'en' ? en : zhCN);
}
