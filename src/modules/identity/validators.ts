/**
 * Checksums of Chinese identifiers, so demo data (and later, form answers) can be checked
 * without a registry call.
 */

const ID_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const ID_CHECK = '10X98765432';

/** The check character of the first 17 digits of a resident ID number (GB 11643-1999, ISO 7064 MOD 11-2). */
export function residentIdCheckChar(first17: string): string {
  const sum = [...first17].reduce((acc, ch, i) => acc + Number(ch) * (ID_WEIGHTS[i] ?? 0), 0);
  return ID_CHECK[sum % 11] ?? '';
}

/** An 18-character resident ID number: 17 digits, a real birth date, and the right check character. */
export function isValidResidentId(value: string): boolean {
  if (!/^\d{17}[\dX]$/.test(value)) return false;
  const year = Number(value.slice(6, 10));
  const month = Number(value.slice(10, 12));
  const day = Number(value.slice(12, 14));
  const date = new Date(Date.UTC(year, month - 1, day));
  if (date.getUTCFullYear() !== year || date.getUTCMonth() !== month - 1 || date.getUTCDate() !== day) return false;
  return residentIdCheckChar(value.slice(0, 17)) === value[17];
}

/** The characters of a unified social credit code: digits and capitals without I, O, S, V, Z. */
const USCC_CHARS = '0123456789ABCDEFGHJKLMNPQRTUWXY';
const USCC_WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28];
const ORG_WEIGHTS = [3, 7, 9, 10, 5, 8, 4, 2];

/**
 * A character's value in an organisation code (GB 11714-1997): a digit its own, a letter A=10 …
 * Z=35. Not its place in USCC_CHARS, which has no I, O, S, V or Z: that rejected real codes such
 * as 91110108MA01MNU448 once a letter after H stood in the embedded code.
 */
const orgValue = (ch: string): number => (ch >= '0' && ch <= '9' ? Number(ch) : ch.charCodeAt(0) - 55);

function orgCodeCheckChar(first8: string): string {
  const sum = [...first8].reduce((acc, ch, i) => acc + orgValue(ch) * (ORG_WEIGHTS[i] ?? 0), 0);
  const check = 11 - (sum % 11);
  return check === 10 ? 'X' : check === 11 ? '0' : String(check);
}

/** The check character of the first 17 characters of a unified social credit code (GB 32100-2015). */
export function usccCheckChar(first17: string): string {
  const sum = [...first17].reduce((acc, ch, i) => acc + USCC_CHARS.indexOf(ch) * (USCC_WEIGHTS[i] ?? 0), 0);
  return USCC_CHARS[(31 - (sum % 31)) % 31] ?? '';
}

/** An 18-character unified social credit code with a valid embedded organisation code and check character. */
export function isValidUscc(value: string): boolean {
  if (!/^[0-9A-HJ-NPQRTUWXY]{2}\d{6}[0-9A-HJ-NPQRTUWXY]{10}$/.test(value)) return false;
  if (orgCodeCheckChar(value.slice(8, 16)) !== value[16]) return false;
  return usccCheckChar(value.slice(0, 17)) === value[17];
}

/** Completes a code from its first 16 characters (for making demo data). */
export function completeUscc(first16: string): string {
  const first17 = first16 + orgCodeCheckChar(first16.slice(8, 16));
  return first17 + usccCheckChar(first17);
}
