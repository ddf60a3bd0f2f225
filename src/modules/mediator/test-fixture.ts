import type { FastifyInstance } from 'fastify';
import type { Built } from '../../app.js';
import { buildApp } from '../../app.js';
import { loadConfig } from '../../kernel/config/index.js';
import type { Database } from '../../kernel/db/index.js';
import { createDatabase } from '../../kernel/db/index.js';
import type { TestDatabase } from '../../../test/helpers/databases.js';
import { seedAdmin, startProvider, tokenFor } from './test-kit.js';

export const CLIENT = 'CN/GOV/110000-CAB/case-system';
export const SERVICE = 'CN/GOV/110000-PSB/population/persons';
export const PERSONS = `/r1/${SERVICE}`;
export const PERSON = '110101199003072359';
const PUBLIC_URL = 'http://tongban.test';

/** An app on the test database; `second` builds another instance on the same database. */
export async function instance(test: TestDatabase, second = false): Promise<Built> {
  const base = loadConfig({ NODE_ENV: 'test', TONGBAN_PUBLIC_URL: PUBLIC_URL, TONGBAN_DATA_DIR: ':memory:' });
  // A second instance has its own connection pool on PostgreSQL, as a second process would; an
  // in-memory PGlite has one connection, shared (and closed by the first instance only).
  const database: Database = !second ? test.database : test.kind === 'postgres' ? createDatabase(test.config) : { ...test.database, close: () => Promise.resolve() };
  const built = await buildApp({ config: { ...base, database: test.config.database }, database });
  await built.app.ready();
  return built;
}

/** One provider, one service, the case system allowed to GET persons; returns its access token. */
export async function registerCaseSystem(built: Built): Promise<{ provider: { app: FastifyInstance; url: string }; token: string; rightId: string }> {
  const provider = await startProvider();
  const { mediator } = built.services;
  for (const code of ['110000-PSB', '110000-CAB']) await mediator.addMember({ instance: 'CN', memberClass: 'GOV', code, name: code, agency: code }, seedAdmin);
  await mediator.addSubsystem({ memberId: 'CN/GOV/110000-PSB', code: 'population', name: 'Population' }, seedAdmin);
  await mediator.addSubsystem({ memberId: 'CN/GOV/110000-CAB', code: 'case-system', name: 'Cases', clientId: 'test-cab-case-system' }, seedAdmin);
  await mediator.saveService({ subsystemId: 'CN/GOV/110000-PSB/population', code: 'persons', name: 'Persons', baseUrl: provider.url }, seedAdmin);
  const right = await mediator.grant({ serviceId: SERVICE, clientId: CLIENT, method: 'GET', path: '/persons/*' }, seedAdmin);
  return { provider, token: await tokenFor(built, 'test-cab-case-system', CLIENT), rightId: right.id };
}

export const call = (built: Built, token: string, path = `/persons/${PERSON}`) => built.app.inject({
  method: 'GET', url: `${PERSONS}${path}`, headers: { authorization: `Bearer ${token}`, 'information-mediator-client': CLIENT },
});

/** Waits until the instance keeps registry rows in memory (PostgreSQL: once it listens). */
export async function untilCached(built: Built, token: string): Promise<void> {
  for (let i = 0; i < 100 && !built.services.mediator.registryCached; i += 1) {
    await call(built, token);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  if (!built.services.mediator.registryCached) throw new Error('the registry cache never started');
}
