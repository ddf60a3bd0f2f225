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
  tags: TAG,
  summary: 'Rename an API client, replace its scopes, disable it (no new access tokens) or enable it again; each change audited (platform_admin)',
  description: 'Give at least one of the fields. `scopes` replaces every scope the client may ask for; a scope taken away, or the client disabled, is refused within seconds also in the access tokens it holds. Keys are changed with `tongban clients add-key`/`remove-key`.',
  params: clientIdParams,
  body: Type.Object({
    enabled: Type.Optional(Type.Boolean()),
    name: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
    scopes: Type.Optional(Type.Array(Type.String({ minLength: 1, maxLength: 100 }), { minItems: 1, maxItems: 100 })),
  }, { additionalProperties: false, minProperties: 1 }),
  response: { 200: apiClient },
};

/** The page's edit form: the system's name and its scopes as typed (one per line or separated by spaces). */
// No lengths here: the handler reads the name through `field()` (the first when repeated) and the
// registry checks name and scopes, so the page answers with its error summary and what was typed.
const posted = Type.Union([Type.String(), Type.Array(Type.String())]);
export const editClientForm = Type.Object({
  name: Type.Optional(posted),
  // One value per ticked box (a single one arrives as a string).
  scopes: Type.Optional(Type.Union([Type.String(), Type.Array(Type.String(), { maxItems: 100 })])),
}, { additionalProperties: posted });
