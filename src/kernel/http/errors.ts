/**
 * Every error Tongban answers with is a TongbanError carrying a registered code
 * (`TB_<AREA>_<WHAT>`), an HTTP status, an English title for API clients and docs, and a message
 * key for pages. Areas declare their codes with `defineErrors` in their own `errors.ts`.
 */
export interface ErrorSpec {
  readonly status: number;
  /** Short English title: the problem+json `title`, and the heading in docs/errors.md. */
  readonly title: string;
  /** i18n key of the text shown to a person. */
  readonly message: string;
}

export interface RegisteredError extends ErrorSpec { readonly code: string; readonly area: string }

const registry = new Map<string, RegisteredError>();

const CODE = /^TB_[A-Z0-9]+_[A-Z0-9_]+$/;

export function defineErrors<const C extends string>(area: string, specs: Readonly<Record<C, ErrorSpec>>): { readonly [K in C]: K } {
  const codes = {} as Record<C, C>;
  for (const [code, spec] of Object.entries(specs) as [C, ErrorSpec][]) {
    if (!CODE.test(code)) throw new Error(`Error code ${code} must look like TB_AREA_WHAT`);
    if (registry.has(code)) throw new Error(`Error code ${code} is registered twice`);
    registry.set(code, { ...spec, code, area });
    codes[code] = code;
  }
  return codes as { readonly [K in C]: K };
}

export function registeredErrors(): RegisteredError[] {
  return [...registry.values()];
}

export function errorSpec(code: string): RegisteredError | undefined {
  return registry.get(code);
}

/** A problem with one input field, located by JSON Pointer (`/applicant/birthDate`). */
export interface FieldProblem {
  readonly pointer: string;
  /** i18n key of the field's message. */
  readonly message: string;
  readonly params?: Readonly<Record<string, string | number>>;
  /** English text for API clients. */
  readonly detail: string;
}

/** Why a request for an existing resource was refused as if it did not exist (docs/security.md, log inventory). */
export type DenialReason = 'not-owner' | 'other-agency';

export class TongbanError extends Error {
  readonly code: string;
  readonly status: number;
  readonly fields: readonly FieldProblem[];
  readonly detail: string | undefined;
  /** Headers the answer must carry (e.g. Retry-After). */
  readonly headers: Readonly<Record<string, string>>;
  /**
   * Set on a "not found" that hides a resource which exists but is not the caller's (someone
   * else's application, another agency's case): the answer stays 404, so existence is not
   * disclosed, but the error handler logs it as `security.denied` with this reason (issue 9).
   */
  readonly denied: DenialReason | undefined;
  /**
   * Ids that say who was refused what, for the `security.denied` line only (never the answer): a
   * mediated call's target service and calling system. Ids and codes, never personal data.
   */
  readonly logged: Readonly<Record<string, string>>;

  constructor(code: string, options: { detail?: string; fields?: readonly FieldProblem[]; cause?: unknown; headers?: Record<string, string>; denied?: DenialReason; logged?: Record<string, string> } = {}) {
    const spec = registry.get(code);
    if (!spec) throw new Error(`Unregistered error code ${code}`, { cause: options.cause });
    super(options.detail ?? spec.title, { cause: options.cause });
    this.name = 'TongbanError';
    this.code = code;
    this.status = spec.status;
    this.fields = options.fields ?? [];
    this.detail = options.detail;
    this.headers = options.headers ?? {};
    this.denied = options.denied;
    this.logged = options.logged ?? {};
  }

  get spec(): RegisteredError {
    return registry.get(this.code)!;
  }
}
