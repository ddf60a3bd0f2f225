import { randomUUID } from 'node:crypto';
import pino, { type Logger } from 'pino';
import type { Config } from './config/index.js';

/**
 * Personal data and secrets never reach the logs: these paths are censored wherever they appear.
 * Modules log ids, never names, ID numbers or form answers.
 */
export const REDACT_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'res.headers["set-cookie"]',
  '*.password',
  '*.secret',
  '*.token',
  '*.idNumber',
  '*.answers',
  '*.email',
  '*.phone',
  '*.client_assertion',
];

/** An ID number (18 characters, the last a digit or X) wherever it stands in a URL. */
const ID_NUMBER_IN_URL = /(^|[^0-9A-Za-z])\d{17}[\dXx](?![0-9A-Za-z])/g;

/**
 * Query parameters whose values the request log keeps: paging, steps, flags, dates and the ids of
 * services, halls and records. Every other value is masked: a search term, a name, an OIDC `code`
 * or `state`, an individual's id, a free-text purpose can be personal data or a secret, and a
 * parameter added tomorrow is masked until someone decides it is neither.
 */
const LOGGED_QUERY_VALUES = new Set([
  'page', 'offset', 'limit', 'lang', 'locale', 'step', 'done', 'saved', 'sent', 'noted', 'refunded', 'refresh', 'retired', 'older', 'next',
  'day', 'time', 'hall', 'status', 'category', 'lifeEvent', 'serviceId', 'serviceCode', 'revisionId', 'version', 'fields', 'dataAgreementId',
  'appointment_id', 'payment', 'instanceId', 'member', 'id',
]);

function loggableQuery(query: string): string {
  return query.split('&').map((pair) => {
    const equals = pair.indexOf('=');
    // A bare word is a flag (`?print`); anything else without a name (`?13800138000`) is masked.
    if (equals < 0) return /^[A-Za-z_-]{0,32}$/.test(pair) ? pair : '[redacted]';
    const name = pair.slice(0, equals);
    return LOGGED_QUERY_VALUES.has(name) ? pair.replace(ID_NUMBER_IN_URL, '$1[redacted]') : `${name.slice(0, 64)}=[redacted]`;
  }).join('&');
}

/**
 * The URL as the request log may hold it: below a mediated service (`/r1/{instance}/{class}/{member}/{subsystem}/{service}`)
 * the path and query are the provider's and may name a person (the message log keeps them), so
 * they are cut; anywhere else an ID number in the path is masked, and so is every query value but
 * those of LOGGED_QUERY_VALUES. Found by the mediator's denial log test (issue 9).
 */
export function loggableUrl(url: string): string {
  const question = url.indexOf('?');
  const path = question < 0 ? url : url.slice(0, question);
  if (path.startsWith('/r1/')) {
    const parts = path.split('/');
    return parts.length > 7 ? `${parts.slice(0, 7).join('/')}/[redacted]` : path;
  }
  const maskedPath = path.replace(ID_NUMBER_IN_URL, '$1[redacted]');
  return question < 0 ? maskedPath : `${maskedPath}?${loggableQuery(url.slice(question + 1))}`;
}

/** Fastify's request serializer (method, url, host, address, port), with the URL made loggable. */
function serializeRequest(request: { method?: string; url?: string; host?: string; ip?: string; socket?: { remotePort?: number } }) {
  return { method: request.method, url: loggableUrl(request.url ?? ''), host: request.host, remoteAddress: request.ip, remotePort: request.socket?.remotePort };
}

/**
 * The fields of an error the log keeps. pino's own serializer copies every enumerable field, and a
 * database error carries the row: PostgreSQL's `detail` ("Key (id_number)=(1101…) already
 * exists", "Failing row contains (…, 欧阳娜娜)"), `where`, and PGlite's `query` and `params` (every
 * bound value). So errors are logged by a list of what may be kept, not of what may not.
 */
const LOGGED_ERROR_FIELDS = ['code', 'status', 'statusCode', 'constraint', 'table', 'column', 'schema', 'routine', 'severity'] as const;
const ERROR_DEPTH = 5;

export interface LoggedError {
  readonly type: string;
  readonly message: string;
  readonly stack?: string;
  readonly [field: string]: unknown;
}

/** An error as the log holds it: type, message, stack, the fields of LOGGED_ERROR_FIELDS, its cause and an AggregateError's errors likewise. */
export function serializeError(error: unknown, depth = 0): LoggedError | string {
  if (!(error instanceof Error)) return typeof error === 'string' ? error : Object.prototype.toString.call(error);
  const source = error as Error & Record<string, unknown>;
  const out: Record<string, unknown> = { type: error.constructor?.name ?? 'Error', message: error.message };
  if (error.stack !== undefined) out.stack = error.stack;
  for (const field of LOGGED_ERROR_FIELDS) {
    const value = source[field];
    if (typeof value === 'string' || typeof value === 'number') out[field] = value;
  }
  if (depth < ERROR_DEPTH && error.cause !== undefined) out.cause = serializeError(error.cause, depth + 1);
  if (depth < ERROR_DEPTH && error instanceof AggregateError) out.errors = error.errors.slice(0, 10).map((e: unknown) => serializeError(e, depth + 1));
  return out as LoggedError;
}

export function createLogger(config: Pick<Config, 'logLevel'>, destination?: pino.DestinationStream): Logger {
  return pino({
    level: config.logLevel, redact: { paths: REDACT_PATHS, censor: '[redacted]' },
    serializers: { req: serializeRequest, err: (error: unknown) => serializeError(error), error: (error: unknown) => serializeError(error) },
  }, destination);
}

/**
 * The security events (ASVS 16.1.1, 16.3): fixed names so monitoring can count and alert on them.
 * Each is one pino line with `event` set to the name; the inventory (fields, levels, where they
 * go, what is never in them) is in docs/security.md, and docs/adr/0034-security-events.md says
 * why they are log lines and not audit-trail records.
 */
export const SECURITY_EVENTS = {
  /** A refusal for want of identity or rights, a CSRF failure, a rate-limit refusal, or a 404 that hides someone else's resource. */
  denied: { event: 'security.denied', level: 'warn' },
  /** A person signed in (session started). */
  signedIn: { event: 'security.authn.success', level: 'info' },
  /** A sign-in attempt failed: wrong password at the built-in IdP, or the OIDC callback refused. */
  signInFailed: { event: 'security.authn.failure', level: 'warn' },
  /** A person signed out. */
  signedOut: { event: 'security.authn.signout', level: 'info' },
  /** A session cookie came back for a session that has ended (idle or absolute timeout, account gone). */
  sessionEnded: { event: 'security.session.ended', level: 'info' },
  /** An API client (another agency's system) was issued an access token. */
  tokenIssued: { event: 'security.token.issued', level: 'info' },
  /** A token request was refused (bad client assertion, replay, unknown client, scope). */
  tokenRefused: { event: 'security.token.refused', level: 'warn' },
} as const;

export type SecurityEventKind = keyof typeof SECURITY_EVENTS;

/** Ids, codes and reasons only: never a name, a password, a token or an ID number (REDACT_PATHS catches them anyway). */
export type SecurityEventFields = Readonly<Record<string, string | number | boolean | readonly string[] | undefined>>;

/** Writes one security event on `log` (a request's logger, so the line carries the request id). */
export function logSecurityEvent(log: Pick<Logger, 'info' | 'warn'>, kind: SecurityEventKind, fields: SecurityEventFields = {}): void {
  const { event, level } = SECURITY_EVENTS[kind];
  log[level]({ ...fields, event }, event);
}

const REQUEST_ID = /^[A-Za-z0-9._:-]{8,128}$/;

/** Keep a well-formed incoming id (from a load balancer) so logs join up; otherwise make one. */
export function requestIdFrom(header: string | string[] | undefined): string {
  return typeof header === 'string' && REQUEST_ID.test(header) ? header : randomUUID();
}
