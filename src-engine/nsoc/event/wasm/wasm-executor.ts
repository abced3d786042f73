/**
 * The event path on the WebAssembly SIMD kernels: the whole model runs in one
 * linear memory laid out at construction (weights widened to int16 rows of
 * coutP, tap tables, activation levels, potentials, event lists, padded
 * activations), so an inference copies the frame in, calls a few kernels per
 * layer and copies the last layer's output out. Layers whose output stage is
 * not vectorised (global average pooling, a last layer without activation)
 * finish in JavaScript with event/output.ts. Results are identical to the
 * JavaScript event path and the dense reference (checked by the tests).
 *
 * Delta layers. A converted network with biases has neurons that fire with no
 * input at all (a negative threshold), so a layer's input is a constant
 * background wherever the sensor was silent, and the plain event path would
 * scatter that background again on every frame. At construction the executor
 * runs an all-zero frame once and keeps, for every convolution whose input is
 * then not all zero, its reference input and the potentials it produces. A
 * frame then starts that layer from the reference potentials and scatters only
 * the differences from the reference input (signed values): the same integer
 * sums in another order, so the result is bit for bit the plain path's. The
 * statistics stay those of the plain event path (non-zero inputs, their
 * operations), which scanDiff counts on the way; int16 potentials are kept
 * only where |reference| + Σ|w|·max input fits int16.
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
  /** room for a delta layer's tables (a convolution after the first layer): reference input (inLen bytes), taps × cout per 16-byte chunk of input */
  deltaSpace: { refInPtr: number; chunkOpsPtr: number } | null;
  /** set when the layer runs as a delta layer: those tables, and the reference potentials */
  delta: { refInPtr: number; chunkOpsPtr: number; refAcc: Int32Array | Int16Array } | null;
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
  /** scanDiff's counts: non-zero inputs (i32 at 0), their operations (f64 at 8) */
  private readonly statPtr: number;
  private statI32!: Int32Array;
  private statF64!: Float64Array;
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
      // a convolution after the first layer may become a delta layer, which may need int32 potentials
      const mayDelta = layer.kind === 'conv' && layers.length > 0 && inCS % 16 === 0;
      const accBytes = acc16 && !mayDelta ? 2 : 4;
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
        accPtr: lay.take(accLen * accBytes),
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
        deltaSpace: mayDelta ? { refInPtr: lay.take(inLen), chunkOpsPtr: lay.take(inLen / 4) } : null,
        delta: null,
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
        L.lvPtr = lay.take(activation.maxOut * coutP * accBytes);
        L.zeroPtr = lay.take(coutP);
      }
      layers.push(L);
      inPtr = L.outPtr;
      inCS = outCS;
    }
    this.evPtr = lay.take(maxEvents * 8);
    this.statPtr = lay.take(16);
    const k = instantiateKernels(lay.size);
    if (!k) throw new Error('WebAssembly SIMD is not available');
    this.k = k;
    this.layers = layers;
    const buf = k.memory.buffer;
    this.inputView = new Uint8Array(buf, this.inputPtr, plan.inputSize);
    this.statI32 = new Int32Array(buf, this.statPtr, 1);
    this.statF64 = new Float64Array(buf, this.statPtr + 8, 1);
    const lastL = layers[layers.length - 1];
    this.last = lastL.plan.activation ? new Uint8Array(this.sizeOf(lastL.plan.outShape)) : new Int32Array(this.sizeOf(lastL.plan.outShape));
    for (const L of layers) this.load(L, buf);
    this.prepareDeltas(buf);
  }

  /** Indices of the layers that run as delta layers (see the top of this file). */
  get deltaLayers(): number[] {
    return this.layers.flatMap((L, i) => (L.delta ? [i] : []));
  }

  /**
   * Runs an all-zero frame through the plain path and makes a delta layer of
   * every convolution whose reference input is not all zero (see the top of
   * this file); the others run the plain path.
   */
  private prepareDeltas(buf: ArrayBuffer): void {
    const candidates = this.layers.filter((L) => L.deltaSpace !== null);
    if (candidates.length === 0) return;
    this.inputView.fill(0);
    const refIn = new Map<WasmLayer, Uint8Array>();
    const refAcc = new Map<WasmLayer, Int32Array>();
    this.layers.forEach((L, li) => {
      const candidate = candidates.includes(L);
      if (candidate) refIn.set(L, new Uint8Array(buf, L.inPtr, L.inLen).slice());
      this.runLayer(L, li, null, null);
      if (candidate) refAcc.set(L, Int32Array.from(L.acc!));
    });
    for (const L of candidates) {
      const input = refIn.get(L)!;
      if (!input.some((v) => v !== 0)) continue;
      const { layer, geometry: g, inputMax } = L.plan;
      if (layer.kind !== 'conv' || !g) continue;
      const acc = refAcc.get(L)!;
      // any partial sum is the reference potential plus Σ (input − reference)·w, |input − reference| ≤ the input maximum
      let bound = 0;
      for (let c = 0; c < L.cout; c++) {
        let s = 0;
        for (let r = c; r < layer.weights.length; r += L.cout) s += Math.abs(layer.weights[r]);
        let ref = 0;
        for (let pos = c; pos < acc.length; pos += L.coutP) ref = Math.max(ref, Math.abs(acc[pos]));
        bound = Math.max(bound, ref + s * inputMax);
      }
      if (bound >= 2 ** 27) continue; // as the plan's limit: the plain path stays exact, this one might not
      const acc16 = bound < INT16_LIMIT;
      const { refInPtr, chunkOpsPtr } = L.deltaSpace!;
      new Uint8Array(buf, refInPtr, L.inLen).set(input);
      const rows = axisTaps(g.inH, g.outH, g.kh, g.stride, g.padTop);
      const cols = axisTaps(g.inW, g.outW, g.kw, g.stride, g.padLeft);
      const chunkOps = new Int32Array(buf, chunkOpsPtr, L.inLen / 16);
      for (let ch = 0; ch < chunkOps.length; ch++) {
        const pix = Math.floor((ch * 16) / L.inCS);
        const y = Math.floor(pix / g.inW), x = pix % g.inW;
        chunkOps[ch] = (rows.start[y + 1] - rows.start[y]) * (cols.start[x + 1] - cols.start[x]) * L.cout;
      }
      if (L.acc16 !== acc16) {
        L.acc16 = acc16;
        this.load(L, buf); // rebinds the potentials and rewrites the levels for the new width
      }
      L.delta = { refInPtr, chunkOpsPtr, refAcc: acc16 ? Int16Array.from(acc) : acc };
    }
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
      const zero = new Uint8Array(buf, L.zeroPtr, coutP).fill(0);
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
    if (this.loaded !== input) this.inputView.set(input);
    this.loaded = null;
    const n = this.layers.length;
    for (let li = 0; li < n; li++) {
      const L = this.layers[li];
      this.runLayer(L, li, stats, keep);
      if (li === n - 1) this.last.set(L.jsOutput ?? this.unpad(L, L.unpadded));
    }
    return this.last;
  }

  private runLayer(L: WasmLayer, li: number, stats: LayerStats[] | null, keep: (Uint8Array | Int32Array)[] | null): void {
    const k = this.k;
    const { layer, geometry: g, outShape } = L.plan;
    let events: number, inputEvents: number, ops = 0;
    const delta = L.delta;
    // a delta layer takes the differences from the reference input, from the reference potentials,
    // unless the frame is so unlike the empty one that the plain way has fewer events
    const useDelta = delta !== null && k.countDiff(L.inPtr, delta.refInPtr, L.inLen, delta.chunkOpsPtr, this.statPtr) < this.statI32[0];
    if (useDelta) {
      events = k.scanDiff(L.inPtr, delta!.refInPtr, L.inLen, this.evPtr);
      inputEvents = this.statI32[0];
      ops = this.statF64[0]; // the plain path's count, which the statistics report
      L.acc!.set(delta!.refAcc);
    } else {
      events = inputEvents = k.scan(L.inPtr, L.inLen, this.evPtr);
      L.acc!.fill(0);
    }
    if (layer.kind === 'dense') {
      k.rows(this.evPtr, events, L.coutP, L.wPtr, L.accPtr);
      ops = events * L.cout;
    } else if (layer.kind === 'separable-conv') {
      const t = L.taps!;
      L.dw!.fill(0);
      ops = k.separable(this.evPtr, events, L.inCS, g!.inW, t.rowStart, t.rowTap, t.rowOut, t.colStart, t.colTap, t.colOut, g!.kw, g!.inC, g!.outW, g!.outH * g!.outW, L.dwPtr, L.dwWPtr, L.coutP, L.cout, L.pwPtr, L.accPtr, L.listPtr);
    } else if (events > 0) {
      const t = L.taps!;
      const done = (L.acc16 ? k.conv16 : k.conv)(this.evPtr, events, L.inCS, g!.inW, t.rowStart, t.rowTap, t.rowOut, t.colStart, t.colTap, t.colOut, g!.kw, g!.inC, g!.outW, L.coutP, L.cout, L.wPtr, L.accPtr);
      if (!useDelta) ops = done;
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
      if (li < this.layers.length - 1) this.pad(L.jsOutput as Uint8Array, L);
    }
    if (stats) {
      const s = stats[li];
      s.inputEvents = inputEvents;
      s.executedOps = ops;
      s.outputEvents = outEvents;
      s.denseMacs = L.plan.denseMacs;
    }
    if (keep) keep.push((L.jsOutput ?? this.unpad(L, L.unpadded)).slice());
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
