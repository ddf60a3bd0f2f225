import type { FastifyInstance } from 'fastify';
import { TongbanError } from './errors.js';

/**
 * How deeply a JSON request body may nest arrays and objects. No form, registry schema, event or
 * API body of the platform comes near it; a body nested thousands deep is an attack on whatever
 * walks it recursively afterwards (a fingerprint, a log's JSON.stringify: "Maximum call stack
 * size exceeded", a 500). Documented in docs/security.md.
 */
export const MAX_JSON_DEPTH = 64;

interface Open { readonly value: object; readonly key: string; readonly parent: Open | undefined; readonly depth: number }

const escapePointer = (key: string) => key.replace(/~/g, '~0').replace(/\//g, '~1');

function pointerOf(open: Open): string {
  const keys: string[] = [];
  for (let at: Open | undefined = open; at?.parent; at = at.parent) keys.push(`/${escapePointer(at.key)}`);
  return keys.reverse().join('');
}

/**
 * The JSON pointer of the first array or object in a parsed JSON value nested deeper than `limit`
 * levels (the outermost is level 1), or undefined when none is. Walked with an explicit stack,
 * never by recursion, so a value nested 100,000 deep costs one visit per array or object and no
 * call stack.
 */
export function tooDeepPointer(value: unknown, limit: number = MAX_JSON_DEPTH): string | undefined {
  if (value === null || typeof value !== 'object') return undefined;
  const stack: Open[] = [{ value, key: '', parent: undefined, depth: 1 }];
  for (let open = stack.pop(); open; open = stack.pop()) {
    if (open.depth > limit) return pointerOf(open) || '/';
    const { value: container } = open;
    // Children pushed last to first, so the first one in the document is looked at first.
    if (Array.isArray(container)) {
      for (let i = container.length - 1; i >= 0; i -= 1) {
        const item: unknown = container[i];
        if (item !== null && typeof item === 'object') stack.push({ value: item, key: String(i), parent: open, depth: open.depth + 1 });
      }
    } else {
      const keys = Object.keys(container);
      for (let i = keys.length - 1; i >= 0; i -= 1) {
        const key = keys[i]!;
        const item: unknown = (container as Record<string, unknown>)[key];
        if (item !== null && typeof item === 'object') stack.push({ value: item, key, parent: open, depth: open.depth + 1 });
      }
    }
  }
  return undefined;
}

/** The media type Fastify's JSON parser (the kernel's, for every scope that does not set its own) reads. */
const isJson = (contentType: string | undefined) => (contentType ?? '').split(';')[0]?.trim().toLowerCase() === 'application/json';

/**
 * preValidation, for the whole app: a JSON body the kernel's parser read that nests deeper than
 * MAX_JSON_DEPTH is refused with 400 TB_KERNEL_BODY_TOO_DEEP and the pointer where it goes too
 * deep, before schema validation, a fingerprint or a log walks it. A body left as text or bytes by
 * a scope's own parser (the mediator's forwarded exchanges, a payment webhook's signed bytes) is
 * not parsed JSON and is not looked at.
 */
export function registerJsonDepthCheck(app: FastifyInstance): void {
  app.addHook('preValidation', (request, _reply, done) => {
    const { body } = request;
    if (body === null || typeof body !== 'object' || Buffer.isBuffer(body) || !isJson(request.headers['content-type'])) {
      done();
      return;
    }
    const pointer = tooDeepPointer(body);
    if (pointer === undefined) {
      done();
      return;
    }
    done(new TongbanError('TB_KERNEL_BODY_TOO_DEEP', {
      detail: `The JSON body is nested deeper than ${MAX_JSON_DEPTH} levels`,
      fields: [{ pointer, message: 'kernel.error.bodyTooDeep', detail: `nested deeper than ${MAX_JSON_DEPTH} levels` }],
    }));
  });
}
