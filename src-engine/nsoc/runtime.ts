/**
 * Executes a QuantizedModel on the simulated NSoC, batch 1, on either path:
 * - 'event' (default): only non-zero activations cost work (event/), on the
 *   WebAssembly SIMD kernels where available (event/wasm/), else in JavaScript;
 * - 'dense': the plain integer reference (dense/).
 * Both give identical outputs, bit for bit, on every layer.
 *
 * All buffers are allocated by the constructor. By default infer() returns a
 * fresh result (output, scores and stats copied: a few hundred bytes; on
 * ConvTiny the p50 with and without the copy differ by less than the
 * measurement noise, ~1 %); with `reuseResult: true` it returns the same
 * result object every call, overwritten by the next call.
 */
import { DenseLayerRunner } from './dense/run-layer';
import { EventLayerRunner } from './event/run-layer';
import { wasmKernelsAvailable } from './event/wasm/kernel-module';
import { WasmEventExecutor } from './event/wasm/wasm-executor';
import type { QuantizedModel } from './model';
import { firstAbove, ModelRuntimeError, planModel, type LayerRunner, type ModelPlan } from './runtime-plan';
import { copyStats, emptyLayerStats, finishStats, type InferenceStats } from './stats';

export interface RuntimeOptions {
  path?: 'event' | 'dense';
  /** per-layer statistics (default true; they cost a few counters per pixel) */
  collectStats?: boolean;
  /** copy every layer's output into the result (tests, visualisation) */
  keepLayerOutputs?: boolean;
  /** return one result object, overwritten by each call, instead of a fresh one */
  reuseResult?: boolean;
  /**
   * event path only: 'wasm' runs the WebAssembly SIMD kernels (the default
   * where WebAssembly SIMD exists), 'js' the plain JavaScript loops; same results
   */
  engine?: 'wasm' | 'js';
}

export interface InferenceResult {
  /** last layer: int32 potentials without activation, else the activations */
  output: Int32Array;
  /**
   * outputScale·output + outputBias of the last layer (a missing scale counts
   * as 1, a missing bias as 0), when the model has either: computed in doubles,
   * rounded once to float32, so identical on every platform
   */
  scores?: Float32Array;
  /** each layer's output (uint8 activations; int32 potentials for a last layer without activation), when asked */
  layerOutputs?: (Uint8Array | Int32Array)[];
  stats: InferenceStats;
}

export class NsocRuntime {
  readonly plan: ModelPlan;
  readonly path: 'event' | 'dense';
  /** what executes the layers: the dense reference is always JavaScript */
  readonly engine: 'wasm' | 'js';
  private readonly runners: LayerRunner[];
  private readonly wasm: WasmEventExecutor | null;
  private readonly stats: InferenceStats;
  private readonly collect: boolean;
  private readonly keep: boolean;
  private readonly reuse: boolean;
  private readonly outputScale: Float32Array | null;
  private readonly outputBias: Float32Array | null;
  private readonly result: InferenceResult;

  /** Throws ModelRuntimeError (or ShapeError) naming the layer when the model cannot run. */
  constructor(readonly model: QuantizedModel, opts: RuntimeOptions = {}) {
    this.path = opts.path ?? 'event';
    if (this.path !== 'event' && this.path !== 'dense') throw new ModelRuntimeError(-1, model.name, `unknown execution path ${String(this.path)}`);
    this.collect = opts.collectStats ?? true;
    this.keep = opts.keepLayerOutputs ?? false;
    this.reuse = opts.reuseResult ?? false;
    this.plan = planModel(model);
    if (opts.engine !== undefined && opts.engine !== 'wasm' && opts.engine !== 'js') throw new ModelRuntimeError(-1, model.name, `unknown engine ${String(opts.engine)}`);
    if (opts.engine === 'wasm' && (this.path !== 'event' || !wasmKernelsAvailable())) {
      throw new ModelRuntimeError(-1, model.name, this.path === 'event' ? 'WebAssembly SIMD is not available here' : 'the dense reference path has no WebAssembly engine');
    }
    this.engine = this.path === 'event' && opts.engine !== 'js' && wasmKernelsAvailable() ? 'wasm' : 'js';
    this.wasm = this.engine === 'wasm' ? new WasmEventExecutor(this.plan) : null;
    this.runners = this.wasm ? [] : this.plan.layers.map((p) => (this.path === 'event' ? new EventLayerRunner(p) : new DenseLayerRunner(p)));
    const lastPlan = this.plan.layers[this.plan.layers.length - 1];
    const outSize = lastPlan.outShape[0] * lastPlan.outShape[1] * lastPlan.outShape[2];
    const scale = lastPlan.layer.outputScale;
    if (scale !== undefined && (!(scale instanceof Float32Array) || scale.length !== outSize)) {
      throw new ModelRuntimeError(lastPlan.index, lastPlan.layer.name, `outputScale must be a Float32Array of ${outSize} values`);
    }
    const bias = lastPlan.layer.outputBias;
    if (bias !== undefined && (!(bias instanceof Float32Array) || bias.length !== outSize)) {
      throw new ModelRuntimeError(lastPlan.index, lastPlan.layer.name, `outputBias must be a Float32Array of ${outSize} values`);
    }
    this.outputScale = scale ?? null;
    this.outputBias = bias ?? null;
    this.stats = {
      path: this.path,
      collected: this.collect,
      inputSize: 0,
      inputEvents: 0,
      inputSparsity: 0,
      outputEvents: 0,
      executedOps: 0,
      denseMacs: 0,
      opsRatio: 0,
      layers: this.plan.layers.map((p) => {
        const size = (s: number[]) => s[0] * s[1] * s[2];
        return emptyLayerStats(p.index, p.layer.name, p.layer.kind, size(p.inShape), size(p.outShape), p.denseMacs);
      }),
    };
    finishStats(this.stats);
    this.result = { output: new Int32Array(outSize), stats: this.stats };
    if (this.outputScale || this.outputBias) this.result.scores = new Float32Array(outSize);
  }

  /** Runs one frame (HWC uint8, the model input's shape, values within the input's bits: a RangeError otherwise). */
  infer(input: Uint8Array): InferenceResult {
    if (!(input instanceof Uint8Array)) throw new TypeError('NsocRuntime.infer: input must be a Uint8Array (HWC)');
    if (input.length !== this.plan.inputSize) {
      const [h, w, c] = this.plan.input;
      throw new RangeError(`NsocRuntime.infer: input has ${input.length} values, the model input ${h}×${w}×${c} needs ${this.plan.inputSize}`);
    }
    const max = this.plan.inputMax;
    if (max < 255 && (this.wasm ? this.wasm.loadInput(input) : firstAbove(input, max) >= 0)) {
      const i = firstAbove(input, max);
      throw new RangeError(`NsocRuntime.infer: input value ${input[i]} at index ${i} is above the model's ${this.model.input.bits}-bit input range (max ${max})`);
    }
    const layerOutputs: (Uint8Array | Int32Array)[] | undefined = this.keep ? [] : undefined;
    let x: Uint8Array = input;
    let last: Uint8Array | Int32Array = input;
    if (this.wasm) last = this.wasm.run(input, this.collect ? this.stats.layers : null, layerOutputs ?? null);
    for (let i = 0; i < this.runners.length; i++) {
      const r = this.runners[i];
      r.run(x, this.collect ? this.stats.layers[i] : null);
      last = r.output;
      if (layerOutputs) layerOutputs.push(last.slice());
      // planModel guarantees only the last layer outputs int32 potentials
      x = last as Uint8Array;
    }
    if (this.collect) finishStats(this.stats);
    const res = this.reuse ? this.result : { output: new Int32Array(this.result.output.length), stats: copyStats(this.stats) } as InferenceResult;
    res.output.set(last);
    if (this.outputScale || this.outputBias) {
      const scores = this.reuse ? this.result.scores! : new Float32Array(res.output.length);
      const scale = this.outputScale, bias = this.outputBias;
      for (let i = 0; i < scores.length; i++) scores[i] = res.output[i] * (scale ? scale[i] : 1) + (bias ? bias[i] : 0);
      res.scores = scores;
    }
    if (layerOutputs) res.layerOutputs = layerOutputs;
    else if (this.reuse) delete res.layerOutputs;
    return res;
  }
}
