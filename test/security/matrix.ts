/**
 * The authorisation matrix: for every route (method + Fastify url pattern) and every role, whether
 * the guard lets the request through. Rules are matched in order; the first whose pattern matches
 * wins, and a route that no rule matches fails the test, so a new route needs a row here.
 */
export const ROLES = ['anonymous', 'citizen', 'otherCitizen', 'clerk', 'officer', 'agencyAdmin', 'platformAdmin', 'machine', 'machineNoScope'] as const;
export type Role = typeof ROLES[number];

/** refused: denied or 400 (the body is checked before the guard), never done; invalid: 400 before the guard; allow: passed the guard (any answer but 401/403/sign-in redirect); deny: 401/403/sign-in. */
export type Outcome = 'allow' | 'deny' | 'invalid' | 'refused';
export type Row = Readonly<Record<Role, Outcome>>;

const row = (allowed: readonly Role[]): Row =>
  Object.fromEntries(ROLES.map((r) => [r, allowed.includes(r) ? 'allow' : 'deny'])) as Record<Role, Outcome>;

const PEOPLE: Role[] = ['citizen', 'otherCitizen', 'clerk', 'officer', 'agencyAdmin', 'platformAdmin'];
export const EVERYONE = row(ROLES);
export const SIGNED_IN = row(PEOPLE);
export const MACHINE = row(['machine']);
export const ANONYMOUS_REFUSED: Row = { ...row(ROLES.filter((r) => r !== 'anonymous')), anonymous: 'refused' };

export interface Rule { readonly name: string; readonly methods?: readonly string[]; readonly pattern: RegExp; readonly row: Row }

const STAFF_ADMIN = row(['agencyAdmin', 'platformAdmin']);
/** Query or header shape is checked before the guard: 400 for everyone, guard not reached. */
export const SHAPE_FIRST: Row = Object.fromEntries(ROLES.map((r) => [r, 'invalid'])) as Record<Role, Outcome>;
const OFFICER = row(['officer']);
const CLERK = row(['clerk']);

export const RULES: readonly Rule[] = [
  // Requests whose query or headers are validated before any guard runs.
  { name: 'shape checked first', methods: ['GET', 'HEAD'], pattern: /^\/(auth\/callback|idp\/interaction\/:uid|admin\/mediator\/registry\/(services\/edit|keys\/remove)|admin\/mediator\/pubsub\/types\/delete|admin\/registries\/:code\/lookup|r1\/.*|govstack\/payments\/bills\/:billId|govstack\/registration\/(applications|applications\/:fileId|data\/statistics)|govstack\/registries\/data\/(mypersonalDataUsage|my-personal-data-usage|MyPersonalDataUsage)|govstack\/registries\/database\/:id|govstack\/scheduler\/.*)$/, row: SHAPE_FIRST },
  // Public pages, public data and protocol endpoints.
  { name: 'public', methods: ['GET', 'HEAD'], pattern: /^\/(|docs.*|openapi\.json|oauth\/jwks|metrics|lang\/:locale|\*|auth\/(signin|autosubmit\.js)|accessibility|api\/catalog\/.*|api\/documents\/certificates\/:id\/status|healthz|readyz|help|halls|halls\/:id\/screen|issuers\/:agency\/jwks\.json|services|services\/:slug|privacy|payments\/test-provider\/checkout\/:ref|performance.*|contact|feedback|account\/closed|\.well-known\/jwks\.json|verify\/:id|demo-providers\/.*|govstack\/registration\/(services|services\/:serviceId|services\/:serviceId\/eForms|eForms\/:eFormId))$/, row: EVERYONE },
  // Machine APIs: a client with the scope, never a person's session.
  { name: 'machine with scope', methods: ['GET', 'HEAD'], pattern: /^\/(listClients|govstack\/registries\/.*|govstack\/consent\/.*|govstack\/im\/.*|govstack\/workflow\/.*|govstack\/messaging\/.*)$/, row: MACHINE },
  // GovStack consent writes (agreements, policies, individuals, webhooks, records, signatures, delete-all): a client with the scope; anonymous refused.
  { name: 'consent machine writes', methods: ['POST', 'PUT', 'DELETE'], pattern: /^\/govstack\/consent\/(config|service)\/.*$/, row: ANONYMOUS_REFUSED },
  { name: 'registration tasks', methods: ['GET', 'HEAD'], pattern: /^\/govstack\/registration\/tasks/, row: row(['officer', 'machine']) },
  { name: 'registration documents', methods: ['GET', 'HEAD'], pattern: /^\/govstack\/registration\/documents\/:documentId$/, row: row([...PEOPLE, 'machine']) },
  // Staff pages and APIs by role.
  { name: 'platform admin', methods: ['GET', 'HEAD'], pattern: /^\/(admin\/outbox|admin\/api-clients.*|api\/identity\/api-clients)$/, row: row(['platformAdmin']) },
  { name: 'agency admin', methods: ['GET', 'HEAD'], pattern: /^\/(admin\/(consent|mediator|privacy).*|api\/consent\/.*|api\/mediator\/.*)$/, row: STAFF_ADMIN },
  { name: 'registry staff', methods: ['GET', 'HEAD'], pattern: /^\/admin\/registries.*$/, row: row(['clerk', 'officer', 'agencyAdmin', 'platformAdmin']) },
  { name: 'officer', methods: ['GET', 'HEAD'], pattern: /^\/(api\/workflow\/queue|backoffice|backoffice\/cases\/:id)$/, row: OFFICER },
  { name: 'follow-ups', methods: ['GET', 'HEAD'], pattern: /^\/backoffice\/follow-ups$/, row: row(['officer', 'agencyAdmin']) },
  { name: 'reconciliation', methods: ['GET', 'HEAD'], pattern: /^\/payments\/reconciliation/, row: row(['officer', 'agencyAdmin', 'platformAdmin']) },
  { name: 'refunds', methods: ['GET', 'HEAD'], pattern: /^\/payments\/refunds\/:paymentId$/, row: row(['officer', 'agencyAdmin']) },
  { name: 'counter staff', methods: ['GET', 'HEAD'], pattern: /^\/(counter|counter\/ratings|counter\/visits|counter\/visits\/:id|payments\/counter)$/, row: CLERK },
  { name: 'counter payments', methods: ['GET', 'HEAD'], pattern: /^\/payments\/staff\/:id$/, row: row(['clerk', 'officer', 'agencyAdmin']) },
  // Signed-in people; a resource of someone else is a 404 from the handler (random ids here).
  { name: 'signed in', methods: ['GET', 'HEAD'], pattern: /^\/(auth\/held\/:id|documents.*|messages|my-data.*|account.*|applications.*|halls\/:id\/desk|services\/:slug\/apply|payments\/(applications|receipts)\/.*|backoffice\/(certificates|follow-ups)\/:id.*|api\/(workflow\/cases|documents\/certificates|payments\/applications)\/:id.*)$/, row: SIGNED_IN },
  // Every state-changing route refuses an anonymous caller, except the protocol endpoints.
  { name: 'public protocol writes', methods: ['POST'], pattern: /^\/(auth\/signout|oauth\/token|payments\/webhooks\/:provider|api\/documents\/verify|idp\/interaction\/:uid\/login|payments\/test-provider\/checkout\/:ref|\*)$/, row: EVERYONE },
  { name: 'preflight', methods: ['OPTIONS'], pattern: /^\/\*$/, row: EVERYONE },
  { name: 'writes', methods: ['POST', 'PUT', 'PATCH', 'DELETE'], pattern: /./, row: ANONYMOUS_REFUSED },
];

export function ruleFor(method: string, url: string): Rule | undefined {
  return RULES.find((r) => (!r.methods || r.methods.includes(method)) && r.pattern.test(url));
}
