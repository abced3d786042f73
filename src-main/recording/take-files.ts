/**
 * Where takes live: `<dataDir>/takes/`.
 *
 *   take-<uuid>.aedat4        a finished take (indexed by a row, or an orphan to sweep)
 *   take-<uuid>.aedat4.part   a take being written (recording, trim, import)
 *   take-<uuid>.json          a recording's metadata, kept until its row is committed:
 *                             with it a crash leaves enough to recover the take
 */
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { z } from 'zod';

export const TAKES_DIR = 'takes';
export const PART_SUFFIX = '.part';

export function newTakeName(): string {
  return `take-${randomUUID()}.aedat4`;
}

export const TAKE_FILE_RE = /^take-[0-9a-f-]{36}\.aedat4$/;
export const PART_FILE_RE = /^take-[0-9a-f-]{36}\.aedat4\.part$/;
export const SIDECAR_RE = /^take-[0-9a-f-]{36}\.json$/;

export function sidecarName(takeFile: string): string {
  return takeFile.replace(/\.aedat4$/, '.json');
}
export function takeFileOfSidecar(sidecar: string): string {
  return sidecar.replace(/\.json$/, '.aedat4');
}

export const Sidecar = z.object({
  label: z.string(),
  notes: z.string(),
  sensor: z.string(),
  width: z.number().int().positive(),
  height: z.number().int().positive(),
  createdAt: z.number(),
});
export type Sidecar = z.infer<typeof Sidecar>;

export function takesDir(dataDir: string): string {
  return join(dataDir, TAKES_DIR);
}
