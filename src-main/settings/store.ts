/**
 * The app's settings (contract `Settings`), persisted as one JSON file in the
 * user-data folder. Writes are atomic (temp file + rename) so a crash never
 * leaves half a file; a corrupt or invalid file is kept as `.bak` and the app
 * starts from defaults with a warning instead of refusing to start.
 */
import { promises as fs } from 'node:fs';
import { join } from 'node:path';
import { Settings } from '../ipc/contract';

export const SETTINGS_FILE = 'settings.json';

export const DEFAULT_SETTINGS: Settings = {
  windowMs: 100,
  bins: 1,
  downsample: 1,
  denoise: false,
  learner: 'ncm',
  unknownThreshold: 0.5,
  binaryUnknownThreshold: 0.4,
  buttons: {},
  kiosk: { enabled: false, pin: '0000', idleSeconds: 120, visitorClassTtlMinutes: 60 },
};

/** The unknown threshold of the learner the settings choose. */
export function unknownThresholdFor(s: Pick<Settings, 'learner' | 'unknownThreshold' | 'binaryUnknownThreshold'>): number {
  return s.learner === 'binary-fc' ? s.binaryUnknownThreshold : s.unknownThreshold;
}

export interface SettingsLoad {
  settings: Settings;
  /** set when the stored file was unusable and defaults were used */
  warning?: string;
}

function clone(s: Settings): Settings {
  return structuredClone(s);
}

export class SettingsStore {
  private current: Settings;
  private writing: Promise<void> = Promise.resolve();

  private constructor(
    readonly path: string,
    initial: Settings,
    readonly warning?: string,
  ) {
    this.current = initial;
  }

  /** Load from `<dir>/settings.json`; missing → defaults; corrupt → defaults + warning + `.bak`. */
  static async open(dir: string): Promise<SettingsStore> {
    await fs.mkdir(dir, { recursive: true });
    const path = join(dir, SETTINGS_FILE);
    const { settings, warning } = await loadSettings(path);
    return new SettingsStore(path, settings, warning);
  }

  get(): Settings {
    return clone(this.current);
  }

  /** Merge a validated partial (kiosk merged field by field), persist, return the result. */
  async update(patch: Partial<Settings>): Promise<Settings> {
    const merged = {
      ...this.current,
      ...patch,
      kiosk: { ...this.current.kiosk, ...(patch.kiosk ?? {}) },
      buttons: patch.buttons ?? this.current.buttons,
    };
    const parsed = Settings.safeParse(merged);
    if (!parsed.success) throw new Error(`settings: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
    this.current = parsed.data;
    await this.save();
    return this.get();
  }

  /** Serialised so two quick updates never interleave their renames. */
  save(): Promise<void> {
    const text = JSON.stringify(this.current, null, 2) + '\n';
    this.writing = this.writing.then(() => writeAtomic(this.path, text));
    return this.writing;
  }
}

export async function loadSettings(path: string): Promise<SettingsLoad> {
  let text: string;
  try {
    text = await fs.readFile(path, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return { settings: clone(DEFAULT_SETTINGS) };
    return { settings: clone(DEFAULT_SETTINGS), warning: `settings: cannot read ${path} (${(e as Error).message}); using defaults` };
  }
  let reason: string;
  try {
    const json = JSON.parse(text) as unknown;
    // fields added in later versions fall back to defaults; present fields must be valid
    const merged =
      json && typeof json === 'object' && !Array.isArray(json)
        ? { ...DEFAULT_SETTINGS, ...(json as object), kiosk: { ...DEFAULT_SETTINGS.kiosk, ...((json as { kiosk?: object }).kiosk ?? {}) } }
        : json;
    const parsed = Settings.safeParse(merged);
    if (parsed.success) return { settings: parsed.data };
    reason = parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ');
  } catch (e) {
    reason = `not JSON (${(e as Error).message})`;
  }
  const bak = `${path}.bak`;
  await fs.rename(path, bak).catch(() => undefined);
  return { settings: clone(DEFAULT_SETTINGS), warning: `settings: ${path} is invalid (${reason}); kept as ${bak}, using defaults` };
}

async function writeAtomic(path: string, text: string): Promise<void> {
  const tmp = `${path}.${process.pid}.${Date.now()}.tmp`;
  await fs.writeFile(tmp, text, 'utf8');
  await fs.rename(tmp, path);
}
