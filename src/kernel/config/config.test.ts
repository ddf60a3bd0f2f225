import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './index.js';

describe('configuration', () => {
  it('defaults to embedded PGlite and the built-in identity provider', () => {
    const config = loadConfig({});
    expect(config.database).toEqual({ kind: 'pglite', dataDir: './.tongban' });
    expect(config.oidc).toEqual({ kind: 'builtin' });
    expect(config.publicUrl).toBe('http://127.0.0.1:3000');
    expect(Object.isFrozen(config) && Object.isFrozen(config.database)).toBe(true);
  });

  it('uses PostgreSQL when DATABASE_URL is set, and an external issuer when configured', () => {
    const config = loadConfig({
      DATABASE_URL: 'postgres://u@db:5432/tongban', PORT: '8080',
      TONGBAN_OIDC_ISSUER: 'https://id.example.gov', TONGBAN_OIDC_CLIENT_ID: 'tongban', TONGBAN_OIDC_CLIENT_SECRET: 's',
    });
    expect(config.database).toEqual({ kind: 'postgres', url: 'postgres://u@db:5432/tongban', poolSize: 10, queryTimeoutMs: 30_000 });
    expect(config.oidc).toMatchObject({ kind: 'external', issuer: 'https://id.example.gov' });
    expect(config.publicUrl).toBe('http://127.0.0.1:8080');
  });

  it('names the variable and the problem when a setting is wrong', () => {
    const attempt = () => loadConfig({ PORT: 'eighty', DATABASE_URL: 'mysql://x', LOG_LEVEL: 'loud' });
    expect(attempt).toThrow(ConfigError);
    try { attempt(); } catch (error) {
      const problems = (error as ConfigError).problems.join('\n');
      expect(problems).toMatch(/^PORT: must be a whole number, got "eighty"/m);
      expect(problems).toMatch(/^DATABASE_URL: /m);
      expect(problems).toMatch(/^LOG_LEVEL: /m);
    }
  });

  it('reads which proxies to believe, and how long finished jobs are kept', () => {
    expect(loadConfig({}).trustProxy).toBe(false);
    expect(loadConfig({ NODE_ENV: 'production', TONGBAN_PUBLIC_URL: 'https://tongban.example.gov', TONGBAN_SESSION_SECRET: 's'.repeat(32), TONGBAN_AUDIT_SIGNING_KEY: 'k'.repeat(40), TONGBAN_ACCESS_TOKEN_SIGNING_KEY: 't'.repeat(40), TONGBAN_CERTIFICATE_WRAPPING_KEY: 'w'.repeat(43), TONGBAN_PAYMENTS_WEBHOOK_SECRET: 'p'.repeat(32) }).trustProxy)
      .toEqual(['loopback', 'linklocal', 'uniquelocal']);
    expect(loadConfig({ TONGBAN_TRUST_PROXY: '10.0.0.5, 10.1.0.0/16,fd00::/8' }).trustProxy).toEqual(['10.0.0.5', '10.1.0.0/16', 'fd00::/8']);
    expect(loadConfig({ TONGBAN_TRUST_PROXY: 'on' }).trustProxy).toBe(true);
    expect(() => loadConfig({ TONGBAN_TRUST_PROXY: '10.0.0.5,balancer.internal' })).toThrow(/TONGBAN_TRUST_PROXY: "balancer.internal" is not an address/);
    expect(() => loadConfig({ TONGBAN_TRUST_PROXY: '10.0.0.0/33' })).toThrow(/TONGBAN_TRUST_PROXY: "10.0.0.0\/33"/);
    expect(loadConfig({}).jobs.retentionDays).toBe(7);
    expect(() => loadConfig({ TONGBAN_JOBS_RETENTION_DAYS: '0' })).toThrow(/TONGBAN_JOBS_RETENTION_DAYS: /);
  });

  it('reads TONGBAN_JOBS as on or off, in any case, and refuses anything else rather than run the workers', () => {
    expect(loadConfig({}).jobs.enabled).toBe(true);
    for (const on of ['on', 'ON', 'true', 'True', ' on ']) expect(loadConfig({ TONGBAN_JOBS: on }).jobs.enabled, on).toBe(true);
    for (const off of ['off', 'OFF', 'false', 'FALSE', 'Off']) expect(loadConfig({ TONGBAN_JOBS: off }).jobs.enabled, off).toBe(false);
    for (const bad of ['0', '1', 'no', 'disabled']) expect(() => loadConfig({ TONGBAN_JOBS: bad }), bad).toThrow(new RegExp(`TONGBAN_JOBS: must be on or off, got "${bad}"`));
  });

  it('reads the retired audit keys, oldest first, and names a malformed one', () => {
    const [older, newer] = ['A'.repeat(43), 'b_-'.repeat(14) + 'c'];
    expect(loadConfig({}).auditRetiredPublicKeys).toBeUndefined();
    expect(loadConfig({ TONGBAN_AUDIT_RETIRED_PUBLIC_KEYS: ` ${older}, ${newer},` }).auditRetiredPublicKeys).toEqual([older, newer]);
    expect(() => loadConfig({ TONGBAN_AUDIT_RETIRED_PUBLIC_KEYS: `${older},not-a-key` })).toThrow(/TONGBAN_AUDIT_RETIRED_PUBLIC_KEYS: "not-a-key" is not a raw Ed25519 public key/);
    expect(loadConfig({ TONGBAN_ACCESS_TOKEN_TRUSTED_PUBLIC_KEYS: `${newer} ,` }).accessTokenTrustedPublicKeys).toEqual([newer]);
    expect(() => loadConfig({ TONGBAN_ACCESS_TOKEN_TRUSTED_PUBLIC_KEYS: 'x' })).toThrow(/TONGBAN_ACCESS_TOKEN_TRUSTED_PUBLIC_KEYS: "x" is not a raw Ed25519 public key .*as `tongban tokens new-key` prints it/);
  });

  it('requires real secrets in production', () => {
    expect(() => loadConfig({ NODE_ENV: 'production' })).toThrow(/TONGBAN_SESSION_SECRET: required in production/);
    const secrets = { NODE_ENV: 'production', TONGBAN_SESSION_SECRET: 's'.repeat(32), TONGBAN_AUDIT_SIGNING_KEY: 'k'.repeat(40), TONGBAN_ACCESS_TOKEN_SIGNING_KEY: 't'.repeat(40) };
    expect(() => loadConfig({ ...secrets, TONGBAN_ACCESS_TOKEN_SIGNING_KEY: undefined })).toThrow(/TONGBAN_ACCESS_TOKEN_SIGNING_KEY: required in production/);
    expect(() => loadConfig(secrets)).toThrow(/TONGBAN_CERTIFICATE_WRAPPING_KEY: required in production/);
    expect(() => loadConfig({ ...secrets, TONGBAN_CERTIFICATE_WRAPPING_KEY: 'too-short' })).toThrow(/TONGBAN_CERTIFICATE_WRAPPING_KEY: /);
    const key = Buffer.alloc(32, 9).toString('base64');
    // The payment webhook is always mounted, so its key is required as the others are.
    expect(() => loadConfig({ ...secrets, TONGBAN_CERTIFICATE_WRAPPING_KEY: key })).toThrow(/TONGBAN_PAYMENTS_WEBHOOK_SECRET: required in production/);
    expect(() => loadConfig({ ...secrets, TONGBAN_CERTIFICATE_WRAPPING_KEY: key, TONGBAN_PAYMENTS_WEBHOOK_SECRET: 'short' })).toThrow(/TONGBAN_PAYMENTS_WEBHOOK_SECRET: /);
    const complete = loadConfig({ ...secrets, TONGBAN_PUBLIC_URL: 'https://tongban.example.gov', TONGBAN_CERTIFICATE_WRAPPING_KEY: key, TONGBAN_PAYMENTS_WEBHOOK_SECRET: 'p'.repeat(32) });
    expect(complete.secrets.certificateWrappingKey).toBe(key);
    expect(complete.secrets.paymentsWebhookSecret).toBe('p'.repeat(32));
    expect(loadConfig({}).secrets.paymentsWebhookSecret).toBeUndefined();
    expect(() => loadConfig({ TONGBAN_OIDC_ISSUER: 'https://id.example.gov' })).toThrow(/TONGBAN_OIDC_CLIENT_ID/);
  });

  it('reads the accepted certificate wrapping keys as a list, and names a malformed entry by its place, never its value', () => {
    const [a, b] = [Buffer.alloc(32, 1).toString('base64'), Buffer.alloc(32, 2).toString('base64url')];
    expect(loadConfig({ TONGBAN_CERTIFICATE_ACCEPTED_WRAPPING_KEYS: ` ${a}, ${b} ,` }).secrets.certificateAcceptedWrappingKeys).toEqual([a, b]);
    expect(loadConfig({}).secrets.certificateAcceptedWrappingKeys).toBeUndefined();
    const secretLooking = 'not-a-key-but-secret-looking-text';
    let message = '';
    try {
      loadConfig({ TONGBAN_CERTIFICATE_ACCEPTED_WRAPPING_KEYS: `${a},${secretLooking}` });
    } catch (error) {
      message = error instanceof Error ? error.message : String(error);
    }
    expect(message).toMatch(/TONGBAN_CERTIFICATE_ACCEPTED_WRAPPING_KEYS: entry 2 is not 32 bytes of base64/);
    expect(message).not.toContain(secretLooking);
  });

  it('reads the mediator\'s systems\' TLS port as all three settings or none, naming what is missing', () => {
    expect(loadConfig({}).mediatorTls).toBeUndefined();
    const tls = { TONGBAN_MEDIATOR_TLS_PORT: '8443', TONGBAN_MEDIATOR_TLS_CERT_FILE: '/etc/tongban/mediator.crt', TONGBAN_MEDIATOR_TLS_KEY_FILE: '/etc/tongban/mediator.key' };
    expect(loadConfig(tls).mediatorTls).toEqual({ port: 8443, certFile: '/etc/tongban/mediator.crt', keyFile: '/etc/tongban/mediator.key' });
    expect(() => loadConfig({ TONGBAN_MEDIATOR_TLS_PORT: '8443' })).toThrow(/TONGBAN_MEDIATOR_TLS_CERT_FILE, TONGBAN_MEDIATOR_TLS_KEY_FILE: needed with TONGBAN_MEDIATOR_TLS_PORT/);
    expect(() => loadConfig({ ...tls, TONGBAN_MEDIATOR_TLS_PORT: 'https' })).toThrow(/TONGBAN_MEDIATOR_TLS_PORT: must be a whole number/);
    expect(() => loadConfig({ ...tls, TONGBAN_MEDIATOR_TLS_PORT: '70000' })).toThrow(/TONGBAN_MEDIATOR_TLS_PORT: /);
  });

  it('takes the external OpenID provider\'s three settings all or none, so a half-configured one never falls back to the demo provider', () => {
    const external = { TONGBAN_OIDC_ISSUER: 'https://id.example.gov', TONGBAN_OIDC_CLIENT_ID: 'tongban', TONGBAN_OIDC_CLIENT_SECRET: 's' };
    expect(loadConfig(external).oidc).toEqual({ kind: 'external', issuer: 'https://id.example.gov', clientId: 'tongban', clientSecret: 's' });
    expect(() => loadConfig({ TONGBAN_OIDC_CLIENT_ID: 'a' })).toThrow(/TONGBAN_OIDC_ISSUER, TONGBAN_OIDC_CLIENT_SECRET: needed with TONGBAN_OIDC_CLIENT_ID/);
    expect(() => loadConfig({ ...external, TONGBAN_OIDC_ISSUER: undefined })).toThrow(/TONGBAN_OIDC_ISSUER: needed with TONGBAN_OIDC_CLIENT_ID, TONGBAN_OIDC_CLIENT_SECRET/);
    expect(() => loadConfig({ ...external, TONGBAN_OIDC_ISSUER: '' })).toThrow(/TONGBAN_OIDC_ISSUER: needed with/);
  });

  it('refuses a TONGBAN_ variable that is no setting, naming the closest one, and lets the test and bench tools\' own variables by', () => {
    const refused = (env: Record<string, string>) => { try { loadConfig(env); } catch (error) { return (error as ConfigError).problems.join('\n'); } return ''; };
    expect(refused({ TONGBAN_SESSOIN_SECRET: 's'.repeat(32) })).toMatch(/^TONGBAN_SESSOIN_SECRET: not a Tongban setting; did you mean TONGBAN_SESSION_SECRET\?/m);
    // The client id and secret with a misspelt issuer: the unknown name and the missing one, never the demo provider.
    const misspelt = refused({ TONGBAN_OIDC_ISUER: 'https://id.example.gov', TONGBAN_OIDC_CLIENT_ID: 'tongban', TONGBAN_OIDC_CLIENT_SECRET: 's' });
    expect(misspelt).toMatch(/^TONGBAN_OIDC_ISUER: not a Tongban setting; did you mean TONGBAN_OIDC_ISSUER\?/m);
    expect(misspelt).toMatch(/^TONGBAN_OIDC_ISSUER: needed with/m);
    expect(refused({ TONGBAN_COLOUR: 'blue' })).toMatch(/^TONGBAN_COLOUR: not a Tongban setting \(the settings are listed/m);
    const tools = { TONGBAN_TEST_DATABASES: 'pglite', TONGBAN_TEST_POSTGRES_URL: 'postgres://x', TONGBAN_FUZZ_RUNS: '5', TONGBAN_CRASH_TRIALS: '3', TONGBAN_BENCH_PROFILE_DIR: '/tmp' };
    expect(loadConfig(tools).database.kind).toBe('pglite');
    // Other programs' variables are none of Tongban's business.
    expect(loadConfig({ PATH: '/bin', TONGBANX: '1', HOME: '/root' }).port).toBe(3000);
  });

  it('requires an https public address in production, so the cookies are Secure; http only on a loopback address', () => {
    const secrets = { NODE_ENV: 'production', TONGBAN_SESSION_SECRET: 's'.repeat(32), TONGBAN_AUDIT_SIGNING_KEY: 'k'.repeat(40), TONGBAN_ACCESS_TOKEN_SIGNING_KEY: 't'.repeat(40), TONGBAN_CERTIFICATE_WRAPPING_KEY: 'w'.repeat(43), TONGBAN_PAYMENTS_WEBHOOK_SECRET: 'p'.repeat(32) };
    expect(() => loadConfig(secrets)).toThrow(/TONGBAN_PUBLIC_URL: required in production/);
    expect(() => loadConfig({ ...secrets, TONGBAN_PUBLIC_URL: 'http://tongban.example.gov' })).toThrow(/TONGBAN_PUBLIC_URL: must be https:\/\/ in production .*got "http:\/\/tongban.example.gov"/);
    expect(() => loadConfig({ ...secrets, TONGBAN_PUBLIC_URL: 'http://10.0.0.5:3000' })).toThrow(/TONGBAN_PUBLIC_URL: must be https/);
    expect(() => loadConfig({ ...secrets, TONGBAN_PUBLIC_URL: 'http://127.0.0.1.example.com' })).toThrow(/TONGBAN_PUBLIC_URL: must be https/);
    expect(loadConfig({ ...secrets, TONGBAN_PUBLIC_URL: 'https://tongban.example.gov/' }).publicUrl).toBe('https://tongban.example.gov');
    for (const loopback of ['http://127.0.0.1:3999', 'http://localhost:3000', 'http://[::1]:8080']) expect(loadConfig({ ...secrets, TONGBAN_PUBLIC_URL: loopback }).publicUrl, loopback).toBe(loopback);
    // Outside production the address defaults to where the server listens.
    expect(loadConfig({ NODE_ENV: 'development' }).publicUrl).toBe('http://127.0.0.1:3000');
  });

  it('names each bad variable once, lists the values it takes, and reads numbers as digits only', () => {
    const problems = (env: Record<string, string>) => { try { loadConfig(env); } catch (error) { return (error as ConfigError).problems; } return []; };
    // No problem about the database's kind or data folder, which no variable sets directly.
    expect(problems({ DATABASE_URL: 'mysql://x' })).toEqual(['DATABASE_URL: must match pattern "^postgres(ql)?://"']);
    expect(problems({ NODE_ENV: 'prod' })).toEqual(['NODE_ENV: must be one of development, test, production, got "prod"']);
    expect(problems({ LOG_LEVEL: 'verbose' })).toEqual(['LOG_LEVEL: must be one of fatal, error, warn, info, debug, trace, silent, got "verbose"']);
    for (const bad of ['0x10', '1e3', '8080.0', '-1', '+80', '1_000']) expect(problems({ PORT: bad }), bad).toEqual([`PORT: must be a whole number, got "${bad}"`]);
    // A blank value is no value (the default), as for the switches; spaces around digits are dropped.
    expect(loadConfig({ PORT: ' ' }).port).toBe(3000);
    expect(loadConfig({ PORT: ' 8080 ' }).port).toBe(8080);
  });

  it('refuses a DATABASE_URL pg could not read, naming the variable and never echoing it (it holds the password)', () => {
    const attempt = () => loadConfig({ DATABASE_URL: 'postgres://u:s3cret@h:notaport/db' });
    expect(attempt).toThrow(/DATABASE_URL: is not a connection URL/);
    expect(attempt).not.toThrow(/s3cret/);
    expect(loadConfig({ DATABASE_URL: 'postgresql://u:p%ss@db:5432/tongban?sslmode=require' }).database.kind).toBe('postgres');
  });
});
