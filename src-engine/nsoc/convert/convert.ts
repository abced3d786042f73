/**
 * ONNX bytes + calibration frames → QuantizedModel: the CNN2SNN step.
 *
 *   loadOnnx → buildChain → foldChain → calibrateRanges → quantizeModel
 *
 * then a check that the runtime accepts the result (shapes, int32 bounds).
 * Every refusal is a ConversionError naming the node (or the layer) and why.
 */
import type { ActivationBits, ModelInput, QuantizedModel, WeightBits } from '../model';
import { ModelRuntimeError, planModel } from '../runtime-plan';
import { calibrateRanges, needsCalibration, type CalibrationOptions, type CalibrationResult } from './calibrate';
import { buildChain } from './chain';
import { ConversionError } from './errors';
import { foldChain } from './fold';
import type { FloatModel } from './graph';
import { loadOnnx } from './onnx-load';
import { quantizeModel, resolveInputScale, type LayerQuantReport } from './quantize';

export interface ConvertOptions {
  /** weights after the first layer (default 4; the first layer's are 8-bit) */
  weightBits?: WeightBits;
  /** activations (default 4) */
  actBits?: ActivationBits;
  /** per-layer activation bits by layer name */
  layerActBits?: Record<string, ActivationBits>;
  /** ONNX input value of one frame unit (default 1, or fixed by an input QuantizeLinear) */
  inputScale?: number;
  /** the frames' bit width (default: the smallest of 1/2/4/8 that holds the calibration frames' largest value) */
  inputBits?: ModelInput['bits'];
  labels?: string[];
  name?: string;
  calibration?: CalibrationOptions;
}

export interface ConversionResult {
  model: QuantizedModel;
  /** the folded float model (the reference the quantized one is compared with) */
  float: FloatModel;
  report: LayerQuantReport[];
  calibration: CalibrationResult;
  /** ONNX input value of one frame unit */
  frameScale: number;
  producer: string;
  opset: number;
}

/** Parses and folds an ONNX model without quantizing it. */
export function loadFloatModel(bytes: Uint8Array): { float: FloatModel; producer: string; opset: number } {
  const g = loadOnnx(bytes);
  return { float: foldChain(buildChain(g)), producer: g.producer, opset: g.opset };
}

function bitsFor(max: number): ModelInput['bits'] {
  return max <= 1 ? 1 : max <= 3 ? 2 : max <= 15 ? 4 : 8;
}

export function convertOnnx(bytes: Uint8Array, frames: readonly Uint8Array[], opts: ConvertOptions = {}): ConversionResult {
  const { float, producer, opset } = loadFloatModel(bytes);
  const [h, w, c] = float.input;
  let frameMax = 0;
  frames.forEach((f, i) => {
    if (f.length !== h * w * c) throw new ConversionError('', '', `calibration frame ${i} has ${f.length} values; the model input is ${h}×${w}×${c} (HWC) = ${h * w * c}`);
    for (let k = 0; k < f.length; k++) if (f[k] > frameMax) frameMax = f[k];
  });
  const inputBits = opts.inputBits ?? bitsFor(frameMax);
  if (frameMax > (1 << inputBits) - 1) throw new ConversionError('', '', `calibration frames reach ${frameMax}, beyond ${inputBits}-bit input (max ${(1 << inputBits) - 1})`);
  const uncalibrated = float.layers.filter((_, i) => needsCalibration(float)[i]).map((l) => l.name);
  if (frames.length === 0 && uncalibrated.length > 0) {
    throw new ConversionError('', '', `layers ${uncalibrated.map((n) => `"${n}"`).join(', ')} have unbounded ReLUs: their activation ranges need calibration frames`);
  }
  const { frameScale, firstLayerScale } = resolveInputScale(float, opts.inputScale);
  const calibration = calibrateRanges(float, frames, frameScale, opts.calibration);
  const { model, report } = quantizeModel(float, calibration.ranges, {
    weightBits: opts.weightBits,
    actBits: opts.actBits,
    layerActBits: opts.layerActBits,
    firstLayerScale,
    frameScale,
    inputBits,
    labels: opts.labels,
    name: opts.name,
    meta: {
      source: 'onnx',
      producer,
      opset,
      calibration: { frames: calibration.frames, method: opts.calibration?.method ?? 'percentile', percentile: opts.calibration?.percentile ?? 99.99 },
    },
  });
  try {
    planModel(model);
  } catch (e) {
    if (e instanceof ModelRuntimeError) throw new ConversionError(e.layerName, '', `the converted layer ${e.layerIndex} cannot run: ${e.reason}`);
    throw e;
  }
  return { model, float, report, calibration, frameScale, producer, opset };
}
