import { Agent, type Dispatcher } from 'undici';

/** What the mediator sends to a provider. */
export interface Outgoing {
  readonly url: string;
  readonly method: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: Buffer | undefined;
  /** Total time for connecting, sending and reading the whole answer. */
  readonly timeoutMs: number;
}

export type Forwarded =
  | { readonly kind: 'answer'; readonly status: number; readonly headers: Readonly<Record<string, string>>; readonly body: Buffer }
  | { readonly kind: 'timeout'; readonly reason: string }
  | { readonly kind: 'unreachable'; readonly reason: string }
  | { readonly kind: 'too-large'; readonly reason: string };

/** The mediator's error code for each way a call can fail to bring an answer back. */
export const FAILURE_CODES = {
  timeout: 'TB_MEDIATOR_PROVIDER_TIMEOUT', unreachable: 'TB_MEDIATOR_PROVIDER_UNREACHABLE', 'too-large': 'TB_MEDIATOR_PROVIDER_ANSWER_TOO_LARGE',
} as const satisfies Record<Exclude<Forwarded['kind'], 'answer'>, string>;

export interface ForwarderOptions {
  readonly connectTimeoutMs: number;
  /** Largest provider answer passed on; larger ones are cut off and refused. */
  readonly maxAnswerBytes: number;
  /** Keep-alive connections per provider origin. */
  readonly connections?: number;
}

export interface Forwarder {
  forward(outgoing: Outgoing): Promise<Forwarded>;
  close(): Promise<void>;
}

/** Headers of the provider's answer that the mediator passes back to the caller. */
const PASSED_BACK = new Set(['content-type', 'content-language', 'cache-control', 'etag', 'last-modified', 'location', 'retry-after']);

const TIMEOUT_CODES = new Set(['UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT']);

function codeOf(error: unknown): string {
  return typeof error === 'object' && error !== null && 'code' in error && typeof error.code === 'string' ? error.code : '';
}

/**
 * One pooled HTTP client (undici Agent: keep-alive connections per provider origin) with a
 * connect timeout and a total deadline per call. Never called inside a database transaction.
 *
 * It dispatches with undici's handler callbacks rather than `request()`: the answer is collected
 * straight from the parser's chunks, with no Readable stream, async iterator or AbortController per
 * call (about 5 % of an exchange's CPU, docs/performance.md, sixth pass). The deadline is one timer
 * that settles the call and aborts it through the dispatch controller.
 */
export function createForwarder(options: ForwarderOptions): Forwarder {
  const agent = new Agent({
    connect: { timeout: options.connectTimeoutMs },
    connections: options.connections ?? 64,
    keepAliveTimeout: 10_000,
  });

  function forward(outgoing: Outgoing): Promise<Forwarded> {
    return new Promise<Forwarded>((resolve) => {
      let settled = false;
      let controller: Dispatcher.DispatchController | undefined;
      const chunks: Buffer[] = [];
      let size = 0;
      let status = 0;
      let headers: Record<string, string> = {};
      const settle = (result: Forwarded, abort?: string) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        resolve(result);
        if (abort !== undefined) controller?.abort(new Error(abort));
      };
      const timeout = (): Forwarded => ({ kind: 'timeout', reason: `no answer within ${outgoing.timeoutMs} ms` });
      const failed = (error: unknown) => {
        if (TIMEOUT_CODES.has(codeOf(error))) {
          settle(timeout());
          return;
        }
        const code = codeOf(error) || (error instanceof Error ? error.message : 'unknown error');
        const cause = error instanceof Error && error.cause ? codeOf(error.cause) : '';
        settle({ kind: 'unreachable', reason: cause || code });
      };
      const timer = setTimeout(() => { settle(timeout(), 'deadline passed'); }, outgoing.timeoutMs);

      try {
        // As undici's request() does with a URL: the origin, and the path with its query as parsed.
        const url = new URL(outgoing.url);
        agent.dispatch({
          origin: url.origin,
          path: `${url.pathname}${url.search}`,
          method: outgoing.method,
          headers: outgoing.headers,
          body: outgoing.body ?? null,
          headersTimeout: outgoing.timeoutMs,
          bodyTimeout: outgoing.timeoutMs,
        }, {
          onRequestStart(dispatch) {
            controller = dispatch;
            if (settled) dispatch.abort(new Error('deadline passed'));
          },
          onResponseStart(_dispatch, statusCode, answerHeaders) {
            status = statusCode;
            headers = {};
            for (const [name, value] of Object.entries(answerHeaders)) {
              if (PASSED_BACK.has(name) && typeof value === 'string') headers[name] = value;
            }
          },
          onResponseData(_dispatch, chunk) {
            if (settled) return;
            size += chunk.length;
            if (size > options.maxAnswerBytes) {
              settle({ kind: 'too-large', reason: `the answer exceeds ${options.maxAnswerBytes} bytes` }, 'answer too large');
              return;
            }
            chunks.push(chunk);
          },
          onResponseEnd() {
            settle({ kind: 'answer', status, headers, body: chunks.length === 1 && chunks[0] ? chunks[0] : Buffer.concat(chunks) });
          },
          onResponseError(_dispatch, error) {
            failed(error);
          },
        });
      } catch (error) {
        failed(error);
      }
    });
  }

  return { forward, close: () => agent.close() };
}
