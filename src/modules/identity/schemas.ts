import { Type } from 'typebox';

/** Route schemas of /api/identity (platform administration of API clients). */
const TAG = ['identity'];

/** As the kernel's client ids: 3 to 128 letters, digits, dots, colons, hyphens or underscores. */
export const clientIdParams = Type.Object({ clientId: Type.String({ pattern: '^[A-Za-z0-9][A-Za-z0-9._:-]{2,127}$' }) }, { additionalProperties: false });

const apiClient = Type.Object({
  clientId: Type.String(), name: Type.String(), organisation: Type.String(),
  scopes: Type.Array(Type.String()),
  keys: Type.Array(Type.Object({ kid: Type.Optional(Type.String()), kty: Type.String(), crv: Type.Optional(Type.String()), alg: Type.Optional(Type.String()) })),
  enabled: Type.Boolean(), createdAt: Type.String({ format: 'date-time' }), updatedAt: Type.String({ format: 'date-time' }),
});

export const listApiClientsSchema = {
  tags: TAG, summary: 'Every API client (agencies\' systems): organisation, scopes, key ids, enabled (platform_admin)',
  response: { 200: Type.Object({ clients: Type.Array(apiClient) }) },
};

export const changeApiClientSchema = {
  tags: TAG, summary: 'Disable an API client (no new access tokens) or enable it again; audited (platform_admin)',
  params: clientIdParams,
  body: Type.Object({ enabled: Type.Boolean() }, { additionalProperties: false }),
  response: { 200: apiClient },
};
