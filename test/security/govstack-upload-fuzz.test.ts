import { randomBytes, randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { sql } from 'kysely';
import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createClientAssertion, seedDemoClient, tokenRequestBody } from '../../src/kernel/auth/machine/index.js';
import { SESSION_COOKIE } from '../../src/kernel/auth/index.js';
import { createTestBrowser, csrfToken, signIn } from '../../src/kernel/auth/test-kit.js';
import { sniffType, TYPE_NAMES } from '../../src/modules/applications/files.js';
import { specViolations } from '../../src/modules/govstack-registration/test-kit.js';
import { migrationSources } from '../../src/modules/index.js';
import { describeEachDatabase } from '../helpers/databases.js';
import { familiesOf, fuzzRunsOverride, reportFigure, scaled, shardNote } from '../helpers/scale.js';
import { nasty } from './fuzz-arbitraries.js';
import { filePart, type FilePart } from './forms.js';
import { PUBLIC_URL, securityApp, type SecurityApp } from './harness.js';
import { leakIn } from './leak.js';
import { trustedFileNames } from './stored.js';

/**
 * Property-based fuzzing of the GovStack Registration upload `POST /govstack/registration/documents`
 * (issue 9) with generated files, as the two callers that may upload (a system's token with
 * `registration:apply`, a signed-in person with the CSRF header), so the handler runs. The body is
 * multipart: mostly one `file` part, else none, several, or parts under other names, with stray
 * text fields; each file is one of forms.ts's (empty, oversize, random bytes, HTML/SVG/script, a
 * claimed type or extension that disagrees with the bytes, hostile names); the query's
 * `additionalMetadata` and the Idempotency-Key are offered, hostile or left out. Never a 5xx, never
 * an internal detail; a refusal is problem+json with a code. An accepted file is read back through
 * its `url`: the same bytes, the type its bytes give, a download name we made up. Afterwards every
 * kept upload's name and type are checked (stored.ts). The other way files arrive there, an
 * application's `documentUrls` (base64 data URLs with a generated claimed type and parameters, or
 * the url of an upload of a generated file), is fuzzed the same way on the sole-trader licence: an
 * accepted application keeps each document with the bytes sent, the type they give (one the
 * document accepts) within its size. TONGBAN_FUZZ_RUNS sets the runs for a measurement.
 * Three families, each with its full count: the upload as a system, the upload as a person, and
 * the documentUrls (both callers); `test:long --shards N` gives each process (with its own app and
 * seed) a share of them (TONGBAN_FUZZ_SHARD, scale.ts), and a shard with none of them still runs
 * the check of the stored-file check.
 */
const RUNS = fuzzRunsOverride ?? scaled(12, 10_000);
const BASE = '/govstack/registration/documents';
const MAX_BYTES = 10 * 1024 * 1024;

type Caller = 'system' | 'person';
const UPLOAD_FAMILIES: Record<Caller, string> = { system: 'upload as a system', person: 'upload as a person' };
const DOCUMENT_URLS = 'documentUrls';
const FAMILIES = [UPLOAD_FAMILIES.system, UPLOAD_FAMILIES.person, DOCUMENT_URLS];
/** This process's families (all three unless TONGBAN_FUZZ_SHARD). */
const MINE = new Set(familiesOf(FAMILIES, (name) => name));
const SHARD = shardNote(MINE.size, FAMILIES.length);
/** One multipart part: a file (with a name and a claimed type) or a text field. */
type Part = { readonly name: string; readonly file: FilePart } | { readonly name: string; readonly text: string };

/** A multipart body with parts in order, names repeated as a client may send them. */
function multipart(parts: readonly Part[]): { payload: Buffer; contentType: string } {
  const boundary = `----tongbanfuzz${randomBytes(8).toString('hex')}`;
  const chunks = parts.flatMap((p) => ('file' in p
    ? [Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${p.name}"; filename="${p.file.filename}"\r\nContent-Type: ${p.file.type}\r\n\r\n`), p.file.content, Buffer.from('\r\n')]
    : [Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${p.name}"\r\n\r\n${p.text}\r\n`)]));
  return { payload: Buffer.concat([...chunks, Buffer.from(`--${boundary}--\r\n`)]), contentType: `multipart/form-data; boundary=${boundary}` };
}

const fileAs = (name: fc.Arbitrary<string>): fc.Arbitrary<Part> => fc.record({ name, file: filePart });
/** Mostly the one `file` part the route asks for; sometimes none, two, or files under other names. */
const partsArb: fc.Arbitrary<Part[]> = fc.tuple(
  fc.oneof(
    { arbitrary: fileAs(fc.constant('file')).map((p) => [p]), weight: 8 },
    { arbitrary: fc.array(fileAs(fc.constantFrom('file', 'File', 'document', 'file[]')), { maxLength: 3 }), weight: 2 },
  ),
  // Stray text fields, a text `file` among them (hostile values, NUL included: the kernel refuses those).
  fc.array(fc.record({ name: fc.constantFrom('file', 'additionalMetadata', 'note', '__proto__'), text: nasty.map((v) => [...v].slice(0, 1000).join('')) }), { maxLength: 2 }),
).map(([files, texts]) => [...texts, ...files]);

const requestAs = (caller: Caller) => fc.record({
  caller: fc.constant(caller),
  parts: partsArb,
  // The service's documents, another word, or something hostile (cut as a real address would be).
  metadata: fc.option(fc.oneof(fc.constantFrom('premises_proof', 'photo', 'id_card'), nasty.map((v) => [...v].slice(0, 1000).join(''))), { nil: undefined }),
  // None, a fresh key, a few keys shared across runs (reused with another file), malformed ones.
  key: fc.oneof(
    { arbitrary: fc.constant(undefined), weight: 6 },
    { arbitrary: fc.uuid().map((u) => `fuzz-${u}`), weight: 2 },
    { arbitrary: fc.constantFrom('fuzz-upload-0001', 'fuzz-upload-0002', 'short', 'has space!', 'k'.repeat(129)), weight: 1 },
  ),
  // Sent again as a client retries after an unknown outcome: with a key, the same answer and no second file.
  retry: fc.boolean(),
});

/** Fixed examples besides the generated ones, so kept uploads with hostile names exist in every run. */
const PDF = Buffer.from('%PDF-1.7\nfuzz\n');
const PNG = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 1, 2, 3]);
type Request = ReturnType<typeof requestAs> extends fc.Arbitrary<infer T> ? T : never;
const EXAMPLES: [Request][] = [
  [{ caller: 'system', parts: [{ name: 'file', file: { filename: '../../etc/passwd', type: 'application/octet-stream', content: PDF } }], metadata: 'premises_proof', key: undefined, retry: false }],
  [{ caller: 'person', parts: [{ name: 'file', file: { filename: 'invoice\u202efdp.exe', type: 'image/png', content: PNG } }], metadata: undefined, key: undefined, retry: false }],
  [{ caller: 'system', parts: [{ name: 'file', file: { filename: `${'文'.repeat(300)}.pdf`, type: 'application/pdf', content: PDF } }], metadata: undefined, key: undefined, retry: false }],
  [{ caller: 'person', parts: [{ name: 'file', file: { filename: 'C:\\Windows\\system32\\x.pdf', type: '', content: PDF } }], metadata: 'photo', key: 'fuzz-upload-fixed', retry: true }],
];

/**
 * The sole-trader licence's two documents (demo/catalog), which an application may also send
 * inline in `documentUrls` as base64 data URLs, or name by the `url` of an upload.
 */
const SOLE = '95b8e774-a8c4-4de6-bbd6-3d74151c3178';
const DOCS = [
  { id: 'premises_proof', accept: ['application/pdf', 'image/jpeg', 'image/png'], max: 10 * 1024 * 1024 },
  { id: 'operator_id', accept: ['image/jpeg', 'image/png'], max: 5 * 1024 * 1024 },
] as const;
const DATA = {
  operator: { operator_name: '张伟', operator_id_number: '110101199003072359', operator_phone: '13800138000' },
  business: {
    organisation: 'individual', business_address: { province: '北京市', city: '北京市', district: '朝阳区', line1: '建国路1号' },
    business_scope: ['retail'], scope_detail: 'Selling fruit', employees: 2, capital: { amount: 500000, currency: 'CNY' },
  },
};
/** The citizen's resident ID number, by which a system applies for them. */
const CITIZEN_ID = '110101199003072359';
/** Where one document comes from: a data URL (its claimed type and parameters generated), or an upload (its metadata generated). */
type Source = { readonly kind: 'data'; readonly type: string; readonly params: string; readonly file: FilePart } | { readonly kind: 'upload'; readonly metadata: string; readonly file: FilePart };
const sourceFor = (id: string, other: string): fc.Arbitrary<Source> => fc.oneof(
  { arbitrary: fc.record({
    kind: fc.constant('data' as const),
    type: fc.constantFrom('application/pdf', 'image/png', 'image/jpeg', 'IMAGE/JPEG', 'text/html', 'image/svg+xml', 'application/octet-stream'),
    params: fc.constantFrom(`;name=${id}`, `;name=${id}`, `;NAME=${id}`, `;charset=utf-8;name=${id}`, `;name=${id};name=x`, '', `;name=../${id}`, `;name=${other}`),
    file: filePart,
  }), weight: 3 },
  { arbitrary: fc.record({ kind: fc.constant('upload' as const), metadata: fc.constantFrom(id, id, other, 'x'), file: filePart }), weight: 1 },
);
const applicationArb = fc.record({
  caller: fc.constantFrom<Caller>('system', 'person'),
  sources: fc.tuple(sourceFor('premises_proof', 'operator_id'), sourceFor('operator_id', 'premises_proof')),
  order: fc.constantFrom('both', 'both', 'both', 'reversed', 'first only', 'first twice'),
});

type ApplicationRequest = typeof applicationArb extends fc.Arbitrary<infer T> ? T : never;
const JPEG = Buffer.from([0xff, 0xd8, 0xff, 0xe0, 1, 2, 3]);
/** Applications that must be accepted: a data URL and an upload, hostile names, unknown claims. */
const APPLICATION_EXAMPLES: [ApplicationRequest][] = [
  [{ caller: 'system', order: 'both', sources: [
    { kind: 'data', type: 'application/pdf', params: ';name=premises_proof', file: { filename: '', type: '', content: PDF } },
    { kind: 'upload', metadata: 'operator_id', file: { filename: '../../etc/passwd', type: 'application/octet-stream', content: PNG } },
  ] }],
  [{ caller: 'person', order: 'reversed', sources: [
    { kind: 'upload', metadata: 'premises_proof', file: { filename: 'invoice\u202efdp.exe', type: 'image/jpeg', content: JPEG } },
    { kind: 'data', type: 'application/octet-stream', params: ';charset=utf-8;name=operator_id', file: { filename: '', type: '', content: JPEG } },
  ] }],
];

/** Never a 5xx or an internal detail (`echoed`: the request's own texts); a refusal is problem+json with a code (counted by code). */
function checkAnswer(where: string, res: LightMyRequestResponse, refused: Map<string, number>, echoed: readonly string[]): void {
  expect(res.statusCode >= 500, `${where}: ${res.body.slice(0, 400)}`).toBe(false);
  // What the request sent may come back (the URL as the problem's instance); that is no leak.
  expect(leakIn(res.body, echoed), `${where} leaks: ${res.body.slice(0, 400)}`).toBeUndefined();
  if (res.statusCode < 400) {
    expect(res.statusCode, where).toBe(200);
    return;
  }
  expect(res.headers['content-type'], where).toMatch(/^application\/problem\+json/);
  const code = String(res.json<{ code?: unknown }>().code);
  expect(code, where).toMatch(/^TB_[A-Z0-9_]+$/);
  refused.set(code, (refused.get(code) ?? 0) + 1);
}

describeEachDatabase('fuzzing the GovStack Registration upload and documentUrls with generated files', migrationSources, (use) => {
  let s: SecurityApp;
  const auth: Record<Caller, Record<string, string>> = { system: {}, person: {} };

  beforeAll(async () => {
    s = await securityApp(use());
    const { app, kernel } = s.built;
    // A system with the right to upload, and nothing else.
    const demo = await seedDemoClient(kernel.db, { clientId: 'upload-fuzz', name: 'upload-fuzz', organisation: 'CN/GOV/110000-CAB/upload-fuzz', scopes: ['registration:apply'] });
    const assertion = await createClientAssertion({ clientId: 'upload-fuzz', privateJwk: demo.privateJwk, audience: app.machineAuth.tokenUrl });
    const token = await app.inject({ method: 'POST', url: '/oauth/token', headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: tokenRequestBody(assertion, ['registration:apply']) });
    auth.system = { authorization: `Bearer ${token.json<{ access_token: string }>().access_token}` };
    // A person's session, with the CSRF token in the header as an API client of the session sends it.
    const browser = createTestBrowser(app, PUBLIC_URL);
    await signIn(browser, 'citizen');
    const csrf = csrfToken((await browser.get('/account')).body);
    auth.person = { cookie: [SESSION_COOKIE, 'tb_csrf'].map((n) => `${n}=${browser.cookie(n) ?? ''}`).join('; '), 'x-csrf-token': csrf };
  }, 240_000);
  afterAll(async () => { await s.close(); });

  const send = (caller: Caller, method: 'GET' | 'POST', url: string, body?: { payload: Buffer; contentType: string }, key?: string): Promise<LightMyRequestResponse> => s.built.app.inject({
    method, url,
    headers: { host: new URL(PUBLIC_URL).host, accept: 'application/json', ...auth[caller], ...(body ? { 'content-type': body.contentType } : {}), ...(key === undefined ? {} : { 'idempotency-key': key }) },
    ...(body ? { payload: body.payload } : {}),
  });

  const uploadRows = async () => Number((await sql<{ n: string }>`select count(*) as n from application_uploads`.execute(s.built.kernel.db)).rows[0]?.n ?? 0);

  // One family per caller, each with its fixed examples; registered only in its family shard.
  for (const family of (['system', 'person'] as const).filter((caller) => MINE.has(UPLOAD_FAMILIES[caller]))) it(`${UPLOAD_FAMILIES[family]}: never answers a generated upload with a 5xx or an internal detail; refusals are problem+json with a code; a kept file reads back as its bytes say`, async () => {
    const started = performance.now();
    const counts = { requests: 0, kept: 0, replayed: 0, files: 0, refused: new Map<string, number>() };
    const examples = EXAMPLES.filter(([example]) => example.caller === family);
    const before = await uploadRows();
    await fc.assert(fc.asyncProperty(requestAs(family), async ({ caller, parts, metadata, key, retry }) => {
      const files = parts.filter((p): p is Extract<Part, { file: FilePart }> => 'file' in p);
      counts.files += files.length;
      const url = metadata === undefined ? BASE : `${BASE}?additionalMetadata=${encodeURIComponent(metadata)}`;
      const where = `${caller} POST ${url.slice(0, 120)} key=${String(key)} parts=[${parts.map((p) => ('file' in p ? `${p.name}: ${JSON.stringify(p.file.filename).slice(0, 60)} ${p.file.type} ${p.file.content.length} B` : `${p.name}=${JSON.stringify(p.text.slice(0, 20))}`)).join(', ')}]`;
      const body = multipart(parts);
      const res = await send(caller, 'POST', url, body, key);
      counts.requests += 1;
      const echoed = [url, ...parts.map((p) => ('file' in p ? p.file.filename : p.text))];
      checkAnswer(`${where} → ${res.statusCode}`, res, counts.refused, echoed);
      // A retry after an unknown outcome, with its key: the same answer, and no second file.
      const again = retry && key !== undefined ? await send(caller, 'POST', url, body, key) : undefined;
      if (again) {
        counts.requests += 1;
        checkAnswer(`retry of ${where} → ${again.statusCode}`, again, counts.refused, echoed);
        expect(again.statusCode, `retry of ${where}: ${again.body.slice(0, 300)}`).toBe(res.statusCode);
      }
      if (res.statusCode >= 400) return;
      const answer = res.json<{ type: string; url: string }>();
      expect(specViolations('main', '/documents', 'post', '200', answer), where).toEqual([]);
      // Accepted: exactly one file in the part named file (files under other names are ignored, as
      // stray fields are; a replay answers the first upload, whose bytes are in the key's fingerprint).
      const named = files.filter((p) => p.name === 'file');
      const content = named[0]?.file.content ?? Buffer.alloc(0);
      expect(named.length, `${where}: accepted without exactly one file in the part named file`).toBe(1);
      expect(content.length > 0 && content.length <= MAX_BYTES, `${where}: accepted ${content.length} bytes`).toBe(true);
      expect(answer.type, `${where}: type answered is not the one its bytes give`).toBe(sniffType(content));
      if (res.headers['idempotent-replayed'] === 'true') counts.replayed += 1; else counts.kept += 1;
      if (again) {
        counts.replayed += 1;
        expect(again.headers['idempotent-replayed'], `retry of ${where}`).toBe('true');
        expect(again.json<{ url: string }>().url, `retry of ${where}`).toBe(answer.url);
      }
      // Read back through its url: the same bytes, the sniffed type, a download name we made up.
      const back = await send(caller, 'GET', new URL(answer.url).pathname);
      expect(back.statusCode, `${where}: read back`).toBe(200);
      expect(back.headers['content-type'], where).toBe(answer.type);
      expect(back.headers['content-disposition'], where).toMatch(/^attachment; filename="upload\.(pdf|jpg|png)"$/);
      expect(Buffer.compare(back.rawPayload, content), `${where}: read back other bytes`).toBe(0);
    }), { numRuns: RUNS, examples });
    const rows = (await uploadRows()) - before;
    reportFigure(`GovStack upload fuzzing (${SHARD}), ${UPLOAD_FAMILIES[family]}: ${counts.requests} uploads (${examples.length} fixed, the rest generated, retries included) to POST ${BASE}, ${counts.files} generated files; ${counts.kept} kept (each read back: its bytes, its sniffed type; ${rows} rows added), ${counts.replayed} replayed; refused: ${[...counts.refused].map(([c, n]) => `${c} ${n}`).join(', ')}; no 5xx, no leak; ${((performance.now() - started) / Math.max(counts.requests, 1)).toFixed(1)} ms per upload with generation and checks`);
    // The fixed examples are kept files, so the read-back and the stored checks ran on real uploads.
    expect(examples.length).toBeGreaterThan(0);
    expect(counts.kept).toBeGreaterThanOrEqual(examples.length);
    // A refused file keeps nothing, a replay keeps no second file.
    expect(rows).toBe(counts.kept);
  }, 3_600_000);

  if (MINE.has(DOCUMENT_URLS)) it(`${DOCUMENT_URLS}: never answers a generated application's documents (data URLs and uploads of generated files) with a 5xx or a leak; an accepted application keeps each file as its bytes say`, async () => {
    const started = performance.now();
    const counts = { requests: 0, accepted: 0, files: 0, refused: new Map<string, number>() };
    const citizen = (await s.principal('citizen')).accountId;
    const mediator: Record<Caller, string> = { system: 'CN/GOV/110000-CAB/upload-fuzz', person: 'CN/GOV/110000-CAB/citizen-app' };
    await fc.assert(fc.asyncProperty(applicationArb, async ({ caller, sources, order }) => {
      // Each source becomes a documentUrls entry: a data URL, or the url of an upload made now (a
      // refused upload leaves a url that was never answered, which the application must refuse).
      const urls: string[] = [];
      for (const source of sources) {
        if (source.kind === 'data') {
          urls.push(`data:${source.type}${source.params};base64,${source.file.content.toString('base64')}`);
          continue;
        }
        const upUrl = `${BASE}?additionalMetadata=${source.metadata}`;
        const up = await send(caller, 'POST', upUrl, multipart([{ name: 'file', file: source.file }]));
        counts.requests += 1;
        checkAnswer(`${caller} upload for an application → ${up.statusCode}`, up, counts.refused, [upUrl, source.file.filename]);
        urls.push(up.statusCode === 200 ? up.json<{ url: string }>().url : `${PUBLIC_URL}${BASE}/${randomUUID()}`);
      }
      const [first = '', second = ''] = urls;
      const documentUrls = order === 'both' ? [first, second] : order === 'reversed' ? [second, first] : order === 'first only' ? [first] : [first, first];
      const where = `${caller} POST /services/${SOLE}/applications ${order} [${sources.map((src) => (src.kind === 'data' ? `data:${src.type}${src.params}` : `upload ${src.metadata}`) + ` ${src.file.type} ${src.file.content.length} B`).join(', ')}]`;
      const res = await s.built.app.inject({
        method: 'POST', url: `/govstack/registration/services/${SOLE}/applications`,
        headers: { host: new URL(PUBLIC_URL).host, accept: 'application/json', 'content-type': 'application/json', 'information-mediator-client': mediator[caller], ...auth[caller] },
        payload: JSON.stringify({ applicantId: caller === 'system' ? CITIZEN_ID : citizen, formData: { data: DATA }, documentUrls }),
      });
      counts.requests += 1;
      counts.files += documentUrls.length;
      checkAnswer(`${where} → ${res.statusCode}`, res, counts.refused, documentUrls);
      if (res.statusCode >= 400) return;
      counts.accepted += 1;
      // Accepted: both documents, each kept with the bytes sent, the type they give (one the document
      // accepts, and the one a data URL claimed when it claimed a type we know), within its size.
      expect(order === 'both' || order === 'reversed', `${where}: accepted ${order}`).toBe(true);
      const fileId = res.json<{ fileId: string }>().fileId;
      const kept = (await sql<{ slot: string; content_type: string; content: Uint8Array }>`select slot, content_type, content from application_files where application_id = ${fileId}`.execute(s.built.kernel.db)).rows;
      expect(kept.map((k) => k.slot).sort(), where).toEqual(DOCS.map((d) => `document:${d.id}`).sort());
      for (const doc of DOCS) {
        // The source that named this document (a data URL's first name parameter, an upload's metadata).
        const named = sources.filter((src) => (src.kind === 'data' ? /;name=([^;]*)/i.exec(src.params)?.[1] : src.metadata) === doc.id);
        expect(named.length, `${where}: ${doc.id} named by ${named.length} entries`).toBe(1);
        const source = named[0];
        const row = kept.find((k) => k.slot === `document:${doc.id}`);
        const sniffed = sniffType(source?.file.content ?? new Uint8Array());
        expect(Buffer.compare(Buffer.from(row?.content ?? []), source?.file.content ?? Buffer.alloc(1)), `${where}: ${doc.id} kept other bytes`).toBe(0);
        expect(row?.content_type, `${where}: ${doc.id}`).toBe(sniffed);
        expect((doc.accept as readonly string[]).includes(sniffed ?? ''), `${where}: ${doc.id} kept as ${String(sniffed)}`).toBe(true);
        expect(source!.file.content.length <= doc.max, `${where}: ${doc.id} over its size`).toBe(true);
        const claimed = source?.kind === 'data' ? source.type.toLowerCase() : undefined;
        if (claimed && TYPE_NAMES[claimed]) expect(claimed, `${where}: ${doc.id} claimed another type`).toBe(sniffed);
      }
    }), { numRuns: RUNS, examples: APPLICATION_EXAMPLES });
    reportFigure(`GovStack application fuzzing (${SHARD}), ${DOCUMENT_URLS}: ${counts.requests} requests (${RUNS} applications of the sole-trader licence, ${APPLICATION_EXAMPLES.length} of them fixed, with their uploads) as a system and a person, ${counts.files} documentUrls entries of generated files; ${counts.accepted} accepted (each kept file's bytes, sniffed type, accepted type and size checked); refused: ${[...counts.refused].map(([c, n]) => `${c} ${n}`).join(', ')}; no 5xx, no leak; ${((performance.now() - started) / Math.max(counts.requests, 1)).toFixed(1)} ms per request with generation and checks`);
    // The fixed examples are accepted, so the kept files' checks ran on real applications.
    expect(counts.accepted).toBeGreaterThanOrEqual(APPLICATION_EXAMPLES.length);
  }, 3_600_000);

  // After this shard's families (none: nothing of theirs kept to check, and the check's own test below still runs).
  const fixedKept = EXAMPLES.filter(([example]) => MINE.has(UPLOAD_FAMILIES[example.caller])).length + (MINE.has(DOCUMENT_URLS) ? APPLICATION_EXAMPLES.length * DOCS.length : 0);
  if (MINE.size > 0) it('never trusts a client file name: every kept file\'s name (uploads, applications\' files) is a label without a path, control character or more than 100 characters, and its type is one sniffed from its bytes', async () => {
    const { checked, wrong } = await trustedFileNames(s);
    reportFigure(`GovStack upload and application fuzzing (${SHARD}): kept files' names and types checked (uploads and applications' files): ${checked}`);
    // The fixed examples this shard ran kept files (an accepted application's documents among them).
    expect(checked).toBeGreaterThanOrEqual(fixedKept);
    expect(wrong).toEqual([]);
  }, 300_000);

  it('the stored check fails on a kept upload with a client path for a name or a type its bytes do not give', async () => {
    if (MINE.size === 0) reportFigure(`GovStack upload and application fuzzing: every family in another family shard (${SHARD})`);
    const db = s.built.kernel.db;
    const id = randomUUID();
    const at = new Date();
    await sql`insert into application_uploads (id, owner, label, display_name, content_type, size, sha256, content, uploaded_at, expires_at)
      values (${id}, 'client:upload-fuzz', null, ${'../x\u0001.pdf'}, 'application/pdf', ${PNG.length}, ${'0'.repeat(64)}, ${PNG}, ${at}, ${at})`.execute(db);
    try {
      const { wrong } = await trustedFileNames(s);
      expect(wrong.filter((w) => w.includes(id))).toEqual([
        `application_uploads ${id}: name ${JSON.stringify('../x\u0001.pdf')}`,
        `application_uploads ${id}: type application/pdf, bytes say image/png`,
      ]);
    } finally {
      await sql`delete from application_uploads where id = ${id}`.execute(db);
    }
  });
});
