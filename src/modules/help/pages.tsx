import type { VNode } from 'preact';
import { InsetText, Layout, SummaryList, renderPage, type LayoutProps } from '../../ui/index.js';
import { CONTACTS } from './contacts.js';
import type { Block, ContactRow, InfoPage } from './content.js';
import './messages.js';
import type { HelpKey } from './messages.js';

export type PageContext = Pick<LayoutProps, 'locale' | 't' | 'currentPath' | 'user' | 'csrfToken'>;

type Text = (key: HelpKey) => string;

/** One information page: title, lead paragraph, its blocks, then links to related pages. */
export function renderInfoPage(context: PageContext, page: InfoPage): string {
  // Every text may name a contact; giving all of them to every message keeps the content plain data.
  const text: Text = (key) => context.t(key, CONTACTS);
  const title = text(page.title);
  return renderPage(
    <Layout {...context} title={title}>
      <h1 class="tb-heading-xl">{title}</h1>
      <p class="tb-body">{text(page.lead)}</p>
      {page.blocks.map((block, i) => <BlockView key={i} block={block} text={text} />)}
      {page.related.length > 0 ? (
        <nav aria-labelledby="related-pages">
          <h2 class="tb-heading-m" id="related-pages">{text('help.related')}</h2>
          <ul class="tb-list">
            {page.related.map((link) => <li key={link.href}><a href={link.href}>{text(link.text)}</a></li>)}
          </ul>
        </nav>
      ) : null}
    </Layout>,
  );
}

function BlockView({ block, text }: { block: Block; text: Text }): VNode {
  switch (block.kind) {
    case 'h2': return <h2 class="tb-heading-m">{text(block.text)}</h2>;
    case 'p': return <p class="tb-body">{text(block.text)}</p>;
    case 'inset': return <InsetText><p class="tb-body">{text(block.text)}</p></InsetText>;
    case 'list': return (
      <>
        {block.intro ? <p class="tb-body">{text(block.intro)}</p> : null}
        <ul class="tb-list tb-list--bullet">{block.items.map((item) => <li key={item}>{text(item)}</li>)}</ul>
      </>
    );
    case 'facts': return <SummaryList rows={block.rows.map((row) => ({ key: text(row.label), value: text(row.value) }))} />;
    case 'contacts': return <SummaryList rows={block.rows.map((row) => ({ key: text(row.label), value: <ContactValue row={row} text={text} /> }))} />;
  }
}

function ContactValue({ row, text }: { row: ContactRow; text: Text }): VNode {
  if ('page' in row) return <a href={row.page.href}>{text(row.page.text)}</a>;
  return (
    <>
      <a href={row.address.href}>{row.address.text}</a>
      <br />
      <span class="tb-body-s">{text(row.note)}</span>
    </>
  );
}
