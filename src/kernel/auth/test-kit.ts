import type { InjectOptions, LightMyRequestResponse } from 'fastify';
import { CSRF_FIELD } from '../../ui/components/header.js';
import { DEMO_PASSWORD } from './idp/users.js';

/**
 * A small browser over `app.inject` for tests: it keeps cookies (by path), follows redirects
 * within Tongban's public origin, and fills in forms with their CSRF token. Other modules' tests
 * use `signIn` to act as a demo persona through the real sign-in flow.
 */
export interface TestBrowser {
  get(url: string): Promise<LightMyRequestResponse>;
  /** Posts a form: its fields by name, or as name and value pairs when a name repeats (checkboxes). */
  post(url: string, form: Record<string, string> | readonly (readonly [string, string])[]): Promise<LightMyRequestResponse>;
  /** Follows a redirect answer until a page answers (at most 10 hops). */
  follow(response: LightMyRequestResponse): Promise<LightMyRequestResponse>;
  cookie(name: string): string | undefined;
  setCookie(name: string, value: string, path?: string): void;
  deleteCookie(name: string): void;
}

interface JarCookie { value: string; path: string }

/** An app (or several behind a pretend load balancer): anything that answers `inject`. */
export interface Injectable {
  inject(options: InjectOptions): Promise<LightMyRequestResponse>;
}

export function createTestBrowser(app: Injectable, publicUrl: string): TestBrowser {
  const origin = new URL(publicUrl).origin;
  const jar = new Map<string, JarCookie>();

  const local = (url: string): string => {
    const target = new URL(url, `${origin}/`);
    if (target.origin !== origin) throw new Error(`test browser asked to leave ${origin} for ${target.origin}`);
    return `${target.pathname}${target.search}`;
  };
  const cookieHeader = (path: string) => [...jar.entries()]
    .filter(([, c]) => path === c.path || path.startsWith(c.path.endsWith('/') ? c.path : `${c.path}/`) || path.startsWith(`${c.path}?`))
    .map(([name, c]) => `${name}=${c.value}`).join('; ');
  const remember = (response: LightMyRequestResponse, requestPath: string) => {
    for (const c of response.cookies as { name: string; value: string; path?: string; maxAge?: number; expires?: Date }[]) {
      const gone = c.value === '' || c.maxAge === 0 || (c.expires !== undefined && c.expires.getTime() <= Date.now());
      if (gone) jar.delete(c.name);
      else jar.set(c.name, { value: c.value, path: c.path ?? requestPath.replace(/\/[^/]*$/, '/') });
    }
  };
  const send = async (method: 'GET' | 'POST', url: string, form?: Record<string, string> | readonly (readonly [string, string])[]) => {
    const path = local(url);
    const cookies = cookieHeader(path.split('?')[0] ?? path);
    const headers: Record<string, string> = { host: new URL(origin).host, accept: 'text/html' };
    if (cookies) headers.cookie = cookies;
    if (form) headers['content-type'] = 'application/x-www-form-urlencoded';
    const response = await app.inject({ method, url: path, headers, ...(form ? { payload: new URLSearchParams(form as Record<string, string> | string[][]).toString() } : {}) });
    remember(response, path);
    return response;
  };

  const browser: TestBrowser = {
    get: (url) => send('GET', url),
    post: (url, form) => send('POST', url, form),
    async follow(response) {
      let current = response;
      for (let hops = 0; current.statusCode >= 300 && current.statusCode < 400; hops += 1) {
        if (hops >= 10) throw new Error('too many redirects');
        const location = current.headers.location;
        if (typeof location !== 'string') throw new Error(`redirect ${current.statusCode} without a location`);
        current = await send('GET', location);
      }
      return current;
    },
    cookie: (name) => jar.get(name)?.value,
    setCookie: (name, value, path = '/') => { jar.set(name, { value, path }); },
    deleteCookie: (name) => { jar.delete(name); },
  };
  return browser;
}

/** The value of a hidden or text input in a page. */
export function inputValue(html: string, name: string): string | undefined {
  const input = new RegExp(`<input[^>]*name="${name}"[^>]*>`).exec(html)?.[0];
  return input ? /value="([^"]*)"/.exec(input)?.[1] : undefined;
}

/** The `action` of the first form in a page whose action matches. */
export function formAction(html: string, matching: RegExp = /./): string | undefined {
  for (const m of html.matchAll(/<form[^>]*action="([^"]+)"/g)) if (m[1] && matching.test(m[1])) return m[1].replaceAll('&amp;', '&');
  return undefined;
}

export function csrfToken(html: string): string {
  const token = inputValue(html, CSRF_FIELD);
  if (!token) throw new Error('page has no CSRF token');
  return token;
}

/**
 * Signs in as a demo persona through the built-in IdP, as a person would: Tongban's sign-in,
 * the IdP's login page, the form, and back. Returns the page Tongban lands on.
 */
export async function signIn(browser: TestBrowser, persona: string, options: { password?: string; returnTo?: string } = {}): Promise<LightMyRequestResponse> {
  const login = await browser.follow(await browser.get(`/auth/signin?returnTo=${encodeURIComponent(options.returnTo ?? '/account')}`));
  const action = formAction(login.body, /\/interaction\//);
  if (login.statusCode !== 200 || !action) throw new Error(`no IdP login page (status ${login.statusCode})`);
  const submitted = await browser.post(action, { [CSRF_FIELD]: csrfToken(login.body), persona, password: options.password ?? DEMO_PASSWORD });
  return browser.follow(submitted);
}
