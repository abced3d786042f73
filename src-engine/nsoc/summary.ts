/**
 * summary(): the model table in the style of the vendor toolkits (layer,
 * type, output shape, kernel shape, weight and activation bits, NPs) with the
 * totals — parameters (weights), weight memory, NPs — and the latency and
 * energy estimates, from a measured activity or, without one, the worst case
 * (every activation non-zero). formatSummary() prints it for the CLI.
 */
import { worstCaseActivity, activityLayers, type ActivityInput } from './activity';
import { estimateEnergy, type EnergyEstimate } from './energy';
import { AKD1000, type HardwareProfile } from './hardware-profile';
import { estimateLatency, type LatencyEstimate } from './latency';
import { planMapping, type Processor } from './mapping';
import type { Layer, QuantizedModel } from './model';
import { modelShapes, type Shape } from './shapes';

export interface SummaryRow {
  index: number;
  name: string;
  kind: Layer['kind'];
  /** the vendor's abbreviation: InputConv., Conv., Sep.Conv., Fully. */
  type: string;
  outputShape: Shape;
  /** HWIO; a separable layer has its depthwise (kh, kw, cin, 1) then pointwise (1, 1, cin, filters) kernel */
  kernelShapes: [number, number, number, number][];
  weightBits: number;
  /** null: the layer outputs potentials */
  activationBits: number | null;
  /** 'max 2×2/2', 'global avg' or null */
  pool: string | null;
  parameters: number;
  weightMemoryBits: number;
  processor: Processor;
  nps: number;
  note?: string;
  executedOps: number;
  denseMacs: number;
  cycles: number;
  energyJ: number;
}

export interface ModelSummary {
  name: string;
  profile: string;
  clockHz: number;
  inputShape: Shape;
  inputBits: number;
  outputShape: Shape;
  layers: number;
  /** weights (thresholds and steps are not counted) */
  parameters: number;
  weightMemoryBits: number;
  weightMemoryBytes: number;
  /** mesh NPs used */
  nps: number;
  usableNps: number;
  inputEngine: number;
  fits: boolean;
  problems: string[];
  activity: 'measured' | 'worst case';
  executedOps: number;
  denseMacs: number;
  latency: LatencyEstimate;
  energy: EnergyEstimate;
  rows: SummaryRow[];
}

const TYPE: Record<Layer['kind'], string> = { 'input-conv': 'InputConv.', conv: 'Conv.', 'separable-conv': 'Sep.Conv.', dense: 'Fully.' };

export function summary(model: QuantizedModel, profile: HardwareProfile = AKD1000, activity?: ActivityInput): ModelSummary {
  const { input, outputs } = modelShapes(model);
  const mapping = planMapping(model, profile);
  const measured = activity !== undefined;
  const counts = activity ?? worstCaseActivity(model);
  const perLayer = activityLayers(counts);
  const latency = estimateLatency(mapping, counts, profile);
  const energy = estimateEnergy(model, counts, profile.energy);
  const rows = model.layers.map((layer, i): SummaryRow => {
    const inShape = i === 0 ? input : outputs[i - 1];
    const cin = inShape[2];
    let kernelShapes: SummaryRow['kernelShapes'];
    if (layer.kind === 'dense') kernelShapes = [[1, 1, inShape[0] * inShape[1] * cin, layer.units]];
    else if (layer.kind === 'separable-conv') kernelShapes = [[layer.kernel[0], layer.kernel[1], cin, 1], [1, 1, cin, layer.filters]];
    else kernelShapes = [[layer.kernel[0], layer.kernel[1], cin, layer.filters]];
    const parameters = kernelShapes.reduce((s, k) => s + k[0] * k[1] * k[2] * k[3], 0);
    const m = mapping.layers[i];
    const pool = layer.pool ? (layer.pool.kind === 'max' ? `max ${layer.pool.size}×${layer.pool.size}/${layer.pool.stride}` : 'global avg') : null;
    return {
      index: i,
      name: layer.name,
      kind: layer.kind,
      type: TYPE[layer.kind],
      outputShape: outputs[i],
      kernelShapes,
      weightBits: layer.weightBits,
      activationBits: layer.activation ? layer.activation.bits : null,
      pool,
      parameters,
      weightMemoryBits: parameters * layer.weightBits,
      processor: m.processor,
      nps: m.nps,
      ...(m.note ? { note: m.note } : {}),
      executedOps: perLayer[i].executedOps,
      denseMacs: perLayer[i].denseMacs,
      cycles: latency.perLayerCycles[i],
      energyJ: energy.perLayer[i].totalJ,
    };
  });
  const parameters = rows.reduce((s, r) => s + r.parameters, 0);
  const weightMemoryBits = rows.reduce((s, r) => s + r.weightMemoryBits, 0);
  return {
    name: model.name,
    profile: profile.name,
    clockHz: profile.clockHz,
    inputShape: input,
    inputBits: model.input.bits,
    outputShape: outputs[outputs.length - 1],
    layers: model.layers.length,
    parameters,
    weightMemoryBits,
    weightMemoryBytes: Math.ceil(weightMemoryBits / 8),
    nps: mapping.nps,
    usableNps: mapping.usableNps,
    inputEngine: mapping.inputEngine,
    fits: mapping.problems.length === 0,
    problems: mapping.problems,
    activity: measured ? 'measured' : 'worst case',
    executedOps: rows.reduce((s, r) => s + r.executedOps, 0),
    denseMacs: rows.reduce((s, r) => s + r.denseMacs, 0),
    latency,
    energy,
    rows,
  };
}

const shape = (s: readonly number[]) => `[${s.join(', ')}]`;
const kernel = (k: readonly number[]) => `(${k.join(', ')})`;

/** 1234567 → '1.23 M' */
export function si(n: number, unit = ''): string {
  const abs = Math.abs(n);
  const [d, p] = abs >= 1e9 ? [1e9, 'G'] : abs >= 1e6 ? [1e6, 'M'] : abs >= 1e3 ? [1e3, 'k'] : abs >= 1 || abs === 0 ? [1, ''] : abs >= 1e-3 ? [1e-3, 'm'] : abs >= 1e-6 ? [1e-6, 'µ'] : [1e-9, 'n'];
  const v = n / d;
  const text = d === 1 && Number.isInteger(v) ? String(v) : v.toPrecision(3);
  return `${text} ${p}${unit}`.trim();
}

function table(header: string[], rows: string[][]): string[] {
  const widths = header.map((h, c) => Math.max(h.length, ...rows.map((r) => (r[c] ?? '').length)));
  const line = (cells: string[]) => cells.map((x, c) => (x ?? '').padEnd(widths[c])).join('  ').trimEnd();
  const rule = '_'.repeat(widths.reduce((s, w) => s + w + 2, -2));
  return [rule, line(header), '='.repeat(rule.length), ...rows.map(line), rule];
}

export function formatSummary(s: ModelSummary): string {
  const out: string[] = [`Model summary: ${s.name} on ${s.profile}`];
  out.push(
    ...table(
      ['Input shape', 'Output shape', 'Layers', 'Parameters', 'Weight memory', 'NPs'],
      [[shape(s.inputShape), shape(s.outputShape), String(s.layers), si(s.parameters), `${si(s.weightMemoryBits, 'bit')} (${si(s.weightMemoryBytes, 'B')})`, `${s.nps} of ${s.usableNps}${s.inputEngine ? ' + HRC' : ''}`]],
    ),
  );
  out.push('');
  const rows: string[][] = [];
  for (const r of s.rows) {
    const where = r.processor === 'hrc' ? 'N/A (HRC)' : `${r.nps} ${r.processor === 'cnp' ? 'CNP' : r.processor === 'fnp' ? 'FNP' : 'FNP (ext. mem.)'}`;
    rows.push([
      `${r.name} (${r.type})`,
      shape(r.outputShape),
      kernel(r.kernelShapes[0]),
      String(r.weightBits),
      r.activationBits === null ? '-' : String(r.activationBits),
      r.pool ?? '',
      where,
    ]);
    for (const k of r.kernelShapes.slice(1)) rows.push(['', '', kernel(k), '', '', '', '']);
  }
  out.push(...table(['Layer (type)', 'Output shape', 'Kernel shape', 'W bits', 'A bits', 'Pool', 'NPs'], rows));
  for (const r of s.rows) if (r.note) out.push(`note: ${r.name}: ${r.note}`);
  if (!s.fits) out.push(`DOES NOT FIT ${s.profile}: ${s.problems.join('; ')}`);
  const basis = s.activity === 'measured' ? 'measured activity' : 'worst case, every activation non-zero';
  out.push(
    `Estimates (${basis}): ${si(s.executedOps)} synaptic ops of ${si(s.denseMacs)} dense MACs; ` +
      `latency ${si(s.latency.seconds, 's')} (${si(s.latency.cycles)} cycles at ${si(s.clockHz, 'Hz')}); energy ${si(s.energy.totalJ, 'J')} per inference`,
  );
  return out.join('\n');
}
