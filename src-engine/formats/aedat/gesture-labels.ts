/**
 * Label files of the IBM DVS128 Gesture dataset: each recording
 * `userNN_<lighting>.aedat` (AEDAT 3.1) has a `userNN_<lighting>_labels.csv`
 * beside it, one row per performed gesture:
 *
 *   class,startTime_usec,endTime_usec
 *   1,53036986,59508469
 *
 * Times are on the recording's clock (AEDAT 3.1 event timestamps). A class
 * can occur more than once in a file.
 */
import { EventFormatError } from '../errors';

export interface GestureLabel {
  /** 1–11, see DVS_GESTURE_CLASSES */
  classId: number;
  startUs: number;
  endUs: number;
}

/** Class names in class-id order: DVS_GESTURE_CLASSES[classId - 1]. */
export const DVS_GESTURE_CLASSES: readonly string[] = Object.freeze([
  'hand clapping',
  'right hand wave',
  'left hand wave',
  'right arm clockwise',
  'right arm counter-clockwise',
  'left arm clockwise',
  'left arm counter-clockwise',
  'arm roll',
  'air drums',
  'air guitar',
  'other gestures',
]);

const FORMAT = 'dvs-gesture-labels';
const HEADER = ['class', 'startTime_usec', 'endTime_usec'];

/**
 * Options of the reader and writer. `maxClassId` widens the accepted class
 * ids for datasets in this layout with more classes than DVS Gesture's 11
 * (their names then come from a classes.csv beside the files); default 11.
 */
export interface GestureLabelOptions {
  maxClassId?: number;
}

function labelProblem(l: GestureLabel, maxClassId: number = DVS_GESTURE_CLASSES.length): string | undefined {
  if (!(Number.isInteger(l.classId) && l.classId >= 1 && l.classId <= maxClassId)) {
    return `class ${l.classId} is not one of 1–${maxClassId}`;
  }
  for (const [name, v] of [['start', l.startUs], ['end', l.endUs]] as const) {
    if (!(Number.isInteger(v) && v >= 0 && v <= Number.MAX_SAFE_INTEGER)) return `${name} time ${v} is not a non-negative integer number of µs`;
  }
  if (l.endUs < l.startUs) return `end time ${l.endUs} is before start time ${l.startUs}`;
  return undefined;
}

/** A whole non-negative decimal integer, or NaN. */
function parseUInt(field: string): number {
  return /^\d{1,16}$/.test(field) ? Number(field) : NaN;
}

/**
 * Parses a labels CSV. Accepts CRLF or LF line ends, a UTF-8 BOM, spaces
 * around fields and blank lines; throws an EventFormatError naming the line
 * (and its byte offset) for anything else.
 */
export function parseGestureLabels(text: string, sourceName = 'labels.csv', opts: GestureLabelOptions = {}): GestureLabel[] {
  const encoder = new TextEncoder();
  const fail = (lineNo: number, lineStart: number, reason: string): never => {
    const offset = encoder.encode(text.slice(0, lineStart)).length;
    throw new EventFormatError('corrupt', FORMAT, sourceName, offset, `line ${lineNo}: ${reason}`);
  };
  const labels: GestureLabel[] = [];
  let pos = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  let lineNo = 0;
  let sawHeader = false;
  while (pos < text.length) {
    const nl = text.indexOf('\n', pos);
    const lineEnd = nl < 0 ? text.length : nl;
    const lineStart = pos;
    const line = text.slice(pos, lineEnd).replace(/\r$/, '');
    pos = lineEnd + 1;
    lineNo++;
    if (line.trim() === '') continue;
    const fields = line.split(',').map((f) => f.trim());
    if (!sawHeader) {
      if (fields.length !== 3 || fields.some((f, i) => f.toLowerCase() !== HEADER[i].toLowerCase())) {
        fail(lineNo, lineStart, `expected the header "${HEADER.join(',')}", found "${line.slice(0, 80)}"`);
      }
      sawHeader = true;
      continue;
    }
    if (fields.length !== 3) fail(lineNo, lineStart, `expected 3 fields (class,start,end), found ${fields.length}`);
    const label: GestureLabel = { classId: parseUInt(fields[0]), startUs: parseUInt(fields[1]), endUs: parseUInt(fields[2]) };
    const names = ['class', 'start time', 'end time'];
    [label.classId, label.startUs, label.endUs].forEach((v, i) => {
      if (Number.isNaN(v)) fail(lineNo, lineStart, `${names[i]} "${fields[i].slice(0, 40)}" is not a whole number`);
    });
    const problem = labelProblem(label, opts.maxClassId);
    if (problem) fail(lineNo, lineStart, problem);
    labels.push(label);
  }
  if (!sawHeader) fail(Math.max(lineNo, 1), 0, `empty file: expected the header "${HEADER.join(',')}"`);
  return labels;
}

/** Writes labels in the dataset's own form (LF line ends, trailing newline). */
export function formatGestureLabels(labels: readonly GestureLabel[], opts: GestureLabelOptions = {}): string {
  const rows = labels.map((l, i) => {
    const problem = labelProblem(l, opts.maxClassId);
    if (problem) throw new RangeError(`gesture label ${i}: ${problem}`);
    return `${l.classId},${l.startUs},${l.endUs}`;
  });
  return [HEADER.join(','), ...rows].join('\n') + '\n';
}

/**
 * The labels file that goes with a recording: the name's last extension is
 * replaced by `_labels.csv` ('user01_fluorescent.aedat' →
 * 'user01_fluorescent_labels.csv'); directories are kept.
 */
export function labelsPathFor(aedatPath: string): string {
  const slash = Math.max(aedatPath.lastIndexOf('/'), aedatPath.lastIndexOf('\\'));
  const dot = aedatPath.lastIndexOf('.');
  const stem = dot > slash + 1 ? aedatPath.slice(0, dot) : aedatPath;
  return `${stem}_labels.csv`;
}
