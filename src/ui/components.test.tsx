import cookie from '@fastify/cookie';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Fastify from 'fastify';
import type { VNode } from 'preact';
import { describe, expect, it } from 'vitest';
import { errorHandlerPlugin, TongbanError } from '../kernel/http/index.js';
import { i18nPlugin } from '../kernel/i18n/plugin.js';
import { componentExamples } from './examples.js';
import {
  Checkboxes, DateInput, dateInputTarget, ErrorSummary, Header, Layout, Radios, renderErrorPage, renderFragment, renderPage,
  Select, SummaryList, Table, Textarea, TextInput, UiTextProvider, uiTextFor,
} from './index.js';

const UI_DIR = fileURLToPath(new URL('.', import.meta.url));
const XSS = '<script>alert("x")</script>';

function html(node: VNode, locale: 'en' | 'zh-CN' = 'en'): string {
  return renderFragment(<UiTextProvider value={uiTextFor(locale)}>{node}</UiTextProvider>);
}

describe('escaping', () => {
  const cases: [string, VNode][] = [
    ['text input', <TextInput name="n" label={XSS} hint={XSS} error={XSS} value={XSS} />],
    ['textarea', <Textarea name="n" label={XSS} value={`</textarea>${XSS}`} />],
    ['radios', <Radios name="n" label={XSS} value={XSS} items={[{ value: XSS, text: XSS, hint: XSS }]} />],
    ['checkboxes', <Checkboxes name="n" label={XSS} value={[XSS]} items={[{ value: XSS, text: XSS }]} />],
    ['select', <Select name="n" label={XSS} items={[{ value: XSS, text: XSS }]} />],
    ['date input', <DateInput name="n" label={XSS} error={XSS} value={{ day: XSS, month: XSS, year: XSS }} />],
    ['summary list', <SummaryList rows={[{ key: XSS, value: XSS, change: { href: '/x', visuallyHiddenText: XSS } }]} />],
    ['table', <Table caption={XSS} head={[XSS]} rows={[[XSS]]} />],
    ['error summary', <ErrorSummary errors={[{ fieldId: 'a"><script>', text: XSS }]} />],
  ];
  for (const [name, node] of cases) {
    it(`${name}: a <script> in what people type is rendered as text`, () => {
      const out = html(node);
      expect(out).not.toContain('<script>');
      expect(out).toContain('&lt;script>');
    });
  }

  it('a signed-in name cannot break out of the header', () => {
    const out = html(<Header currentPath="/" user={{ name: XSS }} csrfToken={'"><script>'} />);
    expect(out).not.toContain('<script>');
    expect(out).toContain('value="&quot;>&lt;script>"');
  });

  it('no component reaches for raw markup, and no example emits a script', () => {
    // The one raw-markup escape hatch must stay out of the design system (docs/adr/0005).
    const sources = readdirSync(UI_DIR, { recursive: true, encoding: 'utf8' })
      .filter((f) => /\.tsx?$/.test(f) && !f.includes('.test.'));
    expect(sources.length).toBeGreaterThan(50);
    for (const file of sources) expect(readFileSync(join(UI_DIR, file), 'utf8'), file).not.toMatch(/dangerouslySetInnerHTML\s*[=:]/);
    for (const [component, examples] of Object.entries(componentExamples)) {
      for (const example of examples) {
        const out = renderPage(<Layout title="t" locale="en" t={uiTextFor('en').t}>{example.render((en) => `${en}${XSS}`)}</Layout>);
        expect(out, `${component}: ${example.name}`).not.toContain('<script');
      }
    }
  });
});

describe('error summary', () => {
  it('links each error to the id of its field, and the field carries that id', () => {
    const out = html(
      <>
        <ErrorSummary errors={[{ fieldId: 'email', text: 'Enter an email' }, { fieldId: dateInputTarget('dob', ['year']), text: 'Enter a year' }]} />
        <TextInput name="email" label="Email" error="Enter an email" />
        <DateInput name="dob" label="Date of birth" error="Enter a year" errorParts={['year']} />
      </>,
    );
    const hrefs = [...out.matchAll(/<a href="#([^"]+)">/g)].map((m) => m[1]);
    expect(hrefs).toEqual(['email', 'dob-year']);
    for (const id of hrefs) expect(out).toContain(`id="${id}"`);
    expect(out).toMatch(/class="tb-error-summary" role="alert" tabindex="-1" autofocus/);
    expect(out).toContain('There is a problem');
  });

  it('says "There is a problem" in Chinese on a zh-CN page, and renders nothing without errors', () => {
    expect(html(<ErrorSummary errors={[{ fieldId: 'a', text: '请输入' }]} />, 'zh-CN')).toContain('出现问题');
    expect(html(<ErrorSummary errors={[]} />)).toBe('');
  });

  it('the first radio carries the field id, so the summary link lands on a real control', () => {
    const out = html(<Radios name="hall" label="Hall" error="Select a hall" items={[{ value: 'n', text: 'North' }, { value: 's', text: 'South' }]} />);
    expect(out).toContain('id="hall" name="hall" type="radio" value="n"');
    expect(out).toContain('id="hall-2"');
    expect(out).toContain('aria-describedby="hall-error"');
  });
});

describe('form fields keep what people typed', () => {
  it('text, choices, dates and selects are shown again as given', () => {
    expect(html(<TextInput name="a" label="A" value="typed" />)).toContain('value="typed"');
    expect(html(<Radios name="r" label="R" value="b" items={[{ value: 'a', text: 'A' }, { value: 'b', text: 'B' }]} />)).toMatch(/value="b" checked/);
    expect(html(<Checkboxes name="c" label="C" value={['a']} items={[{ value: 'a', text: 'A' }, { value: 'b', text: 'B' }]} />)).toMatch(/value="a" checked[^>]*>[^]*value="b"\/>/);
    expect(html(<Select name="s" label="S" value="y" items={[{ value: 'x', text: 'X' }, { value: 'y', text: 'Y' }]} />)).toContain('<option value="y" selected>');
    const date = html(<DateInput name="d" label="D" value={{ day: '31', month: '2', year: '19x9' }} />);
    expect(date).toContain('name="d-day" type="text" inputmode="numeric" value="31"');
    expect(date).toContain('value="19x9"');
  });

  it('describes each field by its hint and error, in that order', () => {
    expect(html(<TextInput name="a" label="A" hint="H" error="E" />)).toContain('aria-describedby="a-hint a-error" aria-invalid="true"');
  });
});

describe('layout and header', () => {
  const { t } = uiTextFor('zh-CN');

  it('renders a whole zh-CN document with the stylesheet, skip link and main landmark', () => {
    const out = renderPage(<Layout title="申请" locale="zh-CN" t={t} currentPath="/apply?step=2" hasErrors><p>内容</p></Layout>);
    expect(out.startsWith('<!doctype html><html lang="zh-CN"')).toBe(true);
    expect(out).toContain('<title>错误： 申请 - Tongban 通办</title>');
    expect(out).toContain('name="viewport"');
    expect(out).toMatch(/<link rel="stylesheet" href="\/assets\/tongban\.css\?v=[0-9a-f]{12}"\/>/);
    expect(out).toMatch(/<body class="tb-template__body"><a href="#main-content" class="tb-skip-link">跳到主要内容<\/a>/);
    expect(out).toContain('<main class="tb-main-wrapper" id="main-content"><p>内容</p></main>');
    expect(out).not.toMatch(/style=|<script/);
  });

  it('offers the other language with its lang attribute and a link back to this page', () => {
    const out = renderPage(<Layout title="申请" locale="zh-CN" t={t} currentPath="/apply?step=2&x=1"><p /></Layout>);
    expect(out).toContain('<a class="tb-header__link" href="/lang/en?next=%2Fapply%3Fstep%3D2%26x%3D1" lang="en" hreflang="en">English</a>');
    expect(out).toContain('<span class="tb-header__current" lang="zh-CN" aria-current="true">简体中文</span>');
  });

  it('signed out: a sign-in link; signed in: the name and a sign-out form carrying the CSRF token', () => {
    expect(html(<Header currentPath="/" />)).toContain('<a class="tb-header__link" href="/auth/signin">Sign in</a>');
    const signedIn = html(<Header currentPath="/" user={{ name: 'Li Wei' }} csrfToken="tok123" />);
    expect(signedIn).toContain('<form method="post" action="/auth/signout"');
    expect(signedIn).toContain('Signed in as Li Wei');
    expect(signedIn).toContain('<input type="hidden" name="_csrf" value="tok123"/>');
    expect(signedIn).toContain('<button type="submit" class="tb-header__link-button">Sign out</button>');
  });

  it('refuses to render a sign-out form without a CSRF token', () => {
    expect(() => html(<Header currentPath="/" user={{ name: 'Li Wei' }} />)).toThrow(/csrfToken/);
  });

  it('a component outside Layout fails loudly instead of guessing a language', () => {
    expect(() => renderFragment(<ErrorSummary errors={[{ fieldId: 'a', text: 'x' }]} />)).toThrow(/outside Layout/);
  });
});

describe('error page', () => {
  async function app() {
    const server = Fastify();
    await server.register(errorHandlerPlugin, { renderErrorPage });
    await server.register(cookie);
    await server.register(i18nPlugin);
    server.get('/forbidden', () => { throw new TongbanError('TB_KERNEL_FORBIDDEN'); });
    return server;
  }

  it('shows the translated message and the request id, in the request language', async () => {
    const server = await app();
    const zh = await server.inject({ url: '/forbidden', headers: { accept: 'text/html', 'accept-language': 'zh-CN' } });
    expect(zh.statusCode).toBe(403);
    expect(zh.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(zh.body).toContain('<html lang="zh-CN"');
    expect(zh.body).toContain('<h1 class="tb-heading-l">您没有权限执行此操作</h1>');
    expect(zh.body).toContain('请提供此编号：req-1');
    const en = await server.inject({ url: '/missing?lang=en', headers: { accept: 'text/html' } });
    expect(en.statusCode).toBe(404);
    expect(en.body).toContain('<h1 class="tb-heading-l">Page not found</h1>');
    expect(en.body).toContain('quote this reference: req-2');
    expect(en.body).toContain('href="/lang/zh-CN?next=%2Fmissing%3Flang%3Den"');
    expect(en.body).not.toContain('Sign in');
    await server.close();
  });

  it('API clients still get problem+json', async () => {
    const server = await app();
    const res = await server.inject({ url: '/forbidden', headers: { accept: 'application/json' } });
    expect(res.headers['content-type']).toContain('application/problem+json');
    await server.close();
  });
});
