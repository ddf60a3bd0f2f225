import type { VNode } from 'preact';
import { renderToString } from 'preact-render-to-string';

/**
 * A whole HTML document. Preact escapes every text and attribute value; the only way to emit raw
 * markup is `dangerouslySetInnerHTML`, which src/ui never uses (see docs/adr/0005).
 */
export function renderPage(vnode: VNode): string {
  return `<!doctype html>${renderToString(vnode)}`;
}

/** A fragment, for tests and for pieces sent on their own. */
export function renderFragment(vnode: VNode): string {
  return renderToString(vnode);
}
