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

export function createLogger(config: Pick<Config, 'logLevel'>, destination?: pino.DestinationStream): Logger {
  return pino({ level: config.logLevel, redact: { paths: REDACT_PATHS, censor: '[redacted]' } }, destination);
}

const REQUEST_ID = /^[A-Za-z0-9._:-]{8,128}$/;

/** Keep a well-formed incoming id (from a load balancer) so logs join up; otherwise make one. */
export function requestIdFrom(header: string | string[] | undefined): string {
  return typeof header === 'string' && REQUEST_ID.test(header) ? header : randomUUID();
}
