// The trained ONNX → QuantizedModel, through the project's converter
// (convertOnnx): every range and weight scale comes from the QAT export, so
// the converter only reads them (docs/MODELS.md).
import type { InputEncoding } from '../../src-engine/models/card';
import type { ModelInput } from '../../src-engine/nsoc/model';
import { convertOnnx, type ConversionResult } from '../../src-engine/nsoc/convert/convert';

/** The smallest NSoC input width that holds the binner's clipped counts. */
export function inputBitsFor(clip: number): ModelInput['bits'] {
  return clip <= 1 ? 1 : clip <= 3 ? 2 : clip <= 15 ? 4 : 8;
}

/** What the .nlm records about its input (the CLI and the app read the card for the full encoding). */
export function modelEncoding(enc: InputEncoding): NonNullable<ModelInput['encoding']> {
  if (enc.sensor === 'dvs') return { kind: 'time-channel', windowUs: enc.windowUs, bins: enc.bins, polarities: enc.polarities, clip: enc.clip };
  return { kind: 'cochlea', ...enc };
}

export interface ConvertTrainedOptions {
  onnx: Uint8Array;
  input: InputEncoding;
  labels: string[];
  name: string;
  /** a few training frames: QAT fixes every range, so they only confirm the input range */
  calibration: Uint8Array[];
  meta?: Record<string, unknown>;
}

export function convertTrained(o: ConvertTrainedOptions): ConversionResult {
  const res = convertOnnx(o.onnx, o.calibration, { inputBits: inputBitsFor(o.input.clip), labels: o.labels, name: o.name, weightBits: 4, actBits: 4 });
  const notQat = res.report.filter((r) => r.weightScales !== 'qat' || (r.actBits !== null && r.rangeSource !== 'qat'));
  if (notQat.length > 0) {
    // the QAT simulation would no longer be exact: say so loudly rather than ship a model that differs from its training
    throw new Error(`converter did not keep the QAT scales of layer(s) ${notQat.map((r) => `${r.name} (${r.weightScales}, ${r.rangeSource}; ${r.notes.join('; ')})`).join(', ')}`);
  }
  res.model.input.encoding = modelEncoding(o.input);
  res.model.meta = { ...res.model.meta, ...o.meta };
  return res;
}
