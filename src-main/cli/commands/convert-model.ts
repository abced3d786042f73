// `neurolive convert-model IN.onnx OUT.nlm --calibrate DIR`: the CNN2SNN step on the command line.
import { readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { parseArgs } from 'node:util';
import { EventFormatError } from '../../../src-engine/formats/errors';
import { parseNpyHeader } from '../../../src-engine/formats/numpy/npy';
import type { ActivationBits, ModelInput, WeightBits } from '../../../src-engine/nsoc/model';
import { encodeModel, InvalidModelError } from '../../../src-engine/nsoc/model-file';
import { NsocRuntime } from '../../../src-engine/nsoc/runtime';
import { measureAgreement, type Agreement } from '../../../src-engine/nsoc/convert/agreement';
import { convertOnnx, loadFloatModel, type ConversionResult } from '../../../src-engine/nsoc/convert/convert';
import { ConversionError } from '../../../src-engine/nsoc/convert/errors';

export const CONVERT_MODEL_USAGE = `neurolive convert-model IN.onnx OUT.nlm --calibrate DIR [options]
                                        ONNX (PyTorch, tf2onnx) → quantized NSoC model
      --calibrate DIR      calibration frames: .npy files of uint8 HWC frames, (H, W, C) or (N, H, W, C)
                           (what \`neurolive frames\` writes), in the model's input size
      --weight-bits 4      1, 2, 4 or 8 (the first layer is always 8-bit)
      --act-bits 4         1, 2 or 4        --layer-act-bits NAME=1,…   per-layer override
      --labels a,b,c       class names      --name NAME                  model name
      --input-scale 1      ONNX input value of one frame unit (fixed by an input QuantizeLinear)
      --input-bits N       frame bit width (default: from the calibration frames' maximum)
      --calibration percentile|max   --percentile 99.99   --max-frames 512   --json`;

class UsageError extends RangeError {}
/** A calibration file that is not what it must be (exit code 2, like any bad input file). */
class CalibrationFileError extends Error {}

function oneOf<T extends number>(name: string, v: string | undefined, allowed: readonly T[]): T | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!allowed.includes(n as T)) throw new UsageError(`--${name} must be one of ${allowed.join(', ')}, not '${v}'`);
  return n as T;
}

/** Reads calibration frames: every .npy in DIR (sorted by name), uint8, C order, matching the model input. */
export async function readCalibrationFrames(dir: string, shape: [number, number, number], maxFrames: number): Promise<Uint8Array[]> {
  const [h, w, c] = shape;
  const size = h * w * c;
  const names = (await readdir(dir)).filter((n) => n.toLowerCase().endsWith('.npy')).sort();
  if (names.length === 0) throw new CalibrationFileError(`${dir}: no .npy calibration frames`);
  const frames: Uint8Array[] = [];
  for (const name of names) {
    if (frames.length >= maxFrames) break;
    const path = join(dir, name);
    const bytes = new Uint8Array(await readFile(path));
    const head = parseNpyHeader(bytes, path);
    const d = head.descr;
    if (d.kind !== 'scalar' || d.typeChar !== 'u' || d.itemsize !== 1) throw new CalibrationFileError(`${path}: frames must be uint8, not ${d.kind === 'scalar' ? d.str : d.kind}`);
    if (head.fortranOrder) throw new CalibrationFileError(`${path}: Fortran-order arrays are not supported (save C order)`);
    const s = head.shape;
    const dims = s.length === 3 ? [1, ...s] : s;
    if (dims.length !== 4 || dims[1] !== h || dims[2] !== w || dims[3] !== c) {
      throw new CalibrationFileError(`${path}: shape (${s.join(', ')}) does not hold ${h}×${w}×${c} frames (the model input, HWC)`);
    }
    const n = dims[0];
    if (bytes.length < head.headerLength + n * size) throw new CalibrationFileError(`${path}: truncated: ${n} frames need ${n * size} bytes of data`);
    for (let i = 0; i < n && frames.length < maxFrames; i++) {
      const off = head.headerLength + i * size;
      frames.push(bytes.slice(off, off + size));
    }
  }
  return frames;
}

function parseLayerBits(v: string | undefined): Record<string, ActivationBits> | undefined {
  if (!v) return undefined;
  const out: Record<string, ActivationBits> = {};
  for (const part of v.split(',')) {
    const eq = part.lastIndexOf('=');
    const bits = Number(part.slice(eq + 1));
    if (eq <= 0 || ![1, 2, 4].includes(bits)) throw new UsageError(`--layer-act-bits takes NAME=BITS pairs (bits 1, 2 or 4), not '${part}'`);
    out[part.slice(0, eq)] = bits as ActivationBits;
  }
  return out;
}

function fmtNum(v: number | null): string {
  if (v === null) return '—';
  return Math.abs(v) >= 100 || v === 0 ? v.toFixed(1) : v.toPrecision(3);
}

export function formatConversionReport(r: ConversionResult, agreement: Agreement | null, out: string, bytes: number): string {
  const rows = r.report.map((l, i) => [
    String(i),
    l.name,
    l.kind,
    `${l.weightBits}${l.weightScales === 'qat' ? ' (QAT)' : ''}`,
    l.actBits === null ? 'potentials' : String(l.actBits),
    l.range === null ? '—' : `0…${fmtNum(l.range)} (${l.rangeSource})`,
    l.notes.join('; '),
  ]);
  const header = ['#', 'layer', 'type', 'weight bits', 'act bits', 'activation range', 'notes'];
  const widths = header.map((h, k) => Math.max(h.length, ...rows.map((row) => row[k].length)));
  const line = (cells: string[]) => cells.map((c, k) => c.padEnd(widths[k])).join('  ').trimEnd();
  const parts = [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)];
  const [h, w, c] = r.float.input;
  parts.push('', `input ${h}×${w}×${c}, ${r.model.input.bits}-bit frames, ONNX input = ${r.frameScale} × frame value; ${r.producer || 'unknown producer'}, opset ${r.opset}`);
  parts.push(`calibration: ${r.calibration.frames} frames`);
  if (agreement) {
    const rel = agreement.meanAbsFloat > 0 ? ` (${((100 * agreement.meanAbsError) / agreement.meanAbsFloat).toFixed(1)}% of mean |score|)` : '';
    parts.push(`float vs quantized on the calibration set: top-1 agreement ${(100 * agreement.top1).toFixed(1)}% of ${agreement.samples}, mean |Δscore| ${fmtNum(agreement.meanAbsError)}${rel}`);
  }
  parts.push(`wrote ${out} (${bytes.toLocaleString('en-US')} bytes)`);
  return parts.join('\n');
}

export async function convertModelCommand(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      calibrate: { type: 'string' },
      'weight-bits': { type: 'string' },
      'act-bits': { type: 'string' },
      'layer-act-bits': { type: 'string' },
      labels: { type: 'string' },
      name: { type: 'string' },
      'input-scale': { type: 'string' },
      'input-bits': { type: 'string' },
      calibration: { type: 'string', default: 'percentile' },
      percentile: { type: 'string' },
      'max-frames': { type: 'string', default: '512' },
      json: { type: 'boolean', default: false },
    },
  });
  try {
    if (positionals.length !== 2) throw new UsageError('convert-model takes IN.onnx and OUT.nlm');
    const [input, output] = positionals;
    const method = values.calibration;
    if (method !== 'percentile' && method !== 'max') throw new UsageError(`--calibration must be percentile or max, not '${method}'`);
    const percentile = values.percentile === undefined ? undefined : Number(values.percentile);
    if (percentile !== undefined && !(percentile > 0 && percentile <= 100)) throw new UsageError(`--percentile must be in (0, 100], not '${values.percentile}'`);
    const maxFrames = Number(values['max-frames']);
    if (!Number.isInteger(maxFrames) || maxFrames < 1) throw new UsageError(`--max-frames must be a positive whole number, not '${values['max-frames']}'`);
    const inputScale = values['input-scale'] === undefined ? undefined : Number(values['input-scale']);
    if (inputScale !== undefined && !(inputScale > 0 && Number.isFinite(inputScale))) throw new UsageError(`--input-scale must be a positive number, not '${values['input-scale']}'`);

    const onnx = new Uint8Array(await readFile(input));
    const { float } = loadFloatModel(onnx);
    let frames: Uint8Array[] = [];
    if (values.calibrate !== undefined) {
      if (!(await stat(values.calibrate)).isDirectory()) throw new UsageError(`--calibrate ${values.calibrate}: not a directory`);
      frames = await readCalibrationFrames(values.calibrate, float.input, maxFrames);
    }
    const result = convertOnnx(onnx, frames, {
      weightBits: oneOf<WeightBits>('weight-bits', values['weight-bits'], [1, 2, 4, 8]),
      actBits: oneOf<ActivationBits>('act-bits', values['act-bits'], [1, 2, 4]),
      layerActBits: parseLayerBits(values['layer-act-bits']),
      inputBits: oneOf<ModelInput['bits']>('input-bits', values['input-bits'], [1, 2, 4, 8]),
      inputScale,
      labels: values.labels?.split(','),
      name: values.name ?? basename(input).replace(/\.onnx$/i, ''),
      calibration: { method, percentile },
    });
    let agreement: Agreement | null = null;
    if (frames.length > 0) {
      const rt = new NsocRuntime(result.model, { collectStats: false });
      agreement = measureAgreement(result.float, result.model, frames, result.frameScale, (f) => rt.infer(f).output);
      result.model.meta.agreement = agreement;
    }
    const bytes = encodeModel(result.model);
    await writeFile(output, bytes);
    if (values.json) {
      process.stdout.write(`${JSON.stringify({ output, bytes: bytes.length, frameScale: result.frameScale, inputBits: result.model.input.bits, layers: result.report, agreement })}\n`);
    } else {
      process.stdout.write(`${formatConversionReport(result, agreement, output, bytes.length)}\n`);
    }
    return 0;
  } catch (e) {
    if (e instanceof UsageError) {
      process.stderr.write(`neurolive: ${e.message}\n\n${CONVERT_MODEL_USAGE}\n`);
      return 64;
    }
    if (e instanceof ConversionError) {
      process.stderr.write(`neurolive: ${positionals[0]}: ${e.message}\n`);
      return 2;
    }
    if (e instanceof InvalidModelError || e instanceof EventFormatError || e instanceof CalibrationFileError) {
      process.stderr.write(`neurolive: ${e.message}\n`);
      return 2;
    }
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'EISDIR' || code === 'ENOTDIR' || code === 'EACCES') {
      process.stderr.write(`neurolive: ${(e as Error).message}\n`);
      return 2;
    }
    throw e;
  }
}
