export { createDatabase, type Database, type Db, type NoTables } from './connect.js';
export { migrateToLatest, migrateDown, migrationStatus, migrationsCurrent, migrationDrift, newerDatabaseMessage, DatabaseAheadError, MIGRATION_FILE, type MigrationSource } from './migrate.js';
export { IDS_PER_STATEMENT, inChunks } from './chunks.js';
export { PREPARED } from './prepared.js';
