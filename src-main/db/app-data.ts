// Where the app keeps its database: the platform's per-user app-data folder
// (the same folder Electron's app.getPath('userData') gives for "Neurolive"),
// so the CLI and the app share one database. NEUROLIVE_DB overrides (tests).
import { homedir } from 'node:os';
import { join } from 'node:path';

export const APP_DIR_NAME = 'Neurolive';
export const DB_FILE_NAME = 'neurolive.sqlite';

export function appDataDir(platform: NodeJS.Platform = process.platform, env: NodeJS.ProcessEnv = process.env, home = homedir()): string {
  if (platform === 'win32') return join(env.APPDATA || join(home, 'AppData', 'Roaming'), APP_DIR_NAME);
  if (platform === 'darwin') return join(home, 'Library', 'Application Support', APP_DIR_NAME);
  return join(env.XDG_CONFIG_HOME || join(home, '.config'), APP_DIR_NAME);
}

/** --db PATH, else $NEUROLIVE_DB, else the app-data folder's neurolive.sqlite */
export function defaultDbPath(explicit?: string, env: NodeJS.ProcessEnv = process.env): string {
  if (explicit) return explicit;
  if (env.NEUROLIVE_DB) return env.NEUROLIVE_DB;
  return join(appDataDir(process.platform, env), DB_FILE_NAME);
}
