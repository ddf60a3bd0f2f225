import pg from 'pg';
import { sha256 } from '../digest.js';

/**
 * The mark of a statement worth preparing once per connection: a hot statement whose text does not
 * change with its data (docs/adr/0038-fixed-statements.md). Put it first in the SQL text; on
 * PostgreSQL the statement then runs as a named prepared statement (parsed once per connection,
 * and planned once its generic plan is as good), on PGlite it is only a comment.
 */
export const PREPARED = '/* tb:prepared */ ';

const MAX_NAMES = 256;
const names = new Map<string, string>();

/** A stable name per text (PostgreSQL keeps one prepared statement per name and connection). */
export function preparedName(text: string): string {
  let name = names.get(text);
  if (name === undefined) {
    name = `tb_${sha256(text, 'hex').slice(0, 40)}`;
    // Texts are few (one per kind of hot statement); the bound only guards against a caller marking a text that varies.
    if (names.size < MAX_NAMES) names.set(text, name);
  }
  return name;
}

/**
 * pg's client, but a query whose text starts with PREPARED is sent as a named statement: pg parses
 * it on a connection the first time and afterwards only binds and executes it. Everything else
 * (the query object forms, callbacks, cursors) goes through unchanged.
 */
export class PreparingClient extends pg.Client {
  override query(...args: unknown[]): never {
    const [config, values, callback] = args;
    if (typeof config === 'string' && config.startsWith(PREPARED) && (values === undefined || Array.isArray(values))) {
      const named: pg.QueryConfig = { name: preparedName(config), text: config, ...(values === undefined ? {} : { values: values as unknown[] }) };
      return (super.query as (...a: unknown[]) => never)(named, ...(callback === undefined ? [] : [callback]));
    }
    return (super.query as (...a: unknown[]) => never)(...args);
  }
}
