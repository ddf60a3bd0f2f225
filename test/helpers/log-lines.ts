import { Writable } from 'node:stream';
import { loadConfig } from '../../src/kernel/config/index.js';
import { createLogger } from '../../src/kernel/log.js';

export type LogLine = Record<string, unknown>;

/**
 * The app's own pino output at info level, kept as parsed lines, so a test can read the security
 * events a request wrote (docs/security.md, log inventory). `denials(reqId)`: the request's
 * `security.denied` lines, joined by its request id (the answer's `x-request-id`).
 */
export function logLines(): { logger: ReturnType<typeof createLogger>; lines: LogLine[]; denials: (reqId: unknown) => LogLine[] } {
  const lines: LogLine[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString().split('\n')) if (line) lines.push(JSON.parse(line) as LogLine);
      done();
    },
  });
  return {
    logger: createLogger(loadConfig({ NODE_ENV: 'test', TONGBAN_DATA_DIR: ':memory:', LOG_LEVEL: 'info' }), sink),
    lines,
    denials: (reqId) => lines.filter((l) => l.event === 'security.denied' && l.reqId === reqId),
  };
}
