// DVS pixel-model parameters and the two presets of v2e (SensorsINI/v2e,
// `--dvs_params clean|noisy`). Brightness is in natural-log units throughout.

export interface DvsParams {
  /** nominal ON threshold θ_on, ln units (v2e 0.2) */
  thresholdOn: number;
  /** nominal OFF threshold θ_off, ln units (v2e 0.2) */
  thresholdOff: number;
  /** per-pixel threshold mismatch: θ drawn from N(θ, σ), clamped ≥ 0.01 */
  sigmaThreshold: number;
  /** photoreceptor low-pass cut-off at full white, Hz; scales with intensity; 0 = no low-pass */
  cutoffHz: number;
  /** leak events per pixel per second (the memorised level drifts down by rate·θ_on per second) */
  leakRateHz: number;
  /** Poisson shot-noise events per pixel per second (half ON, half OFF) */
  shotNoiseRateHz: number;
  /** a pixel emits no event within this many µs of its previous one; 0 = off (v2e 500 µs) */
  refractoryUs: number;
  /** luma (DN) below which brightness is linear instead of logarithmic (v2e 20) */
  linLogThreshold: number;
}

export type DvsPreset = 'clean' | 'noisy';

const COMMON = { thresholdOn: 0.2, thresholdOff: 0.2, refractoryUs: 500, linLogThreshold: 20 };

export const DVS_PRESETS: Readonly<Record<DvsPreset, Readonly<DvsParams>>> = {
  clean: { ...COMMON, sigmaThreshold: 0.02, cutoffHz: 0, leakRateHz: 0, shotNoiseRateHz: 0 },
  noisy: { ...COMMON, sigmaThreshold: 0.05, cutoffHz: 30, leakRateHz: 0.1, shotNoiseRateHz: 5 },
};

export interface DvsEmulatorConfig extends Partial<DvsParams> {
  width: number;
  height: number;
  /** default 'clean'; any DvsParams field given alongside overrides the preset */
  preset?: DvsPreset;
  /** seeds the threshold mismatch and the noise (default 1): same seed, same sensor, same events */
  seed?: number;
}

/** The smallest threshold a pixel may draw (v2e clamps at 0.01 too). */
export const MIN_THRESHOLD = 0.01;

function check(name: string, v: number, min: number, max = Infinity): number {
  if (typeof v !== 'number' || !Number.isFinite(v) || v < min || v > max) {
    throw new RangeError(`DVS emulator: ${name} must be a number from ${min} to ${max}, not ${v}`);
  }
  return v;
}

/** The preset with the config's overrides, every value checked. */
export function resolveDvsParams(cfg: DvsEmulatorConfig): DvsParams {
  const preset = cfg.preset ?? 'clean';
  const base = DVS_PRESETS[preset];
  if (!base) throw new RangeError(`DVS emulator: unknown preset '${String(preset)}' (clean or noisy)`);
  const p: DvsParams = {
    thresholdOn: cfg.thresholdOn ?? base.thresholdOn,
    thresholdOff: cfg.thresholdOff ?? base.thresholdOff,
    sigmaThreshold: cfg.sigmaThreshold ?? base.sigmaThreshold,
    cutoffHz: cfg.cutoffHz ?? base.cutoffHz,
    leakRateHz: cfg.leakRateHz ?? base.leakRateHz,
    shotNoiseRateHz: cfg.shotNoiseRateHz ?? base.shotNoiseRateHz,
    refractoryUs: cfg.refractoryUs ?? base.refractoryUs,
    linLogThreshold: cfg.linLogThreshold ?? base.linLogThreshold,
  };
  check('thresholdOn', p.thresholdOn, MIN_THRESHOLD, 100);
  check('thresholdOff', p.thresholdOff, MIN_THRESHOLD, 100);
  check('sigmaThreshold', p.sigmaThreshold, 0, 10);
  check('cutoffHz', p.cutoffHz, 0, 1e7);
  check('leakRateHz', p.leakRateHz, 0, 1e6);
  check('shotNoiseRateHz', p.shotNoiseRateHz, 0, 1e6);
  check('refractoryUs', p.refractoryUs, 0, 1e9);
  check('linLogThreshold', p.linLogThreshold, 1, 255);
  return p;
}

/**
 * v2e's lin-log brightness of each 8-bit luma value: linear below `threshold`
 * DN, ln above, the slope chosen so the two meet at the threshold (so black,
 * 0 DN, has a finite brightness 0 and sensor noise in the dark stays small).
 */
export function linLogTable(threshold: number): Float64Array {
  const lut = new Float64Array(256);
  const slope = Math.log(threshold) / threshold;
  for (let v = 0; v < 256; v++) lut[v] = v <= threshold ? v * slope : Math.log(v);
  return lut;
}
