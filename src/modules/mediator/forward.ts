import { Agent, request } from 'undici';

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
 */
export function createForwarder(options: ForwarderOptions): Forwarder {
  const agent = new Agent({
    connect: { timeout: options.connectTimeoutMs },
    connections: options.connections ?? 64,
    keepAliveTimeout: 10_000,
  });

  async function forward(outgoing: Outgoing): Promise<Forwarded> {
    const controller = new AbortController();
    let timedOut = false;
    const timer = setTimeout(() => { timedOut = true; controller.abort(); }, outgoing.timeoutMs);
    try {
      const answer = await request(outgoing.url, {
        method: outgoing.method as 'GET',
        headers: outgoing.headers,
        body: outgoing.body,
        dispatcher: agent,
        signal: controller.signal,
        headersTimeout: outgoing.timeoutMs,
        bodyTimeout: outgoing.timeoutMs,
      });
      const chunks: Buffer[] = [];
      let size = 0;
      for await (const chunk of answer.body as AsyncIterable<Buffer>) {
        size += chunk.length;
        if (size > options.maxAnswerBytes) {
          controller.abort();
          return { kind: 'too-large', reason: `the answer exceeds ${options.maxAnswerBytes} bytes` };
        }
        chunks.push(chunk);
      }
      const headers: Record<string, string> = {};
      for (const [name, value] of Object.entries(answer.headers)) {
        if (PASSED_BACK.has(name) && typeof value === 'string') headers[name] = value;
      }
      return { kind: 'answer', status: answer.statusCode, headers, body: Buffer.concat(chunks) };
    } catch (error) {
      if (timedOut || TIMEOUT_CODES.has(codeOf(error))) return { kind: 'timeout', reason: `no answer within ${outgoing.timeoutMs} ms` };
      const code = codeOf(error) || (error instanceof Error ? error.message : 'unknown error');
      const cause = error instanceof Error && error.cause ? codeOf(error.cause) : '';
      return { kind: 'unreachable', reason: cause || code };
    } finally {
      clearTimeout(timer);
    }
  }

  return { forward, close: () => agent.close() };
}
