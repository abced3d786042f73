/**
 * Mapping a model onto a profile's neural processors (docs/NSOC.md, "Mapping
 * onto neural processors", gives the rules and their sources). Like the
 * vendor's Minimal map mode, each layer takes the fewest NPs its filters and
 * weight memory allow:
 * - the input convolution runs on the input engine (HRC) when it accepts the
 *   channels, kernel and filter count — it is outside the NP mesh, so it
 *   costs no NP (the vendor's summary shows "N/A") — otherwise on CNPs;
 * - convolutions and separable convolutions are split over CNPs by filters:
 *   n = max(⌈F / maxFilters⌉, ⌈F / ⌊memory / bits per filter⌋⌉), where a
 *   separable layer's NPs each also hold the whole depthwise kernel;
 * - a fully connected layer takes one FNP when its weights fit on chip, else
 *   one external-memory FNP, else it is split over on-chip FNPs by units.
 */
import type { Layer, QuantizedModel } from './model';
import { modelShapes } from './shapes';
import { AKD1000, usableNps, type HardwareProfile, type NpLimits } from './hardware-profile';

export type Processor = 'hrc' | 'cnp' | 'fnp' | 'fnp-external';

export interface LayerMapping {
  index: number;
  name: string;
  kind: Layer['kind'];
  processor: Processor;
  /** mesh NPs the layer occupies (0 on the input engine) */
  nps: number;
  /** filters (units) on the busiest NP */
  filtersPerNp: number;
  /** all weights of the layer, bits */
  weightBits: number;
  /** weights held by the busiest NP, bits */
  weightBitsPerNp: number;
  /** what set the NP count */
  limitedBy: 'filters' | 'memory' | 'none';
  note?: string;
}

export interface ModelMapping {
  profile: string;
  layers: LayerMapping[];
  /** mesh NPs used, by kind */
  cnps: number;
  fnps: number;
  fnpsExternal: number;
  /** total mesh NPs used */
  nps: number;
  /** input-engine units used */
  inputEngine: number;
  usableNps: number;
  /** why the model does not fit the profile; empty when it does */
  problems: string[];
}

export class MappingError extends Error {
  override name = 'MappingError';
  constructor(
    readonly profile: string,
    readonly problems: string[],
  ) {
    super(`the model does not fit ${profile}: ${problems.join('; ')}`);
  }
}

const ceilDiv = (a: number, b: number) => Math.ceil(a / b);

/** NPs for `filters` filters of `perFilter` bits each, every NP also holding `shared` bits. */
function splitByFilters(
  filters: number,
  perFilter: number,
  shared: number,
  limits: NpLimits,
): { nps: number; limitedBy: LayerMapping['limitedBy'] } | { error: string } {
  const fitMemory = Math.floor((limits.weightMemoryBits - shared) / perFilter);
  if (fitMemory < 1) {
    return { error: `one filter needs ${shared + perFilter} bits of weights, an NP holds ${limits.weightMemoryBits}` };
  }
  const byFilters = ceilDiv(filters, limits.maxFilters);
  const byMemory = ceilDiv(filters, fitMemory);
  const nps = Math.max(byFilters, byMemory);
  return { nps, limitedBy: nps === 1 ? 'none' : byMemory > byFilters ? 'memory' : 'filters' };
}

/** Per-layer NP needs and the totals; `problems` lists what does not fit (mapModel throws on them). */
export function planMapping(model: QuantizedModel, profile: HardwareProfile = AKD1000): ModelMapping {
  const { input, outputs } = modelShapes(model);
  const problems: string[] = [];
  let inputEngineUsed = 0;
  const layers = model.layers.map((layer, index): LayerMapping => {
    const [h, w, cin] = index === 0 ? input : outputs[index - 1];
    const at = `layer ${index} (${layer.name})`;
    const base = { index, name: layer.name, kind: layer.kind };
    if (layer.kind === 'dense') {
      const inputs = h * w * cin;
      const weightBits = inputs * layer.units * layer.weightBits;
      if (weightBits <= profile.fnp.weightMemoryBits && layer.units <= profile.fnp.maxFilters) {
        return { ...base, processor: 'fnp', nps: 1, filtersPerNp: layer.units, weightBits, weightBitsPerNp: weightBits, limitedBy: 'none' };
      }
      if (profile.fnpExternal > 0) {
        return {
          ...base,
          processor: 'fnp-external',
          nps: 1,
          filtersPerNp: layer.units,
          weightBits,
          weightBitsPerNp: weightBits,
          limitedBy: 'none',
          note: 'weights in external memory',
        };
      }
      const split = splitByFilters(layer.units, inputs * layer.weightBits, 0, profile.fnp);
      if ('error' in split) {
        problems.push(`${at}: ${split.error}`);
        return { ...base, processor: 'fnp', nps: 0, filtersPerNp: 0, weightBits, weightBitsPerNp: 0, limitedBy: 'none' };
      }
      const per = ceilDiv(layer.units, split.nps);
      return { ...base, processor: 'fnp', nps: split.nps, filtersPerNp: per, weightBits, weightBitsPerNp: per * inputs * layer.weightBits, limitedBy: split.limitedBy };
    }

    const [kh, kw] = layer.kernel;
    const shared = layer.kind === 'separable-conv' ? kh * kw * cin * layer.weightBits : 0;
    const perFilter = (layer.kind === 'separable-conv' ? cin : kh * kw * cin) * layer.weightBits;
    const weightBits = shared + perFilter * layer.filters;
    let note: string | undefined;
    if (layer.kind === 'input-conv') {
      const e = profile.inputEngine;
      const maxFilters = e?.maxFilters[`${kh}/${cin}`];
      if (e && kh === kw && e.kernels.includes(kh) && e.channels.includes(cin) && maxFilters !== undefined && layer.filters <= maxFilters && inputEngineUsed < e.units) {
        inputEngineUsed++;
        return { ...base, processor: 'hrc', nps: 0, filtersPerNp: layer.filters, weightBits, weightBitsPerNp: weightBits, limitedBy: 'none' };
      }
      note = e
        ? `the input engine takes ${e.channels.join(' or ')} channels, ${e.kernels.join('/')} square kernels and a limited filter count: mapped onto CNPs`
        : 'no input engine: mapped onto CNPs';
    }
    const split = splitByFilters(layer.filters, perFilter, shared, profile.cnp);
    if ('error' in split) {
      problems.push(`${at}: ${split.error}`);
      return { ...base, processor: 'cnp', nps: 0, filtersPerNp: 0, weightBits, weightBitsPerNp: 0, limitedBy: 'none', ...(note ? { note } : {}) };
    }
    const per = ceilDiv(layer.filters, split.nps);
    return {
      ...base,
      processor: 'cnp',
      nps: split.nps,
      filtersPerNp: per,
      weightBits,
      weightBitsPerNp: shared + per * perFilter,
      limitedBy: split.limitedBy,
      ...(note ? { note } : {}),
    };
  });

  const count = (p: Processor) => layers.reduce((s, l) => s + (l.processor === p ? l.nps : 0), 0);
  const cnps = count('cnp');
  const fnps = count('fnp');
  const fnpsExternal = count('fnp-external');
  const nps = cnps + fnps + fnpsExternal;
  const usable = usableNps(profile);
  if (fnps > profile.fnpInternal) problems.push(`${fnps} fully connected NPs needed, ${profile.name} has ${profile.fnpInternal}`);
  if (fnpsExternal > profile.fnpExternal) problems.push(`${fnpsExternal} external-memory FNPs needed, ${profile.name} has ${profile.fnpExternal}`);
  if (nps > usable) problems.push(`${nps} NPs needed, ${profile.name} has ${usable} usable`);
  return { profile: profile.name, layers, cnps, fnps, fnpsExternal, nps, inputEngine: inputEngineUsed, usableNps: usable, problems };
}

/** planMapping that throws MappingError when the model does not fit. */
export function mapModel(model: QuantizedModel, profile: HardwareProfile = AKD1000): ModelMapping {
  const m = planMapping(model, profile);
  if (m.problems.length) throw new MappingError(profile.name, m.problems);
  return m;
}
