import { randomBytes } from 'node:crypto';
import type { LightMyRequestResponse } from 'fastify';
import { buildApp, type Built } from '../../app.js';
import { SESSION_COOKIE } from '../../kernel/auth/index.js';
import { createTestBrowser, csrfToken, signIn, type TestBrowser } from '../../kernel/auth/test-kit.js';
import { loadConfig } from '../../kernel/config/index.js';
import { LANG_COOKIE } from '../../kernel/i18n/plugin.js';
import type { TestDatabase } from '../../../test/helpers/databases.js';
import { modules } from '../index.js';

export const PUBLIC_URL = 'http://tongban.test';

/** The real app on a test database, with the demo people and the demo catalog seeded; on the given clock, if any. */
export async function demoApp(test: TestDatabase, now?: () => Date): Promise<Built> {
  const base = loadConfig({ NODE_ENV: 'test', TONGBAN_PUBLIC_URL: PUBLIC_URL, TONGBAN_DATA_DIR: ':memory:' });
  const built = await buildApp({ config: { ...base, database: test.config.database }, database: test.database, ...(now ? { now } : {}) });
  await built.app.ready();
  for (const mod of modules) await mod.seed?.({ kernel: built.kernel, services: built.services });
  return built;
}

/** A test browser signed in as a demo persona, in English. */
export async function personaBrowser(built: Built, persona: string): Promise<TestBrowser> {
  const browser = createTestBrowser(built.app, PUBLIC_URL);
  browser.setCookie(LANG_COOKIE, 'en');
  await signIn(browser, persona);
  return browser;
}

export interface TestFile { readonly filename: string; readonly type: string; readonly content: Buffer }

export const pdf = (extra = 'hello'): Buffer => Buffer.concat([Buffer.from('%PDF-1.7\n'), Buffer.from(extra), Buffer.from('\n%%EOF\n')]);
export const png = (size = 64): Buffer => Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.alloc(Math.max(0, size - 8), 1)]);
export const jpeg = (size = 64): Buffer => Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), Buffer.alloc(Math.max(0, size - 4), 2)]);

/** A multipart/form-data body as a browser sends it: fields, then files. */
export function multipartBody(fields: Record<string, string | string[]>, files: Record<string, TestFile>): { payload: Buffer; contentType: string } {
  const boundary = `----tongbantest${randomBytes(8).toString('hex')}`;
  const chunks: Buffer[] = [];
  for (const [name, value] of Object.entries(fields)) {
    for (const v of [value].flat()) chunks.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${v}\r\n`));
  }
  for (const [name, file] of Object.entries(files)) {
    chunks.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${name}"; filename="${file.filename}"\r\nContent-Type: ${file.type}\r\n\r\n`));
    chunks.push(file.content, Buffer.from('\r\n'));
  }
  chunks.push(Buffer.from(`--${boundary}--\r\n`));
  return { payload: Buffer.concat(chunks), contentType: `multipart/form-data; boundary=${boundary}` };
}

/** Posts a multipart form with the browser's cookies and the CSRF token of `page`. */
export async function postMultipart(built: Built, browser: TestBrowser, url: string, page: string, fields: Record<string, string | string[]>, files: Record<string, TestFile>): Promise<LightMyRequestResponse> {
  const { payload, contentType } = multipartBody({ _csrf: csrfToken(page), ...fields }, files);
  const cookie = [SESSION_COOKIE, 'tb_csrf', LANG_COOKIE].flatMap((name) => {
    const value = browser.cookie(name);
    return value === undefined ? [] : [`${name}=${value}`];
  }).join('; ');
  return built.app.inject({ method: 'POST', url, payload, headers: { host: new URL(PUBLIC_URL).host, accept: 'text/html', cookie, 'content-type': contentType } });
}

/** Posts an urlencoded form (repeated names allowed) with the CSRF token of `page`. */
export function postForm(browser: TestBrowser, url: string, page: string, fields: Record<string, string>): Promise<LightMyRequestResponse> {
  return browser.post(url, { _csrf: csrfToken(page), ...fields });
}

/** The application id in a `/applications/<id>/...` address. */
export function applicationIdOf(location: unknown): string {
  const id = /\/applications\/([0-9a-f-]{36})/.exec(String(location))?.[1];
  if (!id) throw new Error(`no application id in ${String(location)}`);
  return id;
}
