/**
 * The converter's float intermediate forms.
 *
 * 1. `Chain`: the ONNX graph as the sequence of supported ops it must be
 *    (the NSoC runs a sequence of layers), constants resolved, attributes
 *    checked, shapes known. Weights are still in ONNX's layout.
 * 2. `FloatModel`: the chain fused into NSoC-shaped layers (fold.ts) —
 *    BatchNorm and bias folded, activation ranges attached, weights already in
 *    the runtime's layouts (HWIO, [kh][kw][c], [in][out] over the HWC-flattened
 *    input). The float reference (float-runtime.ts) executes this form, and the
 *    quantizer turns it into a QuantizedModel.
 */
import type { Padding, Pooling } from '../model';
import type { Shape } from '../shapes';

export type { Shape };

/** Where a weight tensor went through a QuantizeLinear→DequantizeLinear pair (QAT export). */
export interface QatWeights {
  /** the QuantizeLinear scale per output channel (length 1: per tensor) */
  scale: Float64Array;
}

/** A QuantizeLinear→DequantizeLinear pair on activations (or on the input). */
export interface FakeQuant {
  scale: number;
  zeroPoint: number;
  /** the integer range after the pair's optional Clip */
  qmin: number;
  qmax: number;
}

interface OpBase {
  /** ONNX node name of the op (the first node for a fused pattern) */
  node: string;
  /** ONNX op type(s), for messages */
  onnxOp: string;
  /** shape of the op's output; for 2-D tensors [1, 1, features] */
  out: Shape;
}

export type ChainOp =
  | (OpBase & {
      op: 'conv';
      kernel: [number, number];
      stride: number;
      padding: Padding;
      cin: number;
      cout: number;
      depthwise: boolean;
      /** ONNX layout O×I×kh×kw (depthwise: C×1×kh×kw) */
      weights: Float64Array;
      bias: Float64Array;
      qat: QatWeights | null;
    })
  | (OpBase & {
      op: 'dense';
      inputs: number;
      units: number;
      /** [inputs][units], rows in the order of the incoming 2-D tensor */
      weights: Float64Array;
      bias: Float64Array;
      qat: QatWeights | null;
    })
  /** y = x·scale[c] + shift[c] per channel (BatchNormalization, Mul/Add/Sub/Div by constants) */
  | (OpBase & { op: 'affine'; scale: Float64Array; shift: Float64Array })
  /** clamp to [min, max]: Relu is [0, ∞), ReLU6 and Clip set a max */
  | (OpBase & { op: 'clamp'; min: number; max: number })
  | (OpBase & { op: 'fake-quant'; fq: FakeQuant })
  | (OpBase & { op: 'max-pool'; size: number; stride: number })
  | (OpBase & { op: 'global-avg' })
  /** 4-D → 2-D; `order` is how the features are laid out: ONNX's CHW, or HWC after a Transpose to NHWC */
  | (OpBase & { op: 'flatten'; from: Shape; order: 'chw' | 'hwc' });

export interface Chain {
  /** input tensor as the model sees it: [height, width, channels] */
  input: Shape;
  ops: ChainOp[];
}

/** Activation of a float layer: clamp(x, 0, max) then, for QAT models, the fake quantization. */
export interface FloatActivation {
  /** null: an unbounded ReLU (its range comes from calibration) */
  max: number | null;
  fakeQuant: FakeQuant | null;
}

export interface FloatLayer {
  /** the ONNX node name of the layer's weighted op */
  name: string;
  /** every ONNX node fused into the layer */
  nodes: string[];
  kind: 'conv' | 'separable-conv' | 'dense';
  inShape: Shape;
  /** after pooling */
  outShape: Shape;
  kernel: [number, number];
  stride: number;
  padding: Padding;
  /** output channels (conv, separable) or units (dense) */
  outputs: number;
  /** conv: HWIO; separable: pointwise [cin][cout]; dense: [inputs][units] over the HWC-flattened input */
  weights: Float32Array;
  /** separable only: [kh][kw][cin] */
  depthwise: Float32Array | null;
  /** added to every output channel's potential */
  bias: Float32Array;
  weightQat: QatWeights | null;
  depthwiseQat: QatWeights | null;
  /** null: the layer outputs its (float) potentials — only allowed last */
  activation: FloatActivation | null;
  /** max pooling applies after the activation, global average pooling before it (to the potentials) */
  pool: Pooling | null;
}

/** An op between the model input and its first layer: a positive scalar scale, or a fake-quantization. */
export type InputOp = { kind: 'scale'; factor: number; node: string } | { kind: 'fake-quant'; fq: FakeQuant; node: string };

export interface FloatModel {
  input: Shape;
  /** applied in order to the ONNX input before the first layer */
  inputOps: InputOp[];
  layers: FloatLayer[];
}
