/**
 * The IOHeader's `infoNode`: DV's configuration-tree XML describing the
 * streams, e.g.
 *
 *   <dv version="2.0">
 *     <node name="outInfo" path="/outInfo/">
 *       <node name="0" path="/outInfo/0/">
 *         <attr key="typeIdentifier" type="string">EVTS</attr> …
 *         <node name="info" path="/outInfo/0/info/">
 *           <attr key="sizeX" type="int">320</attr> …
 *
 * A small purpose-built reader (no DOM in the engine): elements, attributes,
 * text, the five predefined entities and character references, comments,
 * CDATA and the XML declaration. DTDs are refused (no entity expansion), the
 * tree is built without recursion and bounded in depth and element count.
 */

export class XmlError extends Error {
  override readonly name = 'XmlError';
}

export interface XmlElement {
  readonly name: string;
  readonly attrs: Readonly<Record<string, string>>;
  readonly children: XmlElement[];
  /** the element's own text (CDATA included), entities decoded */
  text: string;
}

export const XML_MAX_DEPTH = 64;
export const XML_MAX_ELEMENTS = 100_000;

const NAME = /[A-Za-z_:][-A-Za-z0-9_:.]*/y;
const SPACE = /[ \t\r\n]*/y;
const ENTITY = /&([^;&]*)(;?)/g;
const NAMED: Readonly<Record<string, string>> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };

function decodeEntities(s: string, at: number): string {
  if (s.indexOf('&') < 0) return s;
  return s.replace(ENTITY, (_m, e: string, semi: string) => {
    if (!semi || e.length > 12) throw new XmlError(`a bare '&' near character ${at}`);
    if (e[0] !== '#') {
      const v = Object.prototype.hasOwnProperty.call(NAMED, e) ? NAMED[e] : undefined;
      if (v === undefined) throw new XmlError(`unknown entity &${e}; near character ${at}`);
      return v;
    }
    const cp = /^#x[0-9A-Fa-f]+$/.test(e) ? parseInt(e.slice(2), 16) : /^#[0-9]+$/.test(e) ? parseInt(e.slice(1), 10) : NaN;
    if (!(cp > 0 && cp <= 0x10ffff) || (cp >= 0xd800 && cp <= 0xdfff)) throw new XmlError(`invalid character reference &${e}; near character ${at}`);
    return String.fromCodePoint(cp);
  });
}

function indexOrFail(xml: string, what: string, from: number, opened: string): number {
  const i = xml.indexOf(what, from);
  if (i < 0) throw new XmlError(`${opened} at character ${from} is never closed`);
  return i;
}

/** Parses an XML document into its root element; throws XmlError. */
export function parseXml(xml: string): XmlElement {
  let root: XmlElement | null = null;
  const stack: XmlElement[] = [];
  let elements = 0;
  let pos = 0;
  const n = xml.length;
  while (pos < n) {
    const lt = xml.indexOf('<', pos);
    const textEnd = lt < 0 ? n : lt;
    if (textEnd > pos) {
      const text = xml.slice(pos, textEnd);
      const top = stack[stack.length - 1];
      if (top) top.text += decodeEntities(text, pos);
      else if (/[^ \t\r\n]/.test(text)) throw new XmlError(`text outside the root element at character ${pos}`);
    }
    if (lt < 0) break;
    pos = lt;
    if (xml.startsWith('<?', pos)) {
      pos = indexOrFail(xml, '?>', pos + 2, 'processing instruction') + 2;
    } else if (xml.startsWith('<!--', pos)) {
      pos = indexOrFail(xml, '-->', pos + 4, 'comment') + 3;
    } else if (xml.startsWith('<![CDATA[', pos)) {
      const end = indexOrFail(xml, ']]>', pos + 9, 'CDATA section');
      const top = stack[stack.length - 1];
      if (!top) throw new XmlError(`CDATA outside the root element at character ${pos}`);
      top.text += xml.slice(pos + 9, end);
      pos = end + 3;
    } else if (xml.startsWith('<!', pos)) {
      throw new XmlError(`document type declarations are not accepted (character ${pos})`);
    } else if (xml.startsWith('</', pos)) {
      NAME.lastIndex = pos + 2;
      const m = NAME.exec(xml);
      const top = stack.pop();
      if (!m || !top || m[0] !== top.name) throw new XmlError(`unexpected closing tag at character ${pos}`);
      SPACE.lastIndex = pos + 2 + m[0].length;
      SPACE.exec(xml);
      if (xml[SPACE.lastIndex] !== '>') throw new XmlError(`malformed closing tag at character ${pos}`);
      pos = SPACE.lastIndex + 1;
    } else {
      pos = openTag(xml, pos, stack, (el) => {
        if (++elements > XML_MAX_ELEMENTS) throw new XmlError(`more than ${XML_MAX_ELEMENTS} elements`);
        const parent = stack[stack.length - 1];
        if (parent) parent.children.push(el);
        else if (root) throw new XmlError(`a second root element at character ${pos}`);
        else root = el;
      });
    }
  }
  if (stack.length > 0) throw new XmlError(`element <${stack[stack.length - 1].name}> is never closed`);
  if (!root) throw new XmlError('no root element');
  return root;
}

/** Parses a start tag at `pos`; pushes the element unless self-closing; returns the position after '>'. */
function openTag(xml: string, pos: number, stack: XmlElement[], add: (el: XmlElement) => void): number {
  NAME.lastIndex = pos + 1;
  const m = NAME.exec(xml);
  if (!m) throw new XmlError(`malformed tag at character ${pos}`);
  const attrs: Record<string, string> = Object.create(null);
  let p = pos + 1 + m[0].length;
  for (;;) {
    SPACE.lastIndex = p;
    SPACE.exec(xml);
    const spaced = SPACE.lastIndex > p;
    p = SPACE.lastIndex;
    const c = xml[p];
    if (c === '>' || (c === '/' && xml[p + 1] === '>')) {
      const el: XmlElement = { name: m[0], attrs, children: [], text: '' };
      add(el);
      if (c === '>') {
        if (stack.length >= XML_MAX_DEPTH) throw new XmlError(`elements nested deeper than ${XML_MAX_DEPTH}`);
        stack.push(el);
        return p + 1;
      }
      return p + 2;
    }
    NAME.lastIndex = p;
    const a = NAME.exec(xml);
    if (!a || !spaced) throw new XmlError(`malformed attribute at character ${p}`);
    p += a[0].length;
    SPACE.lastIndex = p;
    SPACE.exec(xml);
    p = SPACE.lastIndex;
    if (xml[p] !== '=') throw new XmlError(`attribute without value at character ${p}`);
    SPACE.lastIndex = p + 1;
    SPACE.exec(xml);
    p = SPACE.lastIndex;
    const q = xml[p];
    if (q !== '"' && q !== "'") throw new XmlError(`unquoted attribute value at character ${p}`);
    const end = xml.indexOf(q, p + 1);
    if (end < 0) throw new XmlError(`attribute value at character ${p} is never closed`);
    const raw = xml.slice(p + 1, end);
    if (raw.indexOf('<') >= 0) throw new XmlError(`'<' in an attribute value at character ${p}`);
    if (a[0] in attrs) throw new XmlError(`attribute ${a[0]} repeated at character ${p}`);
    attrs[a[0]] = decodeEntities(raw, p);
    p = end + 1;
  }
}

/** One stream of the `outInfo` node. */
export interface StreamDescription {
  readonly id: number;
  /** typeIdentifier: EVTS, FRME, IMUS, TRIG, … */
  readonly type: string;
  /** the node's own attributes (compression, originalOutputName, …) */
  readonly attrs: Readonly<Record<string, string>>;
  /** the attributes of its `info` child (sizeX, sizeY, source, tsOffset, …) */
  readonly info: Readonly<Record<string, string>>;
  readonly width?: number;
  readonly height?: number;
}

function nodeAttrs(el: XmlElement): Record<string, string> {
  const out: Record<string, string> = Object.create(null);
  for (const c of el.children) if (c.name === 'attr' && c.attrs.key !== undefined) out[c.attrs.key] = c.text;
  return out;
}

function childNode(el: XmlElement, name: string): XmlElement | undefined {
  return el.children.find((c) => c.name === 'node' && c.attrs.name === name);
}

function sensorSize(v: string | undefined, what: string, id: number): number | undefined {
  if (v === undefined) return undefined;
  const s = v.trim();
  if (!/^[0-9]{1,5}$/.test(s) || +s < 1 || +s > 65536) throw new XmlError(`stream ${id}: ${what} '${v.slice(0, 20)}' is not a sensor size (1…65536)`);
  return +s;
}

/** The streams the XML declares, by id; throws XmlError when the layout is not DV's. */
export function describeStreams(xml: string): StreamDescription[] {
  const root = parseXml(xml);
  if (root.name !== 'dv') throw new XmlError(`root element is <${root.name}>, expected <dv>`);
  const outInfo = childNode(root, 'outInfo');
  if (!outInfo) throw new XmlError('no outInfo node');
  const streams: StreamDescription[] = [];
  const seen = new Set<number>();
  for (const el of outInfo.children) {
    if (el.name !== 'node') continue;
    const name = el.attrs.name ?? '';
    if (!/^[0-9]{1,10}$/.test(name) || +name > 0x7fffffff) throw new XmlError(`stream node name '${name.slice(0, 20)}' is not a stream id`);
    const id = +name;
    if (seen.has(id)) throw new XmlError(`stream ${id} is declared twice`);
    seen.add(id);
    const attrs = nodeAttrs(el);
    const type = attrs.typeIdentifier;
    if (type === undefined) throw new XmlError(`stream ${id} has no typeIdentifier`);
    const infoEl = childNode(el, 'info');
    const info = infoEl ? nodeAttrs(infoEl) : Object.create(null);
    const width = sensorSize(info.sizeX, 'sizeX', id);
    const height = sensorSize(info.sizeY, 'sizeY', id);
    streams.push({ id, type: type.trim(), attrs, info, width, height });
  }
  if (streams.length === 0) throw new XmlError('outInfo declares no streams');
  return streams.sort((a, b) => a.id - b.id);
}

export function escapeXml(s: string): string {
  return s
    .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/g, ' ') // not allowed in XML 1.0
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');
}

export interface EventStreamXmlOptions {
  readonly width: number;
  readonly height: number;
  /** camera / source name (DV: MODEL_SERIAL) */
  readonly source: string;
  /** compression name as DV writes it: NONE, LZ4, … */
  readonly compression: string;
  readonly moduleName: string;
}

/**
 * The infoNode for one event stream with id 0, laid out the way
 * dv-processing's MonoCameraWriter writes it (XMLConfigWriter: 4-space
 * indent, attributes sorted by key, `path` from the root), plus DV's
 * type description and a tsOffset of 0 as DV's recorder adds.
 */
export function eventStreamXml(o: EventStreamXmlOptions): string {
  const attr = (indent: string, key: string, type: string, value: string) => `${indent}<attr key="${key}" type="${type}">${escapeXml(value)}</attr>\n`;
  const i2 = '        ';
  const i3 = '            ';
  const i4 = '                ';
  return (
    '<dv version="2.0">\n' +
    '    <node name="outInfo" path="/outInfo/">\n' +
    `${i2}<node name="0" path="/outInfo/0/">\n` +
    attr(i3, 'compression', 'string', o.compression) +
    attr(i3, 'originalModuleName', 'string', o.moduleName) +
    attr(i3, 'originalOutputName', 'string', 'events') +
    attr(i3, 'typeDescription', 'string', 'Array of events (polarity ON/OFF).') +
    attr(i3, 'typeIdentifier', 'string', 'EVTS') +
    `${i3}<node name="info" path="/outInfo/0/info/">\n` +
    attr(i4, 'sizeX', 'int', String(o.width)) +
    attr(i4, 'sizeY', 'int', String(o.height)) +
    attr(i4, 'source', 'string', o.source) +
    attr(i4, 'tsOffset', 'long', '0') +
    `${i3}</node>\n` +
    `${i2}</node>\n` +
    '    </node>\n' +
    '</dv>\n'
  );
}
