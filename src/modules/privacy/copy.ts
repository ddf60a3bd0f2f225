import { purposeText } from '../../kernel/audit/index.js';
import type { Principal } from '../../kernel/auth/index.js';
import type { Kernel } from '../../kernel/context.js';
import type { Locale } from '../../kernel/i18n/index.js';

/**
 * The parts of a person's copy of their data (PIPL art. 45), in the order the page and the file
 * list them. Each is named by `privacy.copy.section.<id>` and described by `….<id>.about`.
 */
export const COPY_SECTIONS = ['account', 'applications', 'payments', 'appointments', 'certificates', 'consents', 'registers', 'messages', 'questions'] as const;
export type CopySectionId = (typeof COPY_SECTIONS)[number];

/** Why the data was read, on the audit records of the copy and of each register read for it. */
export const COPY_PURPOSE = purposeText('privacy.purpose.copy');

export interface CopyReading {
  readonly locale: Locale;
  /** The person's own reads of registers are audited with this purpose and request. */
  readonly purpose: string;
  readonly requestId: string | undefined;
}

/**
 * One module's part of the copy: plain data, serialised as JSON as it is. A module gives what it
 * holds about the person through its service; the composition root wires them (src/modules/copy-sources.ts).
 */
export type CopyCollector = (person: Principal, reading: CopyReading) => Promise<readonly unknown[]>;
export type CopySources = Readonly<Record<Exclude<CopySectionId, 'questions'>, CopyCollector>>;

export interface PersonalDataCopy {
  readonly generatedAt: Date;
  readonly sections: readonly { readonly id: CopySectionId; readonly items: readonly unknown[] }[];
}

/**
 * Collects the copy and records that the person took it: one `privacy.copy` audit record, the
 * person acting on their own data (so it is not listed among others' uses on their page, as
 * the register reads made for it are not).
 */
export async function collectCopy(
  kernel: Pick<Kernel, 'audit' | 'now'>, sources: CopySources, questions: CopyCollector, person: Principal, options: { locale: Locale; requestId?: string | undefined },
): Promise<PersonalDataCopy> {
  const reading: CopyReading = { locale: options.locale, purpose: COPY_PURPOSE, requestId: options.requestId };
  const collectors: Record<CopySectionId, CopyCollector> = { ...sources, questions };
  const sections = await Promise.all(COPY_SECTIONS.map(async (id) => ({ id, items: await collectors[id](person, reading) })));
  await kernel.audit.appendCommitted({
    actor: { kind: 'person', id: person.accountId }, action: 'privacy.copy', subject: person.accountId, purpose: COPY_PURPOSE,
    ...(options.requestId ? { requestId: options.requestId } : {}),
    details: { sections: Object.fromEntries(sections.map((s) => [s.id, s.items.length])) },
  });
  return { generatedAt: kernel.now(), sections };
}
