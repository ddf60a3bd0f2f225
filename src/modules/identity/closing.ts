import type { Kysely } from 'kysely';
import type { Principal } from '../../kernel/auth/index.js';
import type { Kernel } from '../../kernel/context.js';
import { TongbanError } from '../../kernel/http/errors.js';
import type { Locale } from '../../kernel/i18n/index.js';
import { IdentityErrors } from './errors.js';
import type { createIdentityStore } from './store.js';

/** Something that must end before the person closes their account: an application in progress. */
export interface ClosingBlocker {
  readonly title: Readonly<Record<Locale, string>>;
  readonly reference: string;
  readonly href: string;
}

/**
 * What another module does when a person closes their account (ADR 68): `blockers` says what
 * must end first; `close` removes what is kept only for the person's own use, in the closing
 * transaction. Registered by the module that owns the data (applications: drafts).
 */
export interface ClosingStep {
  blockers(person: Principal): Promise<readonly ClosingBlocker[]>;
  close(tx: Kysely<object>, person: Principal, requestId: string | undefined): Promise<void>;
}

type Store = ReturnType<typeof createIdentityStore>;

/** Closing one's own account, and opening it again at the next sign-in. */
export function createClosing(kernel: Pick<Kernel, 'now' | 'audit'>, store: Store) {
  const steps: ClosingStep[] = [];

  async function blockers(person: Principal): Promise<ClosingBlocker[]> {
    return (await Promise.all(steps.map((step) => step.blockers(person)))).flat();
  }

  return {
    addClosingStep(step: ClosingStep): void {
      steps.push(step);
    },

    closingBlockers: blockers,

    /**
     * Closes the person's account: refused while something of theirs is in progress
     * (TB_IDENTITY_CLOSE_BLOCKED); then, in one transaction, the account is disabled and marked
     * closed, every step removes its part, and one `account.close` record is written. Sessions end
     * at their next request (the kernel asks for the principal on every one); the caller ends them now.
     */
    async closeAccount(person: Principal, options: { requestId?: string | undefined } = {}): Promise<void> {
      const open = await blockers(person);
      if (open.length > 0) {
        throw new TongbanError(IdentityErrors.TB_IDENTITY_CLOSE_BLOCKED, { detail: `${open.length} application(s) in progress: ${open.map((b) => b.reference).join(', ')}` });
      }
      await store.transaction(async (tx) => {
        if (!(await store.close(person.accountId, kernel.now(), tx))) throw new TongbanError(IdentityErrors.TB_IDENTITY_ACCOUNT_NOT_FOUND);
        for (const step of steps) await step.close(tx, person, options.requestId);
        await kernel.audit.append(tx, {
          actor: { kind: 'person', id: person.accountId }, action: 'account.close', subject: person.accountId,
          ...(options.requestId ? { requestId: options.requestId } : {}),
        });
      });
    },

    /** Opens an account its person closed, at their sign-in; false when it was not closed by them. */
    async reopen(accountId: string): Promise<boolean> {
      return store.transaction(async (tx) => {
        if (!(await store.reopen(accountId, tx))) return false;
        await kernel.audit.append(tx, { actor: { kind: 'person', id: accountId }, action: 'account.reopen', subject: accountId });
        return true;
      });
    },
  };
}
