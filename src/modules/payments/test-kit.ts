import { buildApp, type Built } from '../../app.js';
import type { Principal } from '../../kernel/auth/index.js';
import type { Logger } from 'pino';
import { loadConfig } from '../../kernel/config/index.js';
import type { TestDatabase } from '../../../test/helpers/databases.js';
import { freePort } from '../../../test/journeys/server.js';
import { modules } from '../index.js';

export const DRIVING_LICENCE = 'driving-licence-renewal';
export const PLANNING_PERMIT = 'building-planning-permit';

/**
 * The real app listening on 127.0.0.1 with that address as its public URL, so the test provider's
 * webhooks really travel over HTTP to the webhook route. Demo people and services seeded.
 * `logger`: the app's log (e.g. into a test's sink), else the configuration's; `now`: the app's clock (a test moves it to reach a job's retry).
 */
export async function listeningDemoApp(test: TestDatabase, logger?: Logger, now?: () => Date): Promise<{ built: Built; url: string }> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const base = loadConfig({ NODE_ENV: 'test', HOST: '127.0.0.1', PORT: String(port), TONGBAN_PUBLIC_URL: url, TONGBAN_DATA_DIR: ':memory:', TONGBAN_SIGNIN_RATE_PER_MINUTE: '1000' });
  const built = await buildApp({ config: { ...base, database: test.config.database }, database: test.database, ...(logger ? { logger } : {}), ...(now ? { now } : {}) });
  await built.app.ready();
  for (const mod of modules) await mod.seed?.({ kernel: built.kernel, services: built.services });
  await built.app.listen({ host: '127.0.0.1', port });
  return { built, url };
}

const pdf = Buffer.concat([Buffer.from('%PDF-1.7\nmedical\n%%EOF\n')]);
const jpeg = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), Buffer.alloc(60, 2)]);

/** 张伟 (or another person) applies online for a driving licence renewal of `licenceClass`, through the applications service. */
export async function applyForLicence(built: Built, person: Principal, idNumber: string, licenceClass = 'C1'): Promise<{ id: string; reference: string }> {
  const { applications } = built.services;
  const draft = await applications.startOnline(DRIVING_LICENCE, person, 'en');
  const result = await applications.submitAnswers(draft.id, person, {
    locale: 'en',
    answers: {
      licence: { driver_name: person.name, id_number: idNumber, file_number: '110000123456', licence_class: licenceClass, expiry_date: '2027-01-31', reason: 'expiry' },
      delivery: { delivery: 'collect', phone: '13900139000' },
    },
    uploads: [
      { fieldId: 'medical_certificate', filename: 'medical.pdf', claimedType: 'application/pdf', content: pdf, truncated: false },
      { fieldId: 'photo', filename: 'photo.jpg', claimedType: 'image/jpeg', content: jpeg, truncated: false },
    ],
  });
  if (!result.ok) throw new Error(`the test application was refused: ${JSON.stringify(result.errors)}`);
  return { id: result.application.id, reference: result.application.reference ?? '' };
}
