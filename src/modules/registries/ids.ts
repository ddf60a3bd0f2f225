/**
 * Check characters of Chinese identifiers, for the demo data and the person generator (the
 * identity module has the same checks for its own forms; a module reaches another only through
 * its service, so these few lines are kept here too).
 */
export const ID_WEIGHTS: readonly number[] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
export const ID_CHECK = '10X98765432';

/** The check character of the first 17 digits of a resident ID number (GB 11643-1999, ISO 7064 MOD 11-2). */
export function residentIdCheckChar(first17: string): string {
  let sum = 0;
  for (let i = 0; i < 17; i += 1) sum += (first17.charCodeAt(i) - 48) * (ID_WEIGHTS[i] ?? 0);
  return ID_CHECK[sum % 11] ?? '';
}

export function isResidentId(value: string): boolean {
  return /^\d{17}[\dX]$/.test(value) && residentIdCheckChar(value.slice(0, 17)) === value[17];
}
