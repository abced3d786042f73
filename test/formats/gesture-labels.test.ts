import assert from 'node:assert/strict';
import { test } from 'node:test';
import { EventFormatError } from '../../src-engine/formats/errors';
import {
  DVS_GESTURE_CLASSES,
  formatGestureLabels,
  type GestureLabel,
  labelsPathFor,
  parseGestureLabels,
} from '../../src-engine/formats/aedat/gesture-labels';

// Made-up rows in the dataset's layout (a class may repeat within a recording).
const SAMPLE = 'class,startTime_usec,endTime_usec\n1,4000000,9500000\n2,10250000,16000000\n8,17000000,22100000\n8,22200000,25000000\n11,26000000,31000000\n';
const SAMPLE_LABELS: GestureLabel[] = [
  { classId: 1, startUs: 4000000, endUs: 9500000 },
  { classId: 2, startUs: 10250000, endUs: 16000000 },
  { classId: 8, startUs: 17000000, endUs: 22100000 },
  { classId: 8, startUs: 22200000, endUs: 25000000 },
  { classId: 11, startUs: 26000000, endUs: 31000000 },
];

test('parses the DVS Gesture labels layout', () => {
  assert.deepEqual(parseGestureLabels(SAMPLE), SAMPLE_LABELS);
});

test('tolerates CRLF, a BOM, spaces around fields, blank lines and no final newline', () => {
  const messy = '\ufeffclass, startTime_usec ,endTime_usec\r\n\r\n 1 ,4000000, 9500000\r\n2,10250000,16000000\r\n\r\n8,17000000,22100000\r\n8,22200000,25000000\r\n11,26000000,31000000';
  assert.deepEqual(parseGestureLabels(messy), SAMPLE_LABELS);
});

test('format → parse round trips, and formatting reproduces the dataset layout', () => {
  assert.equal(formatGestureLabels(SAMPLE_LABELS), SAMPLE);
  assert.deepEqual(parseGestureLabels(formatGestureLabels(SAMPLE_LABELS)), SAMPLE_LABELS);
  assert.equal(formatGestureLabels([]), 'class,startTime_usec,endTime_usec\n');
  assert.deepEqual(parseGestureLabels(formatGestureLabels([])), []);
});

function failsAt(text: string, line: number, offset: number, reason: RegExp): void {
  assert.throws(
    () => parseGestureLabels(text, 'user07_led_labels.csv'),
    (e: unknown) => {
      assert.ok(e instanceof EventFormatError, String(e));
      assert.equal(e.kind, 'corrupt');
      assert.equal(e.source, 'user07_led_labels.csv');
      assert.equal(e.offset, offset, e.message);
      assert.match(e.message, new RegExp(`line ${line}: `));
      assert.match(e.message, reason);
      return true;
    },
  );
}

test('bad rows are reported with their line number and byte offset', () => {
  const head = 'class,startTime_usec,endTime_usec\n';
  const row1 = '3,100,200\n';
  const at2 = head.length;
  const at3 = head.length + row1.length;
  failsAt(head + '12,100,200\n', 2, at2, /class 12 is not one of 1–11/);
  failsAt(head + '0,100,200\n', 2, at2, /class 0/);
  failsAt(head + row1 + 'five,100,200\n', 3, at3, /class "five" is not a whole number/);
  failsAt(head + row1 + '4,-100,200\n', 3, at3, /start time "-100"/);
  failsAt(head + row1 + '4,100.5,200\n', 3, at3, /start time "100\.5"/);
  failsAt(head + row1 + '4,100\n', 3, at3, /expected 3 fields/);
  failsAt(head + row1 + '4,100,200,9\n', 3, at3, /expected 3 fields/);
  failsAt(head + row1 + '4,300,200\n', 3, at3, /end time 200 is before start time 300/);
  failsAt('cls,start,end\n1,2,3\n', 1, 0, /expected the header/);
  failsAt('1,100,200\n', 1, 0, /expected the header/);
  failsAt('', 1, 0, /empty file/);
  // offsets count bytes, not characters
  failsAt('\ufeffclass,startTime_usec,endTime_usec\n2,9,1\n', 2, 3 + head.length, /before start/);
});

test('formatting refuses labels the file cannot represent', () => {
  assert.throws(() => formatGestureLabels([{ classId: 12, startUs: 0, endUs: 1 }]), /gesture label 0: class 12/);
  assert.throws(() => formatGestureLabels([SAMPLE_LABELS[0], { classId: 1, startUs: 1.5, endUs: 2 }]), /gesture label 1: start time 1\.5/);
  assert.throws(() => formatGestureLabels([{ classId: 1, startUs: 5, endUs: 2 }]), /before start/);
});

test('labelsPathFor pairs a recording with its labels file', () => {
  assert.equal(labelsPathFor('user01_fluorescent.aedat'), 'user01_fluorescent_labels.csv');
  assert.equal(labelsPathFor('/data/DvsGesture/user29_lab.aedat'), '/data/DvsGesture/user29_lab_labels.csv');
  assert.equal(labelsPathFor('C:\\DvsGesture\\user02_led.AEDAT'), 'C:\\DvsGesture\\user02_led_labels.csv');
  assert.equal(labelsPathFor('recordings.v2/user03'), 'recordings.v2/user03_labels.csv');
  assert.equal(labelsPathFor('/data/.hidden'), '/data/.hidden_labels.csv');
});

test('the eleven class names in class-id order', () => {
  assert.equal(DVS_GESTURE_CLASSES.length, 11);
  assert.equal(DVS_GESTURE_CLASSES[0], 'hand clapping');
  assert.equal(DVS_GESTURE_CLASSES[3], 'right arm clockwise');
  assert.equal(DVS_GESTURE_CLASSES[6], 'left arm counter-clockwise');
  assert.equal(DVS_GESTURE_CLASSES[10], 'other gestures');
  assert.ok(Object.isFrozen(DVS_GESTURE_CLASSES));
});
