import { createContext, type ComponentChildren, type VNode } from 'preact';
import { useContext } from 'preact/hooks';
import { translate, type Locale } from '../kernel/i18n/index.js';
import type { Translate } from '../kernel/i18n/plugin.js';
import './messages.js';

export type { Translate };

export interface UiText {
  readonly locale: Locale;
  readonly t: Translate;
}

/*
 * Built-in component text (error prefixes, "Change", date parts) comes from the page's language.
 * Layout provides it once, so a form field does not need `t` threaded through every call; a
 * component rendered outside a provider fails loudly instead of guessing a language.
 */
const UiTextContext = createContext<UiText | undefined>(undefined);

export function UiTextProvider(props: { value: UiText; children?: ComponentChildren }): VNode {
  return <UiTextContext.Provider value={props.value}>{props.children}</UiTextContext.Provider>;
}

export function useUiText(): UiText {
  const text = useContext(UiTextContext);
  if (!text) throw new Error('A Tongban UI component was rendered outside Layout or UiTextProvider');
  return text;
}

export function useT(): Translate {
  return useUiText().t;
}

/** The page text of a locale, for renderers that have no request (tests, examples, emails). */
export function uiTextFor(locale: Locale): UiText {
  return { locale, t: (key, params) => translate(locale, key, params) };
}

/**
 * Puts a node where a message has a `{slot}` placeholder, so a link can sit inside a translated
 * sentence without splitting it into fragments translators cannot see whole.
 */
export function interpolate(template: string, slot: string, node: ComponentChildren): ComponentChildren {
  const marker = `{${slot}}`;
  const at = template.indexOf(marker);
  if (at < 0) return template;
  return [template.slice(0, at), node, template.slice(at + marker.length)];
}
