/**
 * Byte-level pieces of the CSV event reader: splitting a line into fields and
 * reading numbers without building strings (a line costs no allocation).
 */

/** Most columns a line may have (a header may name extra, ignored columns). */
export const CSV_MAX_COLUMNS = 64;

const COMMA = 0x2c;
const SEMICOLON = 0x3b;

function isBlank(c: number): boolean {
  return c === 0x20 || c === 0x09;
}

function isDigit(c: number): boolean {
  return c >= 0x30 && c <= 0x39;
}

/**
 * Field boundaries of one line. Fields are separated by one ',' or ';'
 * (blanks around it allowed) or by a run of blanks.
 */
export class LineFields {
  readonly starts = new Int32Array(CSV_MAX_COLUMNS);
  readonly ends = new Int32Array(CSV_MAX_COLUMNS);
  count = 0;
  /** after a failed split: why, and where */
  problem = '';
  problemAt = 0;

  /** Splits b[s, e); e excludes the line break. False when the line is malformed. */
  split(b: Uint8Array, s: number, e: number): boolean {
    let i = s;
    let n = 0;
    while (i < e && isBlank(b[i])) i++;
    while (i < e) {
      const start = i;
      while (i < e) {
        const c = b[i];
        if (c === COMMA || c === SEMICOLON || isBlank(c)) break;
        i++;
      }
      if (i === start) return this.fail('empty field', start);
      if (n === CSV_MAX_COLUMNS) return this.fail(`more than ${CSV_MAX_COLUMNS} fields`, start);
      this.starts[n] = start;
      this.ends[n] = i;
      n++;
      while (i < e && isBlank(b[i])) i++;
      if (i < e && (b[i] === COMMA || b[i] === SEMICOLON)) {
        const sep = i;
        i++;
        while (i < e && isBlank(b[i])) i++;
        if (i === e) return this.fail('empty field after the last separator', sep);
      }
    }
    this.count = n;
    return true;
  }

  private fail(problem: string, at: number): false {
    this.problem = problem;
    this.problemAt = at;
    return false;
  }
}

/** True for a decimal number: [+-] digits [. digits] [e [+-] digits] (at least one digit before the exponent). */
export function isNumber(b: Uint8Array, s: number, e: number): boolean {
  let i = s;
  if (i < e && (b[i] === 0x2b || b[i] === 0x2d)) i++;
  let digits = 0;
  while (i < e && isDigit(b[i])) (i++, digits++);
  if (i < e && b[i] === 0x2e) {
    i++;
    while (i < e && isDigit(b[i])) (i++, digits++);
  }
  if (digits === 0) return false;
  if (i < e && (b[i] === 0x65 || b[i] === 0x45)) {
    i++;
    if (i < e && (b[i] === 0x2b || b[i] === 0x2d)) i++;
    const s2 = i;
    while (i < e && isDigit(b[i])) i++;
    if (i === s2) return false;
  }
  return i === e;
}

/**
 * An integer field, also written as a float with a zero fraction ("12.0", as
 * pandas writes integer columns holding NaN-free floats). Returns NaN when the
 * field is not one.
 */
export function parseInteger(b: Uint8Array, s: number, e: number): number {
  let i = s;
  let neg = false;
  if (i < e && (b[i] === 0x2b || b[i] === 0x2d)) {
    neg = b[i] === 0x2d;
    i++;
  }
  const d0 = i;
  let v = 0;
  while (i < e && isDigit(b[i])) v = v * 10 + (b[i++] - 0x30);
  if (i === d0 || i - d0 > 16) return NaN;
  if (i < e && b[i] === 0x2e) {
    i++;
    while (i < e && b[i] === 0x30) i++;
  }
  if (i !== e) return NaN;
  return neg ? -v : v;
}

/** Polarity: a number (> 0 is ON; 0 and negative, as in ±1 encodings, OFF) or true/false. −1 when neither. */
export function parsePolarity(b: Uint8Array, s: number, e: number): number {
  const v = parseInteger(b, s, e);
  if (v === v) return v > 0 ? 1 : 0;
  const n = e - s;
  if (n === 4 && (b[s] | 0x20) === 0x74 && (b[s + 1] | 0x20) === 0x72 && (b[s + 2] | 0x20) === 0x75 && (b[s + 3] | 0x20) === 0x65) return 1;
  if (n === 5 && (b[s] | 0x20) === 0x66 && (b[s + 1] | 0x20) === 0x61 && (b[s + 2] | 0x20) === 0x6c && (b[s + 3] | 0x20) === 0x73 && (b[s + 4] | 0x20) === 0x65) return 0;
  return -1;
}

/** Outcome of `TimeParser.parse`: Ok, Malformed, or TooLarge (beyond ±(2^53 − 1) µs). */
export const TimeStatus = { Ok: 0, Malformed: 1, TooLarge: 2 } as const;
export type TimeStatus = (typeof TimeStatus)[keyof typeof TimeStatus];

const MAX_SIGNIFICANT = 24;

/**
 * Time fields. A plain integer is microseconds; a field with a decimal point
 * or an exponent is seconds, converted exactly (decimal digits, not binary
 * floating point) to µs, rounding half away from zero at the 7th decimal.
 */
export class TimeParser {
  /** the value in µs after a successful parse */
  value = 0;
  /** whether the field was written as seconds (had '.' or an exponent) */
  seconds = false;
  private readonly digits = new Uint8Array(MAX_SIGNIFICANT);

  parse(b: Uint8Array, s: number, e: number): TimeStatus {
    let i = s;
    let neg = false;
    if (i < e && (b[i] === 0x2b || b[i] === 0x2d)) {
      neg = b[i] === 0x2d;
      i++;
    }
    const digits = this.digits;
    let len = 0; // significant digits kept
    let point = 0; // value = 0.d1d2… × 10^point
    let seen = 0; // digits read, leading zeros included
    let fraction = false;
    let exponent = false;
    for (; i < e; i++) {
      const c = b[i];
      if (isDigit(c)) {
        seen++;
        if (len === 0 && c === 0x30) {
          if (fraction) point--;
          continue;
        }
        // digits beyond MAX_SIGNIFICANT only count for the magnitude (such a value is too large anyway)
        if (len < MAX_SIGNIFICANT) digits[len++] = c - 0x30;
        if (!fraction) point++;
      } else if (c === 0x2e && !fraction) {
        fraction = true;
      } else break;
    }
    if (seen === 0) return TimeStatus.Malformed;
    let exp = 0;
    if (i < e && (b[i] === 0x65 || b[i] === 0x45)) {
      exponent = true;
      i++;
      let eneg = false;
      if (i < e && (b[i] === 0x2b || b[i] === 0x2d)) {
        eneg = b[i] === 0x2d;
        i++;
      }
      const e0 = i;
      while (i < e && isDigit(b[i])) {
        if (exp < 100000) exp = exp * 10 + (b[i] - 0x30);
        i++;
      }
      if (i === e0) return TimeStatus.Malformed;
      if (eneg) exp = -exp;
    }
    if (i !== e) return TimeStatus.Malformed;
    this.seconds = fraction || exponent;
    // µs = digits as an integer, scaled so that `whole` of them are before the point
    const whole = point + exp + (this.seconds ? 6 : 0);
    if (whole > 17) {
      if (len === 0) return this.set(0);
      return TimeStatus.TooLarge;
    }
    let v = 0;
    for (let k = 0; k < whole; k++) v = v * 10 + (k < len ? digits[k] : 0);
    if (whole >= 0 && whole < len && digits[whole] >= 5) v += 1;
    if (v > Number.MAX_SAFE_INTEGER) return TimeStatus.TooLarge;
    return this.set(neg && v !== 0 ? -v : v);
  }

  private set(v: number): TimeStatus {
    this.value = v;
    return TimeStatus.Ok;
  }
}
