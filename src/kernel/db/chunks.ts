/**
 * Ids per statement when many rows are read by id at once (`where id in (…)`, one parameter each):
 * a report over a day's payments asks once per thousand, not once per row, and stays far below
 * PostgreSQL's 65,535 parameters per statement.
 */
export const IDS_PER_STATEMENT = 1000;

/** `items` in consecutive slices of at most `size`, in order; nothing for none. */
export function* inChunks<T>(items: readonly T[], size: number = IDS_PER_STATEMENT): Generator<T[]> {
  if (!Number.isInteger(size) || size < 1) throw new RangeError(`inChunks: size must be a positive integer, not ${size}`);
  for (let i = 0; i < items.length; i += size) yield items.slice(i, i + size);
}
