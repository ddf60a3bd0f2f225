const MAX_ENTRIES = 10_000;

/** The people register through a port: the identity service's `accountByIdNumber`. */
export interface PersonDirectory {
  /** The account id of the person with this resident ID number, if they have an account. */
  accountIdOf(idNumber: string): Promise<string | undefined>;
}

const FOUND_MS = 5 * 60_000;
const NOT_FOUND_MS = 5_000;

/**
 * ID number → account id, cached: an account's id never changes once it exists, so found ones are
 * kept for minutes; a missing one only for seconds (the person may sign up).
 */
export function cachedDirectory(directory: PersonDirectory): PersonDirectory {
  const entries = new Map<string, { readonly until: number; readonly value: Promise<string | undefined> }>();
  return {
    accountIdOf(idNumber) {
      const at = Date.now();
      const hit = entries.get(idNumber);
      if (hit && hit.until > at) return hit.value;
      if (entries.size >= MAX_ENTRIES) entries.clear();
      const value = directory.accountIdOf(idNumber);
      const entry = { until: at + FOUND_MS, value };
      entries.set(idNumber, entry);
      value.then((id) => {
        if (id === undefined && entries.get(idNumber) === entry) entries.set(idNumber, { until: at + NOT_FOUND_MS, value });
      }, () => { if (entries.get(idNumber) === entry) entries.delete(idNumber); });
      return value;
    },
  };
}
