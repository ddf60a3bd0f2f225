import { TongbanError, type FieldProblem } from '../../kernel/http/errors.js';
import { isInternalHost } from '../../kernel/net/internal-address.js';
import { isMailAddress } from '../../kernel/ports/mail.js';
import { MessagingErrors } from './errors.js';
import type { MessageState } from './store.js';

/**
 * The GovStack Messaging API's rules, without storage (docs/adr/0063-govstack-messaging.md):
 * reading a send request (swagger.yaml's casing), the callback URI policy, and how an outbox
 * message's state answers as the spec's status.
 */

/** At most this many recipients in one `send/email/batch` (413 beyond). */
export const BATCH_MAX = 100;
export const TITLE_MAX = 200;
export const CONTENT_MAX = 100_000;
/** What `callback/email` keeps of a posted content, decoded. */
export const NOTE_MAX_BYTES = 64 * 1024;
export const URI_MAX = 2_000;

export const SPEC_STATUSES = ['scheduled', 'processing', 'deferred', 'bounced', 'notSent', 'delivered'] as const;
export type SpecStatus = (typeof SPEC_STATUSES)[number];

/**
 * An outbox message's state in the spec's words: not tried yet `scheduled`; an attempt running
 * `processing`; a temporary failure being retried `deferred`; the mail server accepted it
 * `delivered`; it refused it (5xx) `bounced`; kept without a mail server, or given up `notSent`.
 */
export function specStatusOf(message: Pick<MessageState, 'status' | 'attempts' | 'last_error'>): SpecStatus {
  switch (message.status) {
    case 'sent': return 'delivered';
    case 'kept': return 'notSent';
    case 'failed': return message.last_error?.startsWith(MessagingErrors.TB_MESSAGING_DELIVERY_REFUSED) ? 'bounced' : 'notSent';
    case 'queued': return message.attempts === 0 ? 'scheduled' : message.last_error === null ? 'processing' : 'deferred';
  }
}

export type StatusCounts = Record<SpecStatus, number>;

export function countStatuses(messages: readonly Pick<MessageState, 'status' | 'attempts' | 'last_error'>[]): StatusCounts {
  const counts: StatusCounts = { scheduled: 0, processing: 0, deferred: 0, bounced: 0, notSent: 0, delivered: 0 };
  for (const m of messages) counts[specStatusOf(m)] += 1;
  return counts;
}

/** Every message is sent, kept or failed: nothing will change any more. */
export const allFinal = (messages: readonly Pick<MessageState, 'status'>[]): boolean => messages.every((m) => m.status !== 'queued');

// ---- reading a request ----

export interface Recipient {
  readonly email: string;
  readonly name: string | undefined;
  readonly cc: string | undefined;
  readonly bcc: string | undefined;
}

export interface SendRequest {
  readonly recipients: readonly Recipient[];
  readonly title: string;
  readonly content: string;
  readonly sender: Readonly<Record<string, string>>;
  readonly callbackUri: string | undefined;
}

type Json = Record<string, unknown>;

/** Collects field problems so one answer names them all. */
class Problems {
  readonly list: FieldProblem[] = [];
  add(pointer: string, message: string, detail: string): void {
    this.list.push({ pointer, message, detail });
  }
  throwIfAny(): void {
    if (this.list.length > 0) {
      throw new TongbanError(MessagingErrors.TB_MESSAGING_REQUEST_INVALID, { detail: this.list.map((p) => `${p.pointer}: ${p.detail}`).join('; '), fields: this.list });
    }
  }
}

const isObject = (value: unknown): value is Json => typeof value === 'object' && value !== null && !Array.isArray(value);

function optionalText(problems: Problems, object: Json, field: string, pointer: string, max: number): string | undefined {
  const value = object[field];
  if (value === undefined || value === null || value === '') return undefined;
  if (typeof value !== 'string' || value.length > max) {
    problems.add(`${pointer}/${field}`, 'messaging.error.requestInvalid', `must be a string of at most ${max} characters`);
    return undefined;
  }
  return value;
}

function optionalAddress(problems: Problems, object: Json, field: string, pointer: string): string | undefined {
  const value = optionalText(problems, object, field, pointer, 254);
  if (value !== undefined && !isMailAddress(value)) {
    problems.add(`${pointer}/${field}`, 'messaging.error.addressInvalid', 'must be one plain email address, like name@example.com');
    return undefined;
  }
  return value;
}

function readRecipient(problems: Problems, value: unknown, pointer: string): Recipient | undefined {
  if (!isObject(value)) {
    problems.add(pointer, 'messaging.error.requestInvalid', 'must be an object with the recipient\'s email');
    return undefined;
  }
  const email = optionalAddress(problems, value, 'email', pointer);
  if (email === undefined && (value.email === undefined || value.email === '' || value.email === null)) {
    problems.add(`${pointer}/email`, 'messaging.error.addressInvalid', 'is required: the recipient\'s email address');
  }
  const name = optionalText(problems, value, 'name', pointer, 200);
  const cc = optionalAddress(problems, value, 'emailCC', pointer);
  const bcc = optionalAddress(problems, value, 'emailBCC', pointer);
  return email === undefined ? undefined : { email, name, cc, bcc };
}

/**
 * A callback URI the platform may call: http or https (https only in production), no user name,
 * password or fragment; in production also no address of this host or of a private network
 * written as an IP literal, nor `localhost`. Undefined when refused. A name that resolves to such
 * an address is refused when the callback is made (src/kernel/net/pinned.ts).
 */
export function callbackTarget(value: string, production: boolean): URL | undefined {
  if (value.length > URI_MAX) return undefined;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return undefined;
  }
  if (url.username || url.password || url.hash) return undefined;
  if (url.protocol !== 'https:' && (production || url.protocol !== 'http:')) return undefined;
  if (production && isInternalHost(url.hostname)) return undefined;
  return url;
}

function readCallback(problems: Problems, body: Json, field: 'callback' | 'callbackURI', production: boolean): string | undefined {
  const value = body[field];
  if (value === undefined || value === null) return undefined;
  const pointer = `/${field}`;
  if (!isObject(value)) {
    problems.add(pointer, 'messaging.error.callbackInvalid', 'must be an object with the URI to call, { "URI": "https://…" }');
    return undefined;
  }
  if (value.URI === undefined && value.uri !== undefined) {
    problems.add(`${pointer}/uri`, 'messaging.error.callbackInvalid', 'this API takes swagger.yaml\'s casing: URI');
    return undefined;
  }
  const uri = value.URI;
  if (uri === undefined || uri === null || uri === '') return undefined;
  if (typeof uri !== 'string' || !callbackTarget(uri, production)) {
    problems.add(`${pointer}/URI`, 'messaging.error.callbackInvalid', production
      ? 'must be an https address without user name or password, not of a private network'
      : 'must be an http or https address without user name or password');
    return undefined;
  }
  return uri;
}

function readContent(problems: Problems, body: Json): { title: string; content: string } {
  const value = body.emailContent;
  if (!isObject(value)) {
    problems.add('/emailContent', 'messaging.error.requestInvalid', 'is required: an object with title and content');
    return { title: '', content: '' };
  }
  const encoding = value.encoding;
  if (encoding !== undefined && encoding !== null && !(typeof encoding === 'string' && /^utf-?8$/i.test(encoding))) {
    problems.add('/emailContent/encoding', 'messaging.error.requestInvalid', 'only UTF-8 is supported');
  }
  const title = optionalText(problems, value, 'title', '/emailContent', TITLE_MAX);
  if (title === undefined && !problems.list.some((p) => p.pointer === '/emailContent/title')) problems.add('/emailContent/title', 'messaging.error.requestInvalid', 'is required: the subject');
  if (title !== undefined && /[\r\n]/.test(title)) problems.add('/emailContent/title', 'messaging.error.requestInvalid', 'must be one line');
  const content = optionalText(problems, value, 'content', '/emailContent', CONTENT_MAX);
  if (content === undefined && !problems.list.some((p) => p.pointer === '/emailContent/content')) problems.add('/emailContent/content', 'messaging.error.requestInvalid', 'is required: the text of the email');
  return { title: title ?? '', content: content ?? '' };
}

const SENDER_FIELDS = ['organisationName', 'organisationRegNr', 'onBehalfOfName', 'onBehalfOfRegNr', 'email', 'replyTo', 'name'] as const;

function readSender(problems: Problems, body: Json): Record<string, string> {
  const value = body.senderInfo;
  if (value === undefined || value === null) return {};
  if (!isObject(value)) {
    problems.add('/senderInfo', 'messaging.error.requestInvalid', 'must be an object');
    return {};
  }
  const sender: Record<string, string> = {};
  for (const field of SENDER_FIELDS) {
    const text = optionalText(problems, value, field, '/senderInfo', 200);
    if (text !== undefined) sender[field] = text;
  }
  return sender;
}

/** The other casing (swagger.json's) is refused by name rather than silently ignored. */
function refuseOtherCasing(problems: Problems, body: Json, names: readonly string[], wanted: string): void {
  for (const name of names) {
    if (body[name] !== undefined) problems.add(`/${name}`, 'messaging.error.callbackInvalid', `this API takes swagger.yaml's casing: ${wanted}`);
  }
}

/** `POST /send/email/single`: the `email` schema. Throws TB_MESSAGING_REQUEST_INVALID naming every bad field. */
export function readSingle(body: unknown, production: boolean): SendRequest {
  const problems = new Problems();
  if (!isObject(body)) {
    problems.add('/', 'messaging.error.requestInvalid', 'the body is a JSON object (the spec\'s email schema)');
    problems.throwIfAny();
  }
  const json = body as Json;
  refuseOtherCasing(problems, json, ['callbackURI', 'callbackUri'], 'callback');
  const callbackUri = readCallback(problems, json, 'callback', production);
  const sender = readSender(problems, json);
  const recipient = readRecipient(problems, json.recipientInfo, '/recipientInfo');
  const { title, content } = readContent(problems, json);
  problems.throwIfAny();
  return { recipients: recipient ? [recipient] : [], title, content, sender, callbackUri };
}

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** Standard base64 (padding required, no line breaks) decoded, or undefined when it is not. */
export function decodeBase64(value: string): Buffer | undefined {
  return BASE64.test(value) ? Buffer.from(value, 'base64') : undefined;
}

/**
 * `POST /send/email/batch`: the `batchEmail` schema. `recipientInfo.batchEmailAsBase64` is base64
 * of a JSON list of `{ "recipientInfo": { … } }` (the spec's example); a problem inside it is
 * named by continuing the field's pointer into the decoded list. Over BATCH_MAX: 413.
 */
export function readBatch(body: unknown, production: boolean): SendRequest {
  const problems = new Problems();
  if (!isObject(body)) {
    problems.add('/', 'messaging.error.requestInvalid', 'the body is a JSON object (the spec\'s batchEmail schema)');
    problems.throwIfAny();
  }
  const json = body as Json;
  refuseOtherCasing(problems, json, ['callbackUri', 'callback'], 'callbackURI');
  const callbackUri = readCallback(problems, json, 'callbackURI', production);
  const sender = readSender(problems, json);
  const { title, content } = readContent(problems, json);
  const pointer = '/recipientInfo/batchEmailAsBase64';
  const info = json.recipientInfo;
  const encoded = isObject(info) ? info.batchEmailAsBase64 : undefined;
  const recipients: Recipient[] = [];
  const decoded = typeof encoded === 'string' ? decodeBase64(encoded) : undefined;
  let list: unknown;
  if (decoded) {
    try {
      list = JSON.parse(decoded.toString('utf8'));
    } catch {
      list = undefined;
    }
  }
  if (!Array.isArray(list) || list.length === 0) {
    problems.add(pointer, 'messaging.error.batchInvalid', 'is required: base64 of a JSON list of { "recipientInfo": { "email": … } }, with at least one entry');
  } else if (list.length > BATCH_MAX) {
    throw new TongbanError(MessagingErrors.TB_MESSAGING_BATCH_TOO_LARGE, {
      detail: `The batch has ${list.length} recipients; send at most ${BATCH_MAX} in one batch`,
      fields: [{ pointer, message: 'messaging.error.batchTooLarge', detail: `at most ${BATCH_MAX} recipients, not ${list.length}` }],
    });
  } else {
    list.forEach((entry: unknown, i) => {
      const at = `${pointer}/${i}`;
      if (!isObject(entry)) {
        problems.add(at, 'messaging.error.batchInvalid', 'must be an object { "recipientInfo": { … } }');
        return;
      }
      const recipient = readRecipient(problems, entry.recipientInfo, `${at}/recipientInfo`);
      if (recipient) recipients.push(recipient);
    });
  }
  problems.throwIfAny();
  return { recipients, title, content, sender, callbackUri };
}

/** `POST /callback/email`: the `callbackContent` schema; the content must decode and fit NOTE_MAX_BYTES. */
export function readNote(body: unknown): { meta: string; content: string } {
  const problems = new Problems();
  const json = isObject(body) ? body : {};
  const meta = optionalText(problems, json, 'meta', '', 200) ?? '';
  const content = json.content;
  const decoded = typeof content === 'string' && content !== '' ? decodeBase64(content) : undefined;
  if (!decoded) problems.add('/content', 'messaging.error.requestInvalid', 'is required: base64 (padded, without line breaks)');
  else if (decoded.length > NOTE_MAX_BYTES) problems.add('/content', 'messaging.error.requestInvalid', `must decode to at most ${NOTE_MAX_BYTES} bytes`);
  problems.throwIfAny();
  return { meta, content: content as string };
}
