import type { VNode } from 'preact';
import { CSRF_FIELD, ErrorSummary, Table, type LayoutProps, type TableProps } from '../../ui/index.js';

export type PageContext = Pick<LayoutProps, 'locale' | 't' | 'currentPath' | 'user' | 'csrfToken'>;

/** A field's message on a page shown again after a post: the summary links to `fieldId`. */
export interface PageError { readonly fieldId: string; readonly text: string }

export const errorFor = (errors: readonly PageError[], fieldId: string): string | undefined => errors.find((e) => e.fieldId === fieldId)?.text;

export function Csrf({ token }: { token: string | undefined }): VNode {
  return <input type="hidden" name={CSRF_FIELD} value={token} />;
}

export function Errors({ errors }: { errors: readonly PageError[] }): VNode | null {
  return errors.length === 0 ? null : <ErrorSummary errors={errors} />;
}

/** Plain text kept as paragraphs; escaped like any other text. */
export function Paragraphs({ text }: { text: string }): VNode {
  return <>{text.split(/\n{2,}/).map((p, i) => <p class="tb-body" key={i}>{p}</p>)}</>;
}

/** A table that scrolls sideways inside its own box (focusable, named by its caption) on a narrow screen. */
export function WideTable(props: TableProps): VNode {
  return <div class="tb-table-wrapper" tabIndex={0} role="region" aria-label={props.caption}><Table {...props} /></div>;
}
