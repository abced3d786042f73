/**
 * The event path on the WebAssembly SIMD kernels: the whole model runs in one
 * linear memory laid out at construction (weights widened to int16 rows of
 * coutP, tap tables, activation levels, potentials, event lists, padded
 * activations), so an inference copies the frame in, calls a few kernels per
 * layer and copies the last layer's output out. Layers whose output stage is
 * not vectorised (global average pooling, a last layer without activation)
 * finish in JavaScript with event/output.ts. Results are identical to the
 * JavaScript event path and the dense reference (checked by the tests).
 */
import { activationLevel } from '../../arith';
import type { LayerPlan, ModelPlan } from '../../runtime-plan';
import type { LayerStats } from '../../stats';
import { eventOutput } from '../output';
import { axisTaps } from '../taps';
import { instantiateKernels, type Kernels } from './kernel-module';

const pad16 = (n: number) => Math.ceil(n / 16) * 16;

/** int16 potentials are used when every potential (and partial sum) of the layer is below this in magnitude. */
const INT16_LIMIT = 32767;

/** Bump allocation of 16-byte aligned regions; the memory is created once the total is known. */
class Layout {
  size = 16;
  take(bytes: number): number {
    const at = this.size;
    this.size += pad16(Math.max(bytes, 16));
    return at;
  }
}

interface Taps {
  rowStart: number;
  rowTap: number;
  rowOut: number;
  colStart: number;
  colTap: number;
  colOut: number;
}

interface WasmLayer {
  plan: LayerPlan;
  inPtr: number;
  inCS: number;
  inLen: number;
  cout: number;
  coutP: number;
  /** channel stride of the output activations (padded to 16) */
  outCS: number;
  accPtr: number;
  accLen: number;
  /** int16 potentials (the layer's worst case fits int16) */
  acc16: boolean;
  outPtr: number;
  wPtr: number;
  taps: Taps | null;
  dwPtr: number;
  dwLen: number;
  dwWPtr: number;
  pwPtr: number;
  listPtr: number;
  lvPtr: number;
  /** the outputs of a zero potential (coutP bytes): what the output stage writes for a window no event reached */
  zeroPtr: number;
  /** output stage in the poolActivate kernel (else in JavaScript) */
  vectorOutput: boolean;
  /** JavaScript output stage: unpadded potentials and output */
  jsPotentials: Int32Array | null;
  jsOutput: Uint8Array | Int32Array | null;
  /** unpadded activations of a vectorised output stage, when needed (last layer, kept outputs) */
  unpadded: Uint8Array;
  // views, set once the memory exists
  acc?: Int32Array | Int16Array;
  dw?: Int32Array;
  out?: Uint8Array;
}

export class WasmEventExecutor {
  private readonly k: Kernels;
  private readonly layers: WasmLayer[];
  private readonly evPtr: number;
  private readonly inputPtr: number;
  private readonly inputView: Uint8Array;
  private readonly last: Uint8Array | Int32Array;
  /** the frame loadInput() copied in, so that run() does not copy it again */
  private loaded: Uint8Array | null = null;

  /** Throws if WebAssembly SIMD is unavailable (check wasmKernelsAvailable() first). */
  constructor(readonly plan: ModelPlan) {
    const lay = new Layout();
    this.inputPtr = lay.take(plan.inputSize);
    let inPtr = this.inputPtr;
    let inCS = plan.input[2];
    let maxEvents = plan.inputSize;
    const layers: WasmLayer[] = [];
    for (const p of plan.layers) {
      const { layer, geometry: g, mapShape, outShape, activation } = p;
      const inLen = p.inShape[0] * p.inShape[1] * inCS;
      maxEvents = Math.max(maxEvents, inLen);
      const cout = mapShape[2];
      const coutP = pad16(cout);
      const accLen = mapShape[0] * mapShape[1] * coutP;
      const outCS = pad16(outShape[2]);
      const vectorOutput = activation !== null && p.pool?.kind !== 'global-avg';
      const acc16 = (layer.kind === 'conv' || layer.kind === 'input-conv') && p.potentialBound < INT16_LIMIT;
      const L: WasmLayer = {
        plan: p,
        inPtr,
        inCS,
        inLen,
        cout,
        coutP,
        outCS,
        accLen,
        acc16,
        accPtr: lay.take(accLen * (acc16 ? 2 : 4)),
        outPtr: lay.take(outShape[0] * outShape[1] * outCS),
        wPtr: 0,
        taps: null,
        dwPtr: 0,
        dwLen: 0,
        dwWPtr: 0,
        pwPtr: 0,
        listPtr: 0,
        lvPtr: 0,
        zeroPtr: 0,
        vectorOutput,
        jsPotentials: vectorOutput ? null : new Int32Array(mapShape[0] * mapShape[1] * cout),
        jsOutput: vectorOutput ? null : activation ? new Uint8Array(outShape[0] * outShape[1] * outShape[2]) : new Int32Array(outShape[0] * outShape[1] * outShape[2]),
        unpadded: new Uint8Array(vectorOutput ? outShape[0] * outShape[1] * outShape[2] : 0),
      };
      if (g) {
        const rows = axisTaps(g.inH, g.outH, g.kh, g.stride, g.padTop);
        const cols = axisTaps(g.inW, g.outW, g.kw, g.stride, g.padLeft);
        L.taps = {
          rowStart: lay.take(rows.start.length * 4),
          rowTap: lay.take(rows.tap.length * 4),
          rowOut: lay.take(rows.out.length * 4),
          colStart: lay.take(cols.start.length * 4),
          colTap: lay.take(cols.tap.length * 4),
          colOut: lay.take(cols.out.length * 4),
        };
      }
      if (layer.kind === 'separable-conv') {
        const g2 = g!;
        L.dwLen = g2.outH * g2.outW * inCS;
        L.dwPtr = lay.take(L.dwLen * 4);
        L.dwWPtr = lay.take(g2.kh * g2.kw * g2.inC * 4);
        L.pwPtr = lay.take(g2.inC * coutP * 2);
        L.listPtr = lay.take(inCS * 8);
      } else if (layer.kind === 'dense') {
        L.wPtr = lay.take(inLen * coutP * 2);
      } else {
        L.wPtr = lay.take(g!.kh * g!.kw * g!.inC * coutP * 2);
      }
      if (activation && vectorOutput) {
        L.lvPtr = lay.take(activation.maxOut * coutP * (acc16 ? 2 : 4));
        L.zeroPtr = lay.take(coutP);
      }
      layers.push(L);
      inPtr = L.outPtr;
      inCS = outCS;
    }
    this.evPtr = lay.take(maxEvents * 8);
    const k = instantiateKernels(lay.size);
    if (!k) throw new Error('WebAssembly SIMD is not available');
    this.k = k;
    this.layers = layers;
    const buf = k.memory.buffer;
    this.inputView = new Uint8Array(buf, this.inputPtr, plan.inputSize);
    for (const L of layers) this.load(L, buf);
    const lastL = layers[layers.length - 1];
    this.last = lastL.plan.activation ? new Uint8Array(this.sizeOf(lastL.plan.outShape)) : new Int32Array(this.sizeOf(lastL.plan.outShape));
  }

  private sizeOf(s: number[]): number {
    return s[0] * s[1] * s[2];
  }

  /** Writes a layer's constant data (weights, taps, levels) and binds its views. */
  private load(L: WasmLayer, buf: ArrayBuffer): void {
    const { layer, geometry: g, activation } = L.plan;
    L.acc = L.acc16 ? new Int16Array(buf, L.accPtr, L.accLen) : new Int32Array(buf, L.accPtr, L.accLen);
    L.out = new Uint8Array(buf, L.outPtr, this.sizeOf(L.plan.outShape.slice(0, 2).concat([L.outCS])));
    if (L.dwLen) L.dw = new Int32Array(buf, L.dwPtr, L.dwLen);
    if (g && L.taps) {
      const rows = axisTaps(g.inH, g.outH, g.kh, g.stride, g.padTop);
      const cols = axisTaps(g.inW, g.outW, g.kw, g.stride, g.padLeft);
      new Int32Array(buf, L.taps.rowStart, rows.start.length).set(rows.start);
      new Int32Array(buf, L.taps.rowTap, rows.tap.length).set(rows.tap);
      new Int32Array(buf, L.taps.rowOut, rows.out.length).set(rows.out);
      new Int32Array(buf, L.taps.colStart, cols.start.length).set(cols.start);
      new Int32Array(buf, L.taps.colTap, cols.tap.length).set(cols.tap);
      new Int32Array(buf, L.taps.colOut, cols.out.length).set(cols.out);
    }
    const { cout, coutP } = L;
    if (layer.kind === 'separable-conv') {
      const inC = g!.inC;
      new Int32Array(buf, L.dwWPtr, layer.depthwise.length).set(layer.depthwise);
      const pw = new Int16Array(buf, L.pwPtr, inC * coutP);
      for (let c = 0; c < inC; c++) for (let co = 0; co < cout; co++) pw[c * coutP + co] = layer.pointwise[c * cout + co];
    } else if (layer.kind === 'dense') {
      // rows follow the padded layout of the input: row pix·inCS + c holds the model's row pix·C + c
      const [h, w, c] = L.plan.inShape;
      const wv = new Int16Array(buf, L.wPtr, L.inLen * coutP);
      for (let pix = 0; pix < h * w; pix++) {
        for (let ci = 0; ci < c; ci++) {
          const src = (pix * c + ci) * cout;
          const dst = (pix * L.inCS + ci) * coutP;
          for (let co = 0; co < cout; co++) wv[dst + co] = layer.weights[src + co];
        }
      }
    } else {
      const rows = g!.kh * g!.kw * g!.inC;
      const wv = new Int16Array(buf, L.wPtr, rows * coutP);
      for (let r = 0; r < rows; r++) for (let co = 0; co < cout; co++) wv[r * coutP + co] = layer.weights[r * cout + co];
    }
    if (activation && L.vectorOutput) {
      const lv = L.acc16 ? new Int16Array(buf, L.lvPtr, activation.maxOut * coutP) : new Int32Array(buf, L.lvPtr, activation.maxOut * coutP);
      // pad channels get an unreachable level: they never fire
      const never = L.acc16 ? INT16_LIMIT : 2 ** 30;
      const zero = new Uint8Array(buf, L.zeroPtr, coutP);
      for (let k = 0; k < activation.maxOut; k++) {
        for (let c = 0; c < coutP; c++) {
          const level = c < cout ? activationLevel(k, activation.threshold[c], activation.step[c]) : never;
          // int16: a level above every potential (|p| < INT16_LIMIT) stays unreachable, one below stays always reached
          lv[k * coutP + c] = L.acc16 ? Math.max(-INT16_LIMIT, Math.min(INT16_LIMIT, level)) : level;
          // the activation is the number of levels the potential reaches: here, of a zero potential
          if (lv[k * coutP + c] <= 0) zero[c]++;
        }
      }
    }
  }

  /**
   * Runs every layer; fills `stats` per layer when given and pushes each
   * layer's (unpadded) output to `keep` when given. Returns the last layer's
   * output, overwritten by the next call.
   */
  /** Copies a frame in; returns whether any value is above the model's input range. run() then uses it. */
  loadInput(input: Uint8Array): boolean {
    this.inputView.set(input);
    this.loaded = input;
    return this.k.maxByte(this.inputPtr, this.plan.inputSize) > this.plan.inputMax;
  }

  run(input: Uint8Array, stats: LayerStats[] | null, keep: (Uint8Array | Int32Array)[] | null): Uint8Array | Int32Array {
    const k = this.k;
    if (this.loaded !== input) this.inputView.set(input);
    this.loaded = null;
    const n = this.layers.length;
    for (let li = 0; li < n; li++) {
      const L = this.layers[li];
      const { layer, geometry: g, outShape } = L.plan;
      const events = k.scan(L.inPtr, L.inLen, this.evPtr);
      L.acc!.fill(0);
      let ops = 0;
      if (layer.kind === 'dense') {
        k.rows(this.evPtr, events, L.coutP, L.wPtr, L.accPtr);
        ops = events * L.cout;
      } else if (layer.kind === 'separable-conv') {
        const t = L.taps!;
        L.dw!.fill(0);
        ops = k.separable(this.evPtr, events, L.inCS, g!.inW, t.rowStart, t.rowTap, t.rowOut, t.colStart, t.colTap, t.colOut, g!.kw, g!.inC, g!.outW, g!.outH * g!.outW, L.dwPtr, L.dwWPtr, L.coutP, L.cout, L.pwPtr, L.accPtr, L.listPtr);
      } else if (events > 0) {
        const t = L.taps!;
        ops = (L.acc16 ? k.conv16 : k.conv)(this.evPtr, events, L.inCS, g!.inW, t.rowStart, t.rowTap, t.rowOut, t.colStart, t.colTap, t.colOut, g!.kw, g!.inC, g!.outW, L.coutP, L.cout, L.wPtr, L.accPtr);
      }
      let outEvents: number;
      const [mh, mw] = L.plan.mapShape;
      if (L.vectorOutput) {
        const pool = L.plan.pool;
        const size = pool?.kind === 'max' ? pool.size : 1;
        const stride = pool?.kind === 'max' ? pool.stride : 1;
        outEvents = (L.acc16 ? k.poolActivate16 : k.poolActivate)(L.accPtr, mw, L.coutP, outShape[0], outShape[1], size, stride, L.lvPtr, L.plan.activation!.maxOut, L.outPtr, L.zeroPtr);
      } else {
        // unpad the potentials, then the JavaScript output stage
        const pots = L.jsPotentials!;
        const acc = L.acc!;
        const { cout, coutP } = L;
        for (let pos = 0; pos < mh * mw; pos++) for (let c = 0; c < cout; c++) pots[pos * cout + c] = acc[pos * coutP + c];
        outEvents = eventOutput(L.plan, pots, L.jsOutput!);
        if (li < n - 1) this.pad(L.jsOutput as Uint8Array, L);
      }
      if (stats) {
        const s = stats[li];
        s.inputEvents = events;
        s.executedOps = ops;
        s.outputEvents = outEvents;
        s.denseMacs = L.plan.denseMacs;
      }
      if (keep || li === n - 1) {
        const o = L.jsOutput ?? this.unpad(L, L.unpadded);
        if (keep) keep.push(o.slice());
        if (li === n - 1) this.last.set(o);
      }
    }
    return this.last;
  }

  private unpad(L: WasmLayer, dst: Uint8Array): Uint8Array {
    const [h, w, c] = L.plan.outShape;
    const out = L.out!;
    for (let pix = 0; pix < h * w; pix++) for (let ci = 0; ci < c; ci++) dst[pix * c + ci] = out[pix * L.outCS + ci];
    return dst;
  }

  private pad(src: Uint8Array, L: WasmLayer): void {
    const [h, w, c] = L.plan.outShape;
    const out = L.out!;
    for (let pix = 0; pix < h * w; pix++) for (let ci = 0; ci < c; ci++) out[pix * L.outCS + ci] = src[pix * c + ci];
  }
}
