// The app database: open + migrate, transactions, where the file lives.
export { openDatabase, type OpenDatabaseOptions } from './open';
export { migrate, checkMigrations, userVersion, DatabaseVersionError } from './migrate';
export { inTransaction } from './transaction';
export { appDataDir, defaultDbPath, APP_DIR_NAME, DB_FILE_NAME } from './app-data';
export { MIGRATIONS, type Migration } from './migrations';
