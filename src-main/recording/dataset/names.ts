/** File-name pieces and class ids for exported datasets. */
import { DVS_GESTURE_CLASSES } from '../../../src-engine/formats/aedat/gesture-labels';

/** A label as a file-name piece: ASCII letters, digits and '-', at most 40 characters ('' → 'take'). */
export function slug(label: string): string {
  const s = label
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 40)
    .replace(/-+$/, '');
  return s || 'take';
}

const key = (s: string) => s.toLowerCase().replace(/[\s_-]+/g, ' ').trim();
const GESTURE_IDS = new Map(DVS_GESTURE_CLASSES.map((name, i) => [key(name), i + 1]));

/** DVS Gesture's class id (1–11) for a label naming one of its classes ('Hand clapping', 'air_drums' …). */
export function gestureClassId(label: string): number | undefined {
  return GESTURE_IDS.get(key(label));
}

/**
 * Class ids for a set of labels: DVS Gesture's own id where the label is one
 * of its classes, else 12, 13 … in order of first appearance
 * (also for a second spelling of a gesture already given its id).
 */
export function assignClassIds(labels: readonly string[]): Map<string, number> {
  const ids = new Map<string, number>();
  const used = new Set<number>();
  let next = DVS_GESTURE_CLASSES.length + 1;
  for (const l of labels) {
    if (ids.has(l)) continue;
    // two spellings of one gesture ('air drums', 'Air_Drums') stay two classes
    const g = gestureClassId(l);
    const id = g !== undefined && !used.has(g) ? g : next++;
    ids.set(l, id);
    used.add(id);
  }
  return ids;
}
