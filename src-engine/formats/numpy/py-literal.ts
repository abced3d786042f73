/**
 * A small, safe reader for the Python literals that a .npy header holds
 * (numpy writes `repr()` of a dict and reads it back with `ast.literal_eval`):
 * dicts, lists, tuples, strings, ints, True/False/None. Nothing is evaluated;
 * anything else is an error naming the byte offset.
 *
 * It works on the header bytes directly, so offsets are exact byte offsets
 * even for version 3.0 headers (UTF-8).
 */

export type PyValue =
  | { readonly type: 'str'; readonly value: string; readonly at: number }
  | { readonly type: 'int'; readonly value: number; readonly at: number }
  | { readonly type: 'bool'; readonly value: boolean; readonly at: number }
  | { readonly type: 'none'; readonly at: number }
  | { readonly type: 'tuple' | 'list'; readonly items: readonly PyValue[]; readonly at: number }
  | { readonly type: 'dict'; readonly entries: readonly (readonly [PyValue, PyValue])[]; readonly at: number };

/** Called on malformed input; must throw. `at` is an absolute byte offset. */
export type PyFail = (reason: string, at: number) => never;

/** Nesting deeper than this is refused (numpy headers nest 4–5 levels for nested dtypes). */
const MAX_DEPTH = 32;

const C_QUOTE = 0x27;
const C_DQUOTE = 0x22;
const C_BACKSLASH = 0x5c;

const utf8Decoder = new TextDecoder('utf-8', { fatal: true });

/** Latin-1 bytes to a string, in pieces (spreading a large array overflows the stack). */
export function latin1(bytes: Uint8Array): string {
  let s = '';
  for (let i = 0; i < bytes.length; i += 4096) s += String.fromCharCode(...bytes.subarray(i, i + 4096));
  return s;
}

function isSpace(c: number): boolean {
  return c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d || c === 0x0c || c === 0x0b;
}

function isDigit(c: number): boolean {
  return c >= 0x30 && c <= 0x39;
}

function isNameChar(c: number): boolean {
  return (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) || c === 0x5f || isDigit(c);
}

export function describePy(v: PyValue): string {
  switch (v.type) {
    case 'str':
      return `'${v.value}'`;
    case 'int':
      return String(v.value);
    case 'bool':
      return v.value ? 'True' : 'False';
    case 'none':
      return 'None';
    case 'tuple':
      return `(${v.items.map(describePy).join(', ')}${v.items.length === 1 ? ',' : ''})`;
    case 'list':
      return `[${v.items.map(describePy).join(', ')}]`;
    case 'dict':
      return `{${v.entries.map(([k, x]) => `${describePy(k)}: ${describePy(x)}`).join(', ')}}`;
  }
}

/**
 * Parses exactly one literal spanning bytes[start, end) (surrounding
 * whitespace allowed). `base` is the absolute offset of bytes[0].
 */
export function parsePyLiteral(bytes: Uint8Array, start: number, end: number, base: number, utf8: boolean, fail: PyFail): PyValue {
  const p = new Parser(bytes, start, end, base, utf8, fail);
  p.skipSpace();
  const v = p.value(0);
  p.skipSpace();
  if (p.pos < end) p.fail(`unexpected '${p.charAt(p.pos)}' after the header literal`, p.pos);
  return v;
}

class Parser {
  pos: number;
  constructor(
    private readonly b: Uint8Array,
    start: number,
    private readonly end: number,
    private readonly base: number,
    private readonly utf8: boolean,
    private readonly onFail: PyFail,
  ) {
    this.pos = start;
  }

  fail(reason: string, at: number): never {
    return this.onFail(reason, this.base + at);
  }

  charAt(i: number): string {
    const c = this.b[i];
    return c >= 0x20 && c < 0x7f ? String.fromCharCode(c) : `\\x${c.toString(16).padStart(2, '0')}`;
  }

  skipSpace(): void {
    while (this.pos < this.end && isSpace(this.b[this.pos])) this.pos++;
  }

  private expectMore(what: string): number {
    if (this.pos >= this.end) this.fail(`header ends inside ${what}`, this.pos);
    return this.b[this.pos];
  }

  value(depth: number): PyValue {
    if (depth > MAX_DEPTH) this.fail(`literal nested deeper than ${MAX_DEPTH} levels`, this.pos);
    const c = this.expectMore('a value');
    const at = this.base + this.pos;
    if (c === 0x7b) return this.dict(depth, at);
    if (c === 0x5b) return this.sequence(depth, at, 0x5d, 'list');
    if (c === 0x28) return this.sequence(depth, at, 0x29, 'tuple');
    if (c === C_QUOTE || c === C_DQUOTE) return { type: 'str', value: this.string(), at };
    if (isDigit(c) || c === 0x2d || c === 0x2b) return { type: 'int', value: this.int(), at };
    if (isNameChar(c)) {
      const s = this.pos;
      while (this.pos < this.end && isNameChar(this.b[this.pos])) this.pos++;
      const word = latin1(this.b.subarray(s, this.pos));
      // u'…' / b'…' prefixes (Python 2 era writers)
      if ((word === 'u' || word === 'b') && this.pos < this.end && (this.b[this.pos] === C_QUOTE || this.b[this.pos] === C_DQUOTE)) {
        return { type: 'str', value: this.string(), at };
      }
      if (word === 'True') return { type: 'bool', value: true, at };
      if (word === 'False') return { type: 'bool', value: false, at };
      if (word === 'None') return { type: 'none', at };
      this.fail(`'${word.slice(0, 40)}' is not a Python literal`, s);
    }
    this.fail(`unexpected '${this.charAt(this.pos)}' where a value should be`, this.pos);
  }

  private dict(depth: number, at: number): PyValue {
    this.pos++; // {
    const entries: [PyValue, PyValue][] = [];
    for (;;) {
      this.skipSpace();
      if (this.expectMore('a dict') === 0x7d) break;
      const k = this.value(depth + 1);
      this.skipSpace();
      if (this.expectMore('a dict') !== 0x3a) this.fail(`expected ':' after a dict key, found '${this.charAt(this.pos)}'`, this.pos);
      this.pos++;
      this.skipSpace();
      const v = this.value(depth + 1);
      entries.push([k, v]);
      this.skipSpace();
      const c = this.expectMore('a dict');
      if (c === 0x2c) this.pos++;
      else if (c !== 0x7d) this.fail(`expected ',' or '}' in a dict, found '${this.charAt(this.pos)}'`, this.pos);
    }
    this.pos++; // }
    return { type: 'dict', entries, at };
  }

  /** A list or tuple; `(x)` without a comma is just x, as in Python. */
  private sequence(depth: number, at: number, close: number, type: 'list' | 'tuple'): PyValue {
    this.pos++;
    const items: PyValue[] = [];
    let sawComma = false;
    for (;;) {
      this.skipSpace();
      if (this.expectMore(`a ${type}`) === close) break;
      items.push(this.value(depth + 1));
      this.skipSpace();
      const c = this.expectMore(`a ${type}`);
      if (c === 0x2c) {
        this.pos++;
        sawComma = true;
      } else if (c !== close) {
        this.fail(`expected ',' or '${String.fromCharCode(close)}' in a ${type}, found '${this.charAt(this.pos)}'`, this.pos);
      }
    }
    this.pos++;
    if (type === 'tuple' && items.length === 1 && !sawComma) return items[0];
    return { type, items, at };
  }

  /** A decimal int; Python 2's `3L` suffix and `1_000` separators are accepted. */
  private int(): number {
    const s = this.pos;
    let neg = false;
    if (this.b[this.pos] === 0x2d || this.b[this.pos] === 0x2b) {
      neg = this.b[this.pos] === 0x2d;
      this.pos++;
    }
    let v = 0;
    let digits = 0;
    while (this.pos < this.end) {
      const c = this.b[this.pos];
      if (isDigit(c)) {
        v = v * 10 + (c - 0x30);
        digits++;
      } else if (c !== 0x5f) break;
      this.pos++;
    }
    if (digits === 0) this.fail('a sign without digits', s);
    if (this.pos < this.end && (this.b[this.pos] === 0x4c || this.b[this.pos] === 0x6c)) this.pos++;
    if (this.pos < this.end && (this.b[this.pos] === 0x2e || this.b[this.pos] === 0x65 || this.b[this.pos] === 0x45 || this.b[this.pos] === 0x78)) {
      this.fail('only decimal integers are expected in a .npy header', s);
    }
    // Beyond 2^53 the value is inexact; callers reject it as out of range.
    return neg ? -v : v;
  }

  private string(): string {
    const quote = this.b[this.pos];
    const openAt = this.pos;
    this.pos++;
    let out = '';
    let run = this.pos;
    for (;;) {
      if (this.pos >= this.end) this.fail('unterminated string', openAt);
      const c = this.b[this.pos];
      if (c === quote) {
        out += this.decodeRun(run, this.pos);
        this.pos++;
        return out;
      }
      if (c === 0x0a) this.fail('newline inside a string', this.pos);
      if (c !== C_BACKSLASH) {
        this.pos++;
        continue;
      }
      out += this.decodeRun(run, this.pos);
      out += this.escape();
      run = this.pos;
    }
  }

  private decodeRun(s: number, e: number): string {
    if (s === e) return '';
    const bytes = this.b.subarray(s, e);
    if (!this.utf8) return latin1(bytes); // byte = code point
    try {
      return utf8Decoder.decode(bytes);
    } catch {
      return this.fail('string is not valid UTF-8', s);
    }
  }

  /** Reads one backslash escape at pos and returns its text. */
  private escape(): string {
    const at = this.pos;
    this.pos++;
    const c = this.expectMore('a string escape');
    this.pos++;
    switch (c) {
      case 0x5c: return '\\';
      case 0x27: return "'";
      case 0x22: return '"';
      case 0x6e: return '\n';
      case 0x72: return '\r';
      case 0x74: return '\t';
      case 0x30: return '\0';
      case 0x61: return '\x07';
      case 0x62: return '\b';
      case 0x66: return '\f';
      case 0x76: return '\v';
      case 0x0a: return ''; // line continuation
      case 0x78: return this.hexEscape(2, at);
      case 0x75: return this.hexEscape(4, at);
      case 0x55: return this.hexEscape(8, at);
      default:
        // Python keeps unknown escapes verbatim
        this.pos--;
        return '\\';
    }
  }

  private hexEscape(n: number, at: number): string {
    if (this.pos + n > this.end) this.fail('truncated \\x/\\u escape', at);
    let v = 0;
    for (let i = 0; i < n; i++) {
      const c = this.b[this.pos + i];
      const d = isDigit(c) ? c - 0x30 : c >= 0x61 && c <= 0x66 ? c - 0x57 : c >= 0x41 && c <= 0x46 ? c - 0x37 : -1;
      if (d < 0) this.fail('bad hex digit in an escape', this.pos + i);
      v = v * 16 + d;
    }
    this.pos += n;
    if (v > 0x10ffff) this.fail('escape beyond U+10FFFF', at);
    return String.fromCodePoint(v);
  }
}
