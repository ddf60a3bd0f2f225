import { Type } from 'typebox';

/** Route schemas of the documents module: keys, the verification API, revocation. */
const Localized = Type.Object({ 'zh-CN': Type.String(), en: Type.String() });
const DateTime = Type.String({ format: 'date-time' });
const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(t: T) => Type.Union([t, Type.Null()]);

export const verifyParams = Type.Object({ id: Type.String({ maxLength: 100 }) });
export const idParams = Type.Object({ id: Type.String({ format: 'uuid' }) });
export const agencyParams = Type.Object({ agency: Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9-]+$' }) });
export const doneQuery = Type.Object({ done: Type.Optional(Type.Literal('1')) });

const Jwk = Type.Object({
  kty: Type.Literal('OKP'), crv: Type.Literal('Ed25519'), x: Type.String(), kid: Type.String(), alg: Type.Literal('EdDSA'), use: Type.Literal('sig'),
});
export const Jwks = Type.Object({ keys: Type.Array(Jwk) }, { description: 'Every key an agency ever signed certificates with (current and retired)' });

const Certificate = Type.Object({
  id: Type.String({ format: 'uuid' }),
  title: Localized,
  issuer: Type.Object({ id: Type.String(), name: Localized }),
  issuedAt: DateTime,
  reference: Nullable(Type.String()),
  fields: Type.Array(Type.Object({ name: Localized, value: Localized })),
  kid: Type.String({ description: 'The key that signed it: `<issuer id>#<key name>`' }),
});

export const VerificationJson = Type.Object({
  status: Type.Union([Type.Literal('valid'), Type.Literal('revoked'), Type.Literal('not_genuine')]),
  reason: Type.Optional(Type.String({ description: 'not_genuine: why (malformed, unknown_key, signature, issuer_mismatch, not_a_credential, unknown, mismatch)' })),
  revokedAt: Type.Optional(DateTime),
  revocationReason: Type.Optional(Type.String()),
  certificate: Type.Optional(Certificate),
});

export const verifyBody = Type.Object({ jws: Type.String({ minLength: 1, maxLength: 100_000, description: 'The certificate as a compact JWS (application/vc+jwt)' }) });
export const revokeBody = Type.Object({ reason: Type.String({ maxLength: 2000 }) });

export const CertificateSummaryJson = Type.Object({
  id: Type.String({ format: 'uuid' }),
  applicationId: Type.String({ format: 'uuid' }),
  agency: Type.String(),
  title: Localized,
  reference: Nullable(Type.String()),
  status: Type.Union([Type.Literal('valid'), Type.Literal('revoked')]),
  issuedAt: DateTime,
  revokedAt: Nullable(DateTime),
  revokeReason: Nullable(Type.String()),
  verifyUrl: Type.String(),
});

/** The revoke page's form: what was typed comes back with the errors. */
export const revokeForm = Type.Object({
  // No length here: the handler reads it through `field()` (the first when repeated) and checks it.
  reason: Type.Optional(Type.Union([Type.String(), Type.Array(Type.String())])),
  confirm: Type.Optional(Type.Union([Type.String(), Type.Array(Type.String())])),
  _csrf: Type.Optional(Type.Union([Type.String(), Type.Array(Type.String())])),
});
