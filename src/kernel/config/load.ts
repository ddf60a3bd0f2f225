import { isIP } from 'node:net';
import { Ajv } from 'ajv';
import { ConfigSchema, ENV_NAMES, RAW_ED25519_PUBLIC_KEY, type Config } from './schema.js';
import { decodeKey32 } from '../secrets/seal.js';

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n  - ${problems.join('\n  - ')}`);
    this.name = 'ConfigError';
  }
}

type Env = Readonly<Record<string, string | undefined>>;

const validate = new Ajv({ allErrors: true, strict: false }).compile(ConfigSchema);

/** Which environment variable sets the value at a JSON pointer like `/database/url`; none for a derived one (`/database/kind`). */
function envNameFor(pointer: string): keyof typeof ENV_NAMES | undefined {
  const path = pointer.replace(/^\//, '').replaceAll('/', '.');
  const hit = Object.entries(ENV_NAMES).find(([, p]) => p === path || path.startsWith(`${p}.`));
  return hit?.[0] as keyof typeof ENV_NAMES | undefined;
}

/** Digits only: `0x10`, `1e3`, `8080.0` and a blank that Number() reads as 0 are refused. */
function int(env: Env, name: keyof typeof ENV_NAMES, fallback: number, problems: string[]): number {
  const raw = env[name]?.trim();
  if (raw === undefined || raw === '') return fallback;
  if (!/^\d{1,15}$/.test(raw)) {
    problems.push(`${name}: must be a whole number, got "${raw.slice(0, 60)}"`);
    return fallback;
  }
  return Number(raw);
}

/** A switch: on/off or true/false, in any case; anything else is refused, not read as on. */
function onOff(env: Env, name: keyof typeof ENV_NAMES, fallback: boolean, problems: string[]): boolean {
  const raw = env[name]?.trim();
  if (raw === undefined || raw === '') return fallback;
  const value = raw.toLowerCase();
  if (value === 'on' || value === 'true') return true;
  if (value === 'off' || value === 'false') return false;
  problems.push(`${name}: must be on or off, got "${raw.slice(0, 60)}"`);
  return fallback;
}

/** A comma-separated list of keys, blanks dropped. */
const keyList = (text: string): string[] => text.split(',').map((k) => k.trim()).filter((k) => k !== '');

const PROXY_NAMES = new Set(['loopback', 'linklocal', 'uniquelocal']);
/** Where balancers usually sit: a private network. */
const PRIVATE_PEERS = ['loopback', 'linklocal', 'uniquelocal'];

/**
 * TONGBAN_TRUST_PROXY: `off`, `on` (every peer, so any client can name its own address: only when
 * nothing but the balancer can reach the instances), or a comma-separated list of the balancers'
 * addresses and CIDRs (and proxy-addr's names loopback, linklocal, uniquelocal). Unset: the private
 * ranges in production (a balancer on a private network; what a client writes in front of the
 * address the balancer appends is not believed), none elsewhere. Fastify 5 ignores hop counts.
 */
function trustProxy(env: Env, production: boolean, problems: string[]): boolean | string[] {
  const raw = env.TONGBAN_TRUST_PROXY?.trim();
  if (raw === undefined || raw === '') return production ? [...PRIVATE_PEERS] : false;
  if (raw === 'off' || raw === 'false') return false;
  if (raw === 'on' || raw === 'true') return true;
  const entries = raw.split(',').map((e) => e.trim()).filter((e) => e !== '');
  for (const entry of entries) {
    const [address = '', prefix] = entry.split('/');
    const bits = isIP(address) === 4 ? 32 : isIP(address) === 6 ? 128 : 0;
    const ok = PROXY_NAMES.has(entry) || (bits > 0 && (prefix === undefined || (/^\d+$/.test(prefix) && Number(prefix) <= bits)));
    if (!ok) problems.push(`TONGBAN_TRUST_PROXY: "${entry}" is not an address, a CIDR, loopback, linklocal or uniquelocal (or use off or on)`);
  }
  return entries;
}

const MEDIATOR_TLS = ['TONGBAN_MEDIATOR_TLS_PORT', 'TONGBAN_MEDIATOR_TLS_CERT_FILE', 'TONGBAN_MEDIATOR_TLS_KEY_FILE'] as const;

/** The mediator's systems' port: all three settings or none (a port without a key cannot serve TLS). */
function mediatorTls(env: Env, problems: string[]): { mediatorTls?: { port: number; certFile: string; keyFile: string } } {
  const missing = MEDIATOR_TLS.filter((name) => !env[name]);
  if (missing.length === MEDIATOR_TLS.length) return {};
  if (missing.length > 0) {
    problems.push(`${missing.join(', ')}: needed with ${MEDIATOR_TLS.filter((name) => env[name]).join(', ')} (the systems' TLS port takes a port, a certificate file and a key file)`);
    return {};
  }
  return { mediatorTls: { port: int(env, 'TONGBAN_MEDIATOR_TLS_PORT', 0, problems), certFile: env.TONGBAN_MEDIATOR_TLS_CERT_FILE ?? '', keyFile: env.TONGBAN_MEDIATOR_TLS_KEY_FILE ?? '' } };
}

const OIDC = ['TONGBAN_OIDC_ISSUER', 'TONGBAN_OIDC_CLIENT_ID', 'TONGBAN_OIDC_CLIENT_SECRET'] as const;

/**
 * The external OpenID provider: all three settings or none. Without them the built-in demo provider
 * runs, so a half-configured provider (a misspelt or forgotten issuer) must stop the start rather
 * than open the demo personas' sign-in.
 */
function oidc(env: Env, problems: string[]): Config['oidc'] {
  const missing = OIDC.filter((name) => !env[name]);
  if (missing.length === OIDC.length) return { kind: 'builtin' };
  if (missing.length > 0) {
    problems.push(`${missing.join(', ')}: needed with ${OIDC.filter((name) => env[name]).join(', ')} (an external OpenID provider takes an issuer, a client id and a client secret; without all three the built-in demo provider would run)`);
    return { kind: 'builtin' };
  }
  return { kind: 'external', issuer: env.TONGBAN_OIDC_ISSUER ?? '', clientId: env.TONGBAN_OIDC_CLIENT_ID ?? '', clientSecret: env.TONGBAN_OIDC_CLIENT_SECRET ?? '' };
}

/**
 * Variables of the test, fuzz, crash and bench harnesses: read by those tools (test/helpers,
 * bench/), never by the server, and passed through to it harmlessly.
 */
export const TOOL_PREFIXES = ['TONGBAN_TEST_', 'TONGBAN_FUZZ_', 'TONGBAN_CRASH_', 'TONGBAN_BENCH_'] as const;

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, (previous[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = current;
  }
  return previous[b.length] ?? 0;
}

/** A TONGBAN_* variable that is no setting is a misspelling (its setting silently unset): refuse it. */
function unknownNames(env: Env, problems: string[]): void {
  const known = Object.keys(ENV_NAMES);
  for (const [name, value] of Object.entries(env)) {
    if (value === undefined || !name.startsWith('TONGBAN_') || name in ENV_NAMES) continue;
    if (TOOL_PREFIXES.some((prefix) => name.startsWith(prefix))) continue;
    const closest = known.map((k) => ({ k, d: editDistance(name, k) })).sort((x, y) => x.d - y.d)[0];
    const hint = closest && closest.d <= Math.max(3, Math.floor(name.length / 4)) ? `; did you mean ${closest.k}?` : '';
    problems.push(`${name.slice(0, 80)}: not a Tongban setting${hint} (the settings are listed in docs/operations.md)`);
  }
}

const LOOPBACK_HOSTS = new Set(['localhost', '[::1]']);

/**
 * In production the public address must be given, and https: the session cookies are Secure and
 * the CSRF cookie `__Host-` prefixed only then. The one exception is a loopback http address
 * (127.0.0.0/8, localhost, [::1]): a browser reaching it is on the same machine, so nothing
 * travels a network in the clear (the bench runs production this way).
 */
function publicUrlInProduction(raw: string | undefined, problems: string[]): void {
  if (!raw) {
    problems.push('TONGBAN_PUBLIC_URL: required in production (the https:// address people and systems use)');
    return;
  }
  let url: URL | undefined;
  try { url = new URL(raw); } catch { url = undefined; }
  if (url?.protocol === 'https:') return;
  const loopback = url?.protocol === 'http:' && (LOOPBACK_HOSTS.has(url.hostname) || /^127(\.\d{1,3}){3}$/.test(url.hostname));
  if (!loopback) problems.push(`TONGBAN_PUBLIC_URL: must be https:// in production (http only on a loopback address), got "${raw.slice(0, 80)}"`);
}

/**
 * Reads the configuration once from the environment, validates it and freezes it. A bad setting
 * throws a ConfigError naming the variable and what is wrong, so the start fails loudly.
 */
export function loadConfig(env: Env = process.env): Config {
  const problems: string[] = [];
  unknownNames(env, problems);
  const port = int(env, 'PORT', 3000, problems);
  const host = env.HOST || '127.0.0.1';
  const nodeEnv = env.NODE_ENV || 'development';
  const databaseUrl = env.DATABASE_URL;
  const dataDir = env.TONGBAN_DATA_DIR || './.tongban';
  const candidate = {
    env: nodeEnv,
    host,
    port,
    publicUrl: (env.TONGBAN_PUBLIC_URL || `http://${host.includes(':') ? `[${host}]` : host}:${port}`).replace(/\/$/, ''),
    logLevel: env.LOG_LEVEL || (nodeEnv === 'test' ? 'silent' : 'info'),
    database: databaseUrl
      ? { kind: 'postgres', url: databaseUrl, poolSize: int(env, 'DATABASE_POOL_SIZE', 10, problems), queryTimeoutMs: int(env, 'DATABASE_QUERY_TIMEOUT_MS', 30_000, problems) }
      : dataDir === ':memory:' ? { kind: 'pglite-memory' } : { kind: 'pglite', dataDir },
    oidc: oidc(env, problems),
    secrets: {
      ...(env.TONGBAN_SESSION_SECRET ? { sessionSecret: env.TONGBAN_SESSION_SECRET } : {}),
      ...(env.TONGBAN_AUDIT_SIGNING_KEY ? { auditSigningKey: env.TONGBAN_AUDIT_SIGNING_KEY } : {}),
      ...(env.TONGBAN_ACCESS_TOKEN_SIGNING_KEY ? { accessTokenSigningKey: env.TONGBAN_ACCESS_TOKEN_SIGNING_KEY } : {}),
      ...(env.TONGBAN_MEDIATOR_BODY_KEY ? { mediatorBodyKey: env.TONGBAN_MEDIATOR_BODY_KEY } : {}),
      ...(env.TONGBAN_CERTIFICATE_WRAPPING_KEY ? { certificateWrappingKey: env.TONGBAN_CERTIFICATE_WRAPPING_KEY } : {}),
      ...(env.TONGBAN_CERTIFICATE_ACCEPTED_WRAPPING_KEYS ? { certificateAcceptedWrappingKeys: keyList(env.TONGBAN_CERTIFICATE_ACCEPTED_WRAPPING_KEYS) } : {}),
      ...(env.TONGBAN_PAYMENTS_WEBHOOK_SECRET ? { paymentsWebhookSecret: env.TONGBAN_PAYMENTS_WEBHOOK_SECRET } : {}),
    },
    ...(env.TONGBAN_AUDIT_RETIRED_PUBLIC_KEYS ? { auditRetiredPublicKeys: keyList(env.TONGBAN_AUDIT_RETIRED_PUBLIC_KEYS) } : {}),
    ...(env.TONGBAN_ACCESS_TOKEN_TRUSTED_PUBLIC_KEYS ? { accessTokenTrustedPublicKeys: keyList(env.TONGBAN_ACCESS_TOKEN_TRUSTED_PUBLIC_KEYS) } : {}),
    limits: {
      bodyBytes: int(env, 'TONGBAN_BODY_LIMIT_BYTES', 1_048_576, problems),
      uploadBytes: int(env, 'TONGBAN_UPLOAD_LIMIT_BYTES', 10_485_760, problems),
      apiRequestsPerMinute: int(env, 'TONGBAN_API_RATE_PER_MINUTE', 600, problems),
      signInAttemptsPerMinute: int(env, 'TONGBAN_SIGNIN_RATE_PER_MINUTE', 20, problems),
    },
    trustProxy: trustProxy(env, nodeEnv === 'production', problems),
    jobs: {
      enabled: onOff(env, 'TONGBAN_JOBS', true, problems),
      pollMs: int(env, 'TONGBAN_JOBS_POLL_MS', 500, problems),
      retentionDays: int(env, 'TONGBAN_JOBS_RETENTION_DAYS', 7, problems),
    },
    idempotency: { ttlHours: int(env, 'TONGBAN_IDEMPOTENCY_TTL_HOURS', 24, problems) },
    shutdown: { drainMs: int(env, 'TONGBAN_SHUTDOWN_DRAIN_MS', 2_000, problems) },
    ...(env.TONGBAN_SMTP_URL ? { smtpUrl: env.TONGBAN_SMTP_URL } : {}),
    ...mediatorTls(env, problems),
  };
  // pg reads the URL with the WHATWG parser (pg-connection-string): check it the same way here, so
  // a bad port or an unescaped character names the variable instead of a TypeError at connect.
  // Never echo it: it holds the password.
  if (databaseUrl && /^postgres(ql)?:\/\//.test(databaseUrl)) {
    try { new URL(databaseUrl.replace(/%(?![0-9a-fA-F]{2})/g, '%25')); } catch {
      problems.push('DATABASE_URL: is not a connection URL (postgres://user:password@host:5432/database; the port a number, and @ : / ? # in the user or password percent-encoded)');
    }
  }
  for (const key of candidate.auditRetiredPublicKeys ?? []) {
    if (!RAW_ED25519_PUBLIC_KEY.test(key)) problems.push(`TONGBAN_AUDIT_RETIRED_PUBLIC_KEYS: "${key.slice(0, 60)}" is not a raw Ed25519 public key (43 characters of base64url, as \`tongban audit checkpoint\` prints it)`);
  }
  for (const key of candidate.accessTokenTrustedPublicKeys ?? []) {
    if (!RAW_ED25519_PUBLIC_KEY.test(key)) problems.push(`TONGBAN_ACCESS_TOKEN_TRUSTED_PUBLIC_KEYS: "${key.slice(0, 60)}" is not a raw Ed25519 public key (43 characters of base64url, as \`tongban tokens new-key\` prints it)`);
  }
  // Never echo a secret: the entry is named by its place in the list.
  (candidate.secrets.certificateAcceptedWrappingKeys ?? []).forEach((key, i) => {
    if (!decodeKey32(key)) problems.push(`TONGBAN_CERTIFICATE_ACCEPTED_WRAPPING_KEYS: entry ${i + 1} is not 32 bytes of base64 (\`openssl rand -base64 32\`)`);
  });
  if (nodeEnv === 'production') {
    publicUrlInProduction(env.TONGBAN_PUBLIC_URL, problems);
    if (!candidate.secrets.sessionSecret) problems.push('TONGBAN_SESSION_SECRET: required in production (32+ characters)');
    if (!candidate.secrets.auditSigningKey) problems.push('TONGBAN_AUDIT_SIGNING_KEY: required in production (Ed25519 PKCS#8, base64)');
    if (!candidate.secrets.accessTokenSigningKey) problems.push('TONGBAN_ACCESS_TOKEN_SIGNING_KEY: required in production (Ed25519 PKCS#8, base64; `tongban tokens new-key`)');
    if (!candidate.secrets.certificateWrappingKey) problems.push('TONGBAN_CERTIFICATE_WRAPPING_KEY: required in production (32 random bytes, base64; `openssl rand -base64 32`)');
    // The payment webhook is always mounted: without its key every webhook would fail at run time.
    if (!candidate.secrets.paymentsWebhookSecret) problems.push('TONGBAN_PAYMENTS_WEBHOOK_SECRET: required in production (32+ random characters; `openssl rand -base64 32`)');
  }
  if (!validate(candidate)) {
    const errors = validate.errors ?? [];
    for (const e of errors) {
      // A union failure repeats for each branch, and on values no variable sets (the database's
      // kind): name each variable once, with the first reason, or the values it takes.
      const name = envNameFor(e.instancePath);
      if (!name || problems.some((p) => p.startsWith(`${name}:`))) continue;
      const allowed = errors.filter((o) => o.instancePath === e.instancePath && o.keyword === 'const').map((o) => String((o.params as { allowedValue?: unknown }).allowedValue));
      problems.push(allowed.length > 0
        ? `${name}: must be one of ${allowed.join(', ')}, got "${(env[name] ?? '').slice(0, 60)}"`
        : `${name}: ${e.message ?? 'is invalid'}`);
    }
    // Never let an invalid configuration through unexplained.
    if (problems.length === 0) problems.push(...errors.map((e) => `${e.instancePath || '/'}: ${e.message ?? 'is invalid'}`));
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return deepFreeze(candidate as Config);
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object') {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}
