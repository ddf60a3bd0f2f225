import { Type, type Static } from 'typebox';

/**
 * Every setting Tongban reads, in one place. Environment variable names are the property names
 * in `ENV_NAMES`; nothing else in the code reads `process.env`.
 */
/** A raw Ed25519 public key as JWK `x`: 32 bytes, 43 characters of base64url (as `tongban audit checkpoint` prints it). */
export const RAW_ED25519_PUBLIC_KEY = /^[A-Za-z0-9_-]{43}$/;

export const ConfigSchema = Type.Object({
  env: Type.Union([Type.Literal('development'), Type.Literal('test'), Type.Literal('production')]),
  host: Type.String({ minLength: 1 }),
  port: Type.Integer({ minimum: 0, maximum: 65535 }),
  publicUrl: Type.String({ pattern: '^https?://[^/]+(/.*)?$' }),
  logLevel: Type.Union(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].map((l) => Type.Literal(l))),
  database: Type.Union([
    Type.Object({ kind: Type.Literal('pglite'), dataDir: Type.String({ minLength: 1 }) }),
    Type.Object({ kind: Type.Literal('pglite-memory') }),
    Type.Object({
      kind: Type.Literal('postgres'), url: Type.String({ pattern: '^postgres(ql)?://' }), poolSize: Type.Integer({ minimum: 1, maximum: 500 }),
      /** The longest statement `tongban serve` runs (statement_timeout); 0: no limit. Absent: none (tests, the CLI). */
      queryTimeoutMs: Type.Optional(Type.Integer({ minimum: 0, maximum: 3_600_000 })),
    }),
  ]),
  oidc: Type.Union([
    Type.Object({ kind: Type.Literal('builtin') }),
    Type.Object({
      kind: Type.Literal('external'),
      issuer: Type.String({ pattern: '^https?://' }),
      clientId: Type.String({ minLength: 1 }),
      clientSecret: Type.String({ minLength: 1 }),
    }),
  ]),
  /** Secret keys; absent ones are generated once and kept in the database (development only). */
  secrets: Type.Object({
    sessionSecret: Type.Optional(Type.String({ minLength: 32 })),
    auditSigningKey: Type.Optional(Type.String({ minLength: 40 })),
    /**
     * Ed25519 PKCS#8 (base64 DER): signs the access tokens of API clients (ADR 8, 41). Required
     * in production: one generated into the database could be read from any copy of it.
     */
    accessTokenSigningKey: Type.Optional(Type.String({ minLength: 40 })),
    /** 32 bytes, base64 or base64url: seals the bodies the mediator stores for services that ask. */
    mediatorBodyKey: Type.Optional(Type.String({ pattern: '^[A-Za-z0-9+/_-]{43}=?$' })),
    /**
     * 32 bytes, base64 or base64url: seals each agency's certificate signing key in the secret
     * store (ADR 40), so a copy of the database cannot sign. Required in production.
     */
    certificateWrappingKey: Type.Optional(Type.String({ pattern: '^[A-Za-z0-9+/_-]{43}=?$' })),
    /**
     * Other wrapping keys that open sealed certificate keys (nothing new is sealed under them):
     * the next key before a change of wrapping key, the previous one until `tongban keys reseal`
     * has moved every key onto the new one (ADR 42).
     */
    certificateAcceptedWrappingKeys: Type.Optional(Type.Array(Type.String({ pattern: '^[A-Za-z0-9+/_-]{43}=?$' }), { maxItems: 5 })),
    /** HMAC-SHA256 key of payment provider webhooks (the built-in test provider signs with it too). */
    paymentsWebhookSecret: Type.Optional(Type.String({ minLength: 32 })),
  }),
  /**
   * The public keys (raw Ed25519, base64url) that signed audit checkpoints before the current
   * signing key, oldest first: `tongban audit verify` accepts their checkpoints up to the first
   * one signed by a newer key (ADR 39). Public, so not among the secrets.
   */
  auditRetiredPublicKeys: Type.Optional(Type.Array(Type.String({ pattern: RAW_ED25519_PUBLIC_KEY.source }), { maxItems: 100 })),
  /**
   * Public keys (raw Ed25519, base64url) whose access tokens are accepted besides the signing
   * key's, and published at /oauth/jwks: the next key before a rotation, the previous one for the
   * tokens' lifetime after it (ADR 41).
   */
  accessTokenTrustedPublicKeys: Type.Optional(Type.Array(Type.String({ pattern: RAW_ED25519_PUBLIC_KEY.source }), { maxItems: 10 })),
  limits: Type.Object({
    bodyBytes: Type.Integer({ minimum: 1024 }),
    uploadBytes: Type.Integer({ minimum: 1024 }),
    apiRequestsPerMinute: Type.Integer({ minimum: 1 }),
    signInAttemptsPerMinute: Type.Integer({ minimum: 1 }),
  }),
  /**
   * `retentionDays`: how long done and failed jobs are kept before the hourly prune deletes them.
   * At least a day, so a periodic job's slot key (the longest interval is an hour) outlives its slot.
   */
  /**
   * Which peers' `X-Forwarded-For` / `-Proto` / `-Host` to believe (Fastify `trustProxy`): false
   * (none: the client is the TCP peer), or the proxies' addresses and CIDRs (request.ip is then
   * the nearest address in X-Forwarded-For that is not one of them). `true` believes anyone.
   */
  trustProxy: Type.Union([Type.Boolean(), Type.Array(Type.String({ minLength: 1 }), { minItems: 1 })]),
  jobs: Type.Object({ enabled: Type.Boolean(), pollMs: Type.Integer({ minimum: 10 }), retentionDays: Type.Integer({ minimum: 1, maximum: 3650 }) }),
  /** How long an Idempotency-Key is kept (ADR 31). */
  idempotency: Type.Object({ ttlHours: Type.Integer({ minimum: 1, maximum: 720 }) }),
  /**
   * On SIGTERM, how long the server keeps answering (with `Connection: close`, and `/readyz` 503)
   * before its listener closes: at least the balancer's health-check period × failure threshold.
   */
  shutdown: Type.Object({ drainMs: Type.Integer({ minimum: 0, maximum: 20_000 }) }),
  smtpUrl: Type.Optional(Type.String({ pattern: '^smtps?://' })),
  /**
   * The information mediator's systems' port (ADR 43): HTTPS that asks calling systems for a TLS
   * client certificate, on `host`. The certificate and key are PEM files (the mediator's own).
   */
  mediatorTls: Type.Optional(Type.Object({ port: Type.Integer({ minimum: 1, maximum: 65535 }), certFile: Type.String({ minLength: 1 }), keyFile: Type.String({ minLength: 1 }) })),
});

export type Config = Readonly<Static<typeof ConfigSchema>>;

/** The environment variables, with what each sets. Documented in docs/operations.md. */
export const ENV_NAMES = {
  NODE_ENV: 'env',
  HOST: 'host',
  PORT: 'port',
  TONGBAN_PUBLIC_URL: 'publicUrl',
  LOG_LEVEL: 'logLevel',
  DATABASE_URL: 'database.url',
  DATABASE_POOL_SIZE: 'database.poolSize',
  DATABASE_QUERY_TIMEOUT_MS: 'database.queryTimeoutMs',
  TONGBAN_DATA_DIR: 'database.dataDir',
  TONGBAN_OIDC_ISSUER: 'oidc.issuer',
  TONGBAN_OIDC_CLIENT_ID: 'oidc.clientId',
  TONGBAN_OIDC_CLIENT_SECRET: 'oidc.clientSecret',
  TONGBAN_SESSION_SECRET: 'secrets.sessionSecret',
  TONGBAN_AUDIT_SIGNING_KEY: 'secrets.auditSigningKey',
  TONGBAN_MEDIATOR_BODY_KEY: 'secrets.mediatorBodyKey',
  TONGBAN_CERTIFICATE_WRAPPING_KEY: 'secrets.certificateWrappingKey',
  TONGBAN_CERTIFICATE_ACCEPTED_WRAPPING_KEYS: 'secrets.certificateAcceptedWrappingKeys',
  TONGBAN_PAYMENTS_WEBHOOK_SECRET: 'secrets.paymentsWebhookSecret',
  TONGBAN_AUDIT_RETIRED_PUBLIC_KEYS: 'auditRetiredPublicKeys',
  TONGBAN_ACCESS_TOKEN_SIGNING_KEY: 'secrets.accessTokenSigningKey',
  TONGBAN_ACCESS_TOKEN_TRUSTED_PUBLIC_KEYS: 'accessTokenTrustedPublicKeys',
  TONGBAN_BODY_LIMIT_BYTES: 'limits.bodyBytes',
  TONGBAN_UPLOAD_LIMIT_BYTES: 'limits.uploadBytes',
  TONGBAN_API_RATE_PER_MINUTE: 'limits.apiRequestsPerMinute',
  TONGBAN_SIGNIN_RATE_PER_MINUTE: 'limits.signInAttemptsPerMinute',
  TONGBAN_TRUST_PROXY: 'trustProxy',
  TONGBAN_JOBS: 'jobs.enabled',
  TONGBAN_JOBS_POLL_MS: 'jobs.pollMs',
  TONGBAN_JOBS_RETENTION_DAYS: 'jobs.retentionDays',
  TONGBAN_IDEMPOTENCY_TTL_HOURS: 'idempotency.ttlHours',
  TONGBAN_SHUTDOWN_DRAIN_MS: 'shutdown.drainMs',
  TONGBAN_SMTP_URL: 'smtpUrl',
  TONGBAN_MEDIATOR_TLS_PORT: 'mediatorTls.port',
  TONGBAN_MEDIATOR_TLS_CERT_FILE: 'mediatorTls.certFile',
  TONGBAN_MEDIATOR_TLS_KEY_FILE: 'mediatorTls.keyFile',
} as const;
