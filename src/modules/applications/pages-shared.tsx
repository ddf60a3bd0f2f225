import type { VNode } from 'preact';
import type { FieldError } from '../../forms/index.js';
import { dateTimeFormat, type Locale } from '../../kernel/i18n/index.js';
import { CSRF_FIELD, ErrorSummary, type LayoutProps } from '../../ui/index.js';
import './messages.js';
import type { CasePanel } from './panels.js';
import type { Step } from './service.js';

export type PageContext = Pick<LayoutProps, 'locale' | 't' | 'currentPath' | 'user' | 'csrfToken'>;

const DATE_TIME: Record<Locale, Intl.DateTimeFormat> = {
  'zh-CN': new Intl.DateTimeFormat('zh-CN', { dateStyle: 'long', timeStyle: 'short', timeZone: 'Asia/Shanghai' }),
  en: new Intl.DateTimeFormat('en-GB', { dateStyle: 'long', timeStyle: 'short', timeZone: 'Asia/Shanghai' }),
};

export function When({ at, locale }: { at: Date; locale: Locale }): VNode {
  return <time dateTime={at.toISOString()}>{DATE_TIME[locale].format(at)}</time>;
}

/** A day in China time, written out: "5 January 2027", "2027年1月5日". */
export function chinaDayText(at: Date, locale: Locale): string {
  return dateTimeFormat(locale === 'en' ? 'en-GB' : 'zh-CN', { dateStyle: 'long', timeZone: 'Asia/Shanghai' }).format(at);
}

export function stepHref(applicationId: string, step: Step): string {
  const base = `/applications/${applicationId}`;
  if (step.kind === 'page') return `${base}/pages/${encodeURIComponent(step.pageId)}`;
  if (step.kind === 'prefill') return `${base}/prefill`;
  return step.kind === 'documents' ? `${base}/documents` : `${base}/check`;
}

/** Text with line breaks (an address, a summary value) shown as lines, still escaped. */
export function Lines({ value }: { value: string }): VNode {
  const lines = value.split('\n');
  return <>{lines.map((line, i) => <span key={i}>{line}{i < lines.length - 1 ? <br /> : null}</span>)}</>;
}

export function CsrfField({ token }: { token: string | undefined }): VNode {
  return <input type="hidden" name={CSRF_FIELD} value={token} />;
}

/** The error summary for form-engine errors (and ours shaped like them), in the page's language. */
export function FieldErrorSummary({ errors, text }: { errors: readonly FieldError[]; text: (error: FieldError) => string }): VNode | null {
  return <ErrorSummary errors={errors.map((e) => ({ fieldId: e.fieldId, text: text(e) }))} />;
}

/** The sections other modules add to an application's page (see panels.ts), each with its own heading. */
export function Panels({ panels, level = 2 }: { panels: readonly CasePanel[]; level?: 2 | 3 }): VNode | null {
  if (panels.length === 0) return null;
  const Heading = level === 2 ? 'h2' : 'h3';
  return (
    <>
      {panels.map((panel) => (
        <section key={panel.id} id={`panel-${panel.id}`} aria-labelledby={`panel-${panel.id}-heading`} class={panel.tone === 'warning' ? 'tb-inset-text tb-inset-text--warning' : 'tb-inset-text'}>
          <Heading class={level === 2 ? 'tb-heading-m' : 'tb-heading-s'} id={`panel-${panel.id}-heading`}>{panel.heading}</Heading>
          {panel.lines.map((line, i) => <p class="tb-body" key={i}>{line}</p>)}
          {panel.links.length > 0 ? (
            <ul class="tb-list">{panel.links.map((link) => <li key={link.href}><a href={link.href}>{link.text}</a></li>)}</ul>
          ) : null}
        </section>
      ))}
    </>
  );
}
