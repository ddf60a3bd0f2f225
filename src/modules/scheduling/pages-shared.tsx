import type { VNode } from 'preact';
import { CSRF_FIELD, type LayoutProps } from '../../ui/index.js';
import './messages.js';

export type PageContext = Pick<LayoutProps, 'locale' | 't' | 'currentPath' | 'user' | 'csrfToken'>;

export function CsrfField({ token }: { token: string | undefined }): VNode {
  return <input type="hidden" name={CSRF_FIELD} value={token} />;
}

/** Earlier choices carried to the next step of a GET form, so the journey needs no session state. */
export function Carry({ values }: { values: Readonly<Record<string, string | undefined>> }): VNode {
  return <>{Object.entries(values).map(([name, value]) => (value === undefined ? null : <input type="hidden" name={name} value={value} key={name} />))}</>;
}
