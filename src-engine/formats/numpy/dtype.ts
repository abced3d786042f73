/**
 * numpy dtype descriptions as .npy headers state them: a type string such as
 * '<i8', '|u1', '>f4', '?', a list of fields [(name, type[, shape]), …]
 * (numpy's `dtype.descr`, with '' void fields as padding), a (type, shape)
 * subarray tuple, or the dict form {'names', 'formats', 'offsets', 'itemsize'}.
 */
import type { PyValue } from './py-literal';
import { describePy } from './py-literal';

export type NpyByteOrder = '<' | '>' | '|';

/**
 * 'b' bool, 'i' signed int, 'u' unsigned int, 'f' float, 'c' complex,
 * 'S' bytes, 'U' UCS-4 text, 'V' raw bytes, 'M' datetime64, 'm' timedelta64,
 * 'O' Python object (pickled; never read).
 */
export type NpyTypeChar = 'b' | 'i' | 'u' | 'f' | 'c' | 'S' | 'U' | 'V' | 'M' | 'm' | 'O';

export interface NpyScalar {
  readonly kind: 'scalar';
  /** numpy's canonical spelling (`dtype.str`): '<i8', '|u1', '|b1', '>f4', '<M8[us]' */
  readonly str: string;
  readonly byteOrder: NpyByteOrder;
  readonly typeChar: NpyTypeChar;
  readonly itemsize: number;
  /** datetime64/timedelta64 unit ('us', 'ns', …), '' when generic */
  readonly unit?: string;
}

export interface NpyField {
  readonly name: string;
  readonly title?: string;
  /** byte offset inside the record */
  readonly offset: number;
  readonly type: NpyDescr;
}

export interface NpyStruct {
  readonly kind: 'struct';
  readonly fields: readonly NpyField[];
  /** record size in bytes, padding included */
  readonly itemsize: number;
}

/** A fixed-shape block of a base type, e.g. ('<f4', (3,)). */
export interface NpySubarray {
  readonly kind: 'subarray';
  readonly base: NpyDescr;
  readonly shape: readonly number[];
  readonly itemsize: number;
}

export type NpyDescr = NpyScalar | NpyStruct | NpySubarray;

/** Largest record we describe; anything bigger is not an event table. */
export const NPY_MAX_ITEMSIZE = 0x7fffffff;

/** Raised for malformed descriptions; must throw. */
export type DescrFail = (kind: 'corrupt' | 'unsupported' | 'limit', reason: string, at: number) => never;

// One-character type codes (numpy's `dtype.char`), as on 64-bit Linux.
const CHAR_CODES: Readonly<Record<string, string>> = {
  '?': 'b1', b: 'i1', B: 'u1', h: 'i2', H: 'u2', i: 'i4', I: 'u4', l: 'i8', L: 'u8', q: 'i8', Q: 'u8',
  p: 'i8', P: 'u8', e: 'f2', f: 'f4', d: 'f8', g: 'f16', F: 'c8', D: 'c16', G: 'c32',
  O: 'O8', S: 'S0', a: 'S0', U: 'U0', V: 'V0', M: 'M8', m: 'm8',
};

// Type names numpy accepts in place of a type string.
const NAMED: ReadonlyMap<string, string> = new Map(Object.entries({
  bool: '|b1', bool_: '|b1', int8: '|i1', uint8: '|u1', int16: '<i2', uint16: '<u2', int32: '<i4', uint32: '<u4',
  int64: '<i8', uint64: '<u8', float16: '<f2', float32: '<f4', float64: '<f8', complex64: '<c8', complex128: '<c16',
  byte: '|i1', ubyte: '|u1', short: '<i2', ushort: '<u2', intc: '<i4', uintc: '<u4', intp: '<i8', uintp: '<u8',
  longlong: '<i8', ulonglong: '<u8', half: '<f2', single: '<f4', double: '<f8', int: '<i8', float: '<f8', complex: '<c16',
}));

const VALID_SIZES: Readonly<Record<string, readonly number[]>> = {
  b: [1], i: [1, 2, 4, 8], u: [1, 2, 4, 8], f: [2, 4, 8, 16], c: [8, 16, 32], M: [8], m: [8], O: [4, 8],
};

/** Parses one numpy type string; null when it is not one. */
export function parseDtypeString(s: string): NpyScalar | null {
  const named = NAMED.get(s);
  if (named !== undefined) return parseDtypeString(named);
  let order = '';
  let body = s;
  if (body.length > 0 && '<>|=!'.includes(body[0])) {
    order = body[0];
    body = body.slice(1);
  }
  if (body.length === 1 && Object.hasOwn(CHAR_CODES, body)) body = CHAR_CODES[body];
  const m = /^([biufcSUVMmOa])(\d{1,10})(?:\[([A-Za-z0-9]{1,8})\])?$/.exec(body);
  if (!m) return null;
  const typeChar = (m[1] === 'a' ? 'S' : m[1]) as NpyTypeChar;
  const n = Number(m[2]);
  const unit = m[3];
  if (unit !== undefined && typeChar !== 'M' && typeChar !== 'm') return null;
  const sizes = VALID_SIZES[typeChar];
  if (sizes && !sizes.includes(n)) return null;
  const itemsize = typeChar === 'U' ? n * 4 : n;
  if (itemsize > NPY_MAX_ITEMSIZE) return null;
  const byteOrder: NpyByteOrder =
    itemsize <= 1 && typeChar !== 'U' ? '|' : typeChar === 'S' || typeChar === 'V' || typeChar === 'O' ? '|' : order === '>' || order === '!' ? '>' : '<';
  let str: string;
  if (typeChar === 'M' || typeChar === 'm') str = `${byteOrder}${typeChar}8${unit ? `[${unit}]` : ''}`;
  else if (typeChar === 'O') str = '|O';
  else if (typeChar === 'U') str = `${byteOrder}U${n}`;
  else str = `${byteOrder}${typeChar}${n}`;
  return unit === undefined ? { kind: 'scalar', str, byteOrder, typeChar, itemsize } : { kind: 'scalar', str, byteOrder, typeChar, itemsize, unit };
}

/** Turns the header's `descr` value into a description. */
export function descrFromPy(v: PyValue, fail: DescrFail, depth = 0): NpyDescr {
  if (depth > 16) fail('limit', 'dtype nested deeper than 16 levels', v.at);
  switch (v.type) {
    case 'str': {
      const t = parseDtypeString(v.value);
      if (!t) fail('unsupported', `dtype '${v.value.slice(0, 60)}' is not a numpy type this reader knows`, v.at);
      return t;
    }
    case 'list':
      return structFromList(v.items, fail, depth, v.at);
    case 'tuple': {
      if (v.items.length !== 2) fail('corrupt', `a tuple dtype must be (type, shape), got ${describePy(v).slice(0, 80)}`, v.at);
      return subarray(descrFromPy(v.items[0], fail, depth + 1), v.items[1], fail);
    }
    case 'dict':
      return structFromDict(v, fail, depth);
    default:
      return fail('corrupt', `descr must be a type string, a field list or a dict, not ${describePy(v).slice(0, 80)}`, v.at);
  }
}

function subarray(base: NpyDescr, shapeValue: PyValue, fail: DescrFail): NpySubarray | NpyDescr {
  const dims = shapeValue.type === 'int' ? [shapeValue] : shapeValue.type === 'tuple' ? shapeValue.items : null;
  if (!dims) return fail('corrupt', `a subarray shape must be an int or a tuple of ints, not ${describePy(shapeValue).slice(0, 80)}`, shapeValue.at);
  const shape: number[] = [];
  let itemsize = base.itemsize;
  for (const d of dims) {
    if (d.type !== 'int' || d.value < 0) return fail('corrupt', `bad subarray dimension ${describePy(d).slice(0, 40)}`, d.at);
    shape.push(d.value);
    itemsize *= d.value;
  }
  if (itemsize > NPY_MAX_ITEMSIZE) return fail('limit', `subarray of ${itemsize} bytes`, shapeValue.at);
  return { kind: 'subarray', base, shape, itemsize };
}

function isPadding(name: string, t: NpyDescr): boolean {
  return name === '' && t.kind === 'scalar' && t.typeChar === 'V';
}

function structFromList(items: readonly PyValue[], fail: DescrFail, depth: number, at: number): NpyStruct {
  const fields: NpyField[] = [];
  const seen = new Set<string>();
  let offset = 0;
  for (const item of items) {
    if (item.type !== 'tuple' || (item.items.length !== 2 && item.items.length !== 3)) {
      fail('corrupt', `a field must be (name, type) or (name, type, shape), not ${describePy(item).slice(0, 80)}`, item.at);
    }
    const [nameValue, typeValue, shapeValue] = item.items;
    let name: string;
    let title: string | undefined;
    if (nameValue.type === 'str') name = nameValue.value;
    else if (nameValue.type === 'tuple' && nameValue.items.length === 2 && nameValue.items[1].type === 'str') {
      name = nameValue.items[1].value;
      const t = nameValue.items[0];
      if (t.type === 'str') title = t.value;
    } else {
      return fail('corrupt', `a field name must be a string or (title, name), not ${describePy(nameValue).slice(0, 80)}`, nameValue.at);
    }
    let type = descrFromPy(typeValue, fail, depth + 1);
    if (shapeValue) type = subarray(type, shapeValue, fail);
    if (!isPadding(name, type)) {
      if (seen.has(name)) fail('corrupt', `field '${name.slice(0, 40)}' appears twice`, nameValue.at);
      seen.add(name);
      fields.push(title === undefined ? { name, offset, type } : { name, title, offset, type });
    }
    offset += type.itemsize;
    if (offset > NPY_MAX_ITEMSIZE) fail('limit', `record larger than ${NPY_MAX_ITEMSIZE} bytes`, item.at);
  }
  if (items.length === 0) fail('corrupt', 'a structured dtype without fields', at);
  return { kind: 'struct', fields, itemsize: offset };
}

function structFromDict(v: Extract<PyValue, { type: 'dict' }>, fail: DescrFail, depth: number): NpyStruct {
  const get = (key: string): PyValue | undefined => v.entries.find(([k]) => k.type === 'str' && k.value === key)?.[1];
  const asList = (key: string, x: PyValue | undefined): readonly PyValue[] | undefined => {
    if (x === undefined) return undefined;
    if (x.type === 'list' || x.type === 'tuple') return x.items;
    return fail('corrupt', `dtype dict: '${key}' must be a list`, x.at);
  };
  const names = asList('names', get('names'));
  const formats = asList('formats', get('formats'));
  if (!names || !formats) return fail('corrupt', "a dtype dict needs 'names' and 'formats'", v.at);
  if (names.length !== formats.length) fail('corrupt', `dtype dict: ${names.length} names but ${formats.length} formats`, v.at);
  const offsets = asList('offsets', get('offsets'));
  if (offsets && offsets.length !== names.length) fail('corrupt', `dtype dict: ${names.length} names but ${offsets.length} offsets`, v.at);
  const titles = asList('titles', get('titles'));
  const fields: NpyField[] = [];
  const seen = new Set<string>();
  let packed = 0;
  let end = 0;
  for (let i = 0; i < names.length; i++) {
    const n = names[i];
    if (n.type !== 'str') return fail('corrupt', 'dtype dict: field names must be strings', n.at);
    if (seen.has(n.value)) fail('corrupt', `field '${n.value.slice(0, 40)}' appears twice`, n.at);
    seen.add(n.value);
    const type = descrFromPy(formats[i], fail, depth + 1);
    let offset = packed;
    if (offsets) {
      const o = offsets[i];
      if (o.type !== 'int' || o.value < 0 || o.value > NPY_MAX_ITEMSIZE) return fail('corrupt', 'dtype dict: offsets must be non-negative ints', o.at);
      offset = o.value;
    }
    packed = offset + type.itemsize;
    end = Math.max(end, packed);
    const t = titles?.[i];
    fields.push(t && t.type === 'str' ? { name: n.value, title: t.value, offset, type } : { name: n.value, offset, type });
  }
  let itemsize = end;
  const declared = get('itemsize');
  if (declared) {
    if (declared.type !== 'int' || declared.value < end) fail('corrupt', `dtype dict: itemsize must be an int ≥ ${end}`, declared.at);
    itemsize = declared.value;
  }
  if (itemsize > NPY_MAX_ITEMSIZE) fail('limit', `record larger than ${NPY_MAX_ITEMSIZE} bytes`, v.at);
  if (fields.length === 0) fail('corrupt', 'a structured dtype without fields', v.at);
  return { kind: 'struct', fields, itemsize };
}

/** Python's repr() of a str, as numpy writes field names and type strings. */
export function pyRepr(s: string): string {
  const q = s.includes("'") && !s.includes('"') ? '"' : "'";
  let out = q;
  for (const ch of s) {
    const c = ch.codePointAt(0)!;
    if (ch === '\\') out += '\\\\';
    else if (ch === q) out += `\\${q}`;
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    else if (c < 0x20 || c === 0x7f) out += `\\x${c.toString(16).padStart(2, '0')}`;
    else out += ch;
  }
  return out + q;
}

/** A short readable form, e.g. "[('t', '<i8'), ('x', '<u2')]". */
export function describeDescr(d: NpyDescr): string {
  return d.kind === 'scalar' ? d.str : descrLiteral(d);
}

function descrLiteral(d: NpyDescr): string {
  switch (d.kind) {
    case 'scalar':
      return pyRepr(d.str);
    case 'subarray':
      return `(${descrLiteral(d.base)}, (${d.shape.join(', ')}${d.shape.length === 1 ? ',' : ''}))`;
    case 'struct':
      return `[${d.fields.map((f) => `(${pyRepr(f.name)}, ${descrLiteral(f.type)})`).join(', ')}]`;
  }
}
