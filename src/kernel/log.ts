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
 * The URL as the request log may hold it: below a mediated service (`/r1/{instance}/{class}/{member}/{subsystem}/{service}`)
 * the path and query are the provider's and may name a person (the message log keeps them), so
 * they are cut; anywhere else an ID number is masked. Found by the mediator's denial log test (issue 9).
 */
export function loggableUrl(url: string): string {
  if (url.startsWith('/r1/')) {
    const parts = (url.split('?', 1)[0] ?? '').split('/');
    return parts.length > 7 ? `${parts.slice(0, 7).join('/')}/[redacted]` : parts.join('/');
  }
  return url.replace(ID_NUMBER_IN_URL, '$1[redacted]');
}

/** Fastify's request serializer (method, url, host, address, port), with the URL made loggable. */
function serializeRequest(request: { method?: string; url?: string; host?: string; ip?: string; socket?: { remotePort?: number } }) {
  return { method: request.method, url: loggableUrl(request.url ?? ''), host: request.host, remoteAddress: request.ip, remotePort: request.socket?.remotePort };
}

export function createLogger(config: Pick<Config, 'logLevel'>, destination?: pino.DestinationStream): Logger {
  return pino({ level: config.logLevel, redact: { paths: REDACT_PATHS, censor: '[redacted]' }, serializers: { req: serializeRequest } }, destination);
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
