// A parametric (LPC) vocoder for the keyword dataset's `vocoded` split: a take
// is analysed into a spectral envelope (all-pole LPC filter), a gain and a
// pitch track per frame, and spoken again from those parameters alone — a
// pulse train at the tracked F0 through the filter for voiced frames, white
// noise for unvoiced ones. That is what statistical-parametric voices (HTS,
// clustergen: flite's slt and awb) do, and what none of the training
// synthesizers (espeak-ng formants, festival diphones) does: the buzzy
// excitation, the lost fine structure and phase, the smoothed envelope.
//
// Pure DSP on Float32Arrays, no Node APIs: autocorrelation + Levinson–Durbin,
// a normalized-cross-correlation pitch tracker, an all-pole synthesis filter.
// Deterministic: the excitation noise comes from a seeded Random.
import { Random } from '../../../src-engine/sources/random';

export interface VocoderParams {
  /** LPC order (16–20 at 16 kHz: ~one pole pair per kHz plus a few for the glottal/radiation tilt) */
  order: number;
  /** analysis window, ms (Hann) */
  frameMs: number;
  /** frame hop, ms: the envelope, gain and F0 are held (gain interpolated) over a hop */
  hopMs: number;
  /** envelope smoothing: autocorrelations averaged over ±smoothFrames frames (an HMM voice's smoothed trajectories); 0: none */
  smoothFrames: number;
  /** share of noise power in the voiced excitation (mixed excitation), 0–1 */
  noiseMix: number;
  /** the excitation noise's seed */
  seed: number;
}

export const DEFAULT_VOCODER: VocoderParams = { order: 18, frameMs: 25, hopMs: 5, smoothFrames: 0, noiseMix: 0, seed: 1 };

/** Pre-emphasis before analysis (undone after synthesis): flattens speech's −6 dB/octave tilt so LPC fits the formants. */
const PRE_EMPHASIS = 0.97;
/** Pitch search range, Hz: a low male voice to a high female one (espeak-ng's variants at any -p, warped ×0.85–1.2). */
const F0_MIN = 55;
const F0_MAX = 500;

/** r[0..order] of x[start, end) (zero outside). */
export function autocorrelation(x: ArrayLike<number>, order: number, start = 0, end = x.length): Float64Array {
  const r = new Float64Array(order + 1);
  for (let k = 0; k <= order; k++) {
    let s = 0;
    for (let i = start + k; i < end; i++) s += x[i] * x[i - k];
    r[k] = s;
  }
  return r;
}

export interface LpcResult {
  /** A(z) = 1 + a[1] z⁻¹ + … + a[p] z⁻ᵖ (a[0] = 1): x[n] ≈ −Σ a[k] x[n−k] */
  a: Float64Array;
  /** reflection coefficients k[1..p] (|k| < 1 for a valid autocorrelation: a stable 1/A) */
  k: Float64Array;
  /** prediction error power, in units of r[0] (0 < error ≤ r[0]) */
  error: number;
}

/**
 * Levinson–Durbin: the order-p predictor of an autocorrelation sequence. A
 * zero r[0] (silence) gives A = 1 and zero error; a (numerically) singular
 * sequence stops the recursion at the order it reached.
 */
export function levinson(r: ArrayLike<number>, order: number): LpcResult {
  const a = new Float64Array(order + 1);
  const k = new Float64Array(order + 1);
  a[0] = 1;
  let err = r[0];
  if (!(err > 0)) return { a, k, error: 0 };
  const tmp = new Float64Array(order + 1);
  for (let i = 1; i <= order; i++) {
    let acc = r[i];
    for (let j = 1; j < i; j++) acc += a[j] * r[i - j];
    const ki = -acc / err;
    if (!Number.isFinite(ki) || Math.abs(ki) >= 1) break; // singular: keep the lower-order (stable) predictor
    k[i] = ki;
    tmp.set(a);
    for (let j = 1; j < i; j++) a[j] = tmp[j] + ki * tmp[i - j];
    a[i] = ki;
    err *= 1 - ki * ki;
    if (err <= r[0] * 1e-12) break;
  }
  return { a, k, error: err };
}

/** LPC of x[start, end): the predictor and its error power. */
export function lpc(x: ArrayLike<number>, order: number, start = 0, end = x.length): LpcResult {
  return levinson(autocorrelation(x, order, start, end), order);
}

/** Power spectrum of an all-pole model g²/|A(e^jω)|² at `hz` (sampleRate in Hz). */
export function allPoleResponse(a: ArrayLike<number>, gain: number, hz: number, sampleRate: number): number {
  const w = (2 * Math.PI * hz) / sampleRate;
  let re = 0, im = 0;
  for (let k = 0; k < a.length; k++) {
    re += a[k] * Math.cos(w * k);
    im -= a[k] * Math.sin(w * k);
  }
  return (gain * gain) / (re * re + im * im);
}

/**
 * F0 per frame (Hz; 0 = unvoiced) at centres 0, hop, 2·hop, … — the maximum
 * of the normalized cross-correlation over the lags of F0_MIN…F0_MAX, taking
 * the shortest lag within 85 % of the best (a period's multiples correlate
 * too: that avoids halving F0). Voiced when the correlation is ≥ 0.4 and the
 * frame within 45 dB of the loudest (espeak-ng's gliding F0 keeps vowels near 0.4–0.6 in a 25 ms window; fricatives stay under 0.3); single voiced frames are dropped and the
 * track is median-filtered over 5 voiced frames.
 *
 * Why track F0 rather than use the pitch asked of espeak-ng: `-p` is a 0–99
 * base-pitch knob, not Hz — the variant sets its range, the intonation moves
 * F0 through the word, and the dataset's vocal-tract warp (sox speed) scales
 * it again; only the take itself knows its F0 frame by frame, and the tracker
 * also gives the voiced/unvoiced decision the excitation needs.
 */
export function trackPitch(x: Float32Array, sampleRate: number, hop: number): Float32Array {
  const frames = Math.floor((x.length - 1) / hop) + 1;
  const minLag = Math.max(2, Math.floor(sampleRate / F0_MAX));
  const maxLag = Math.ceil(sampleRate / F0_MIN);
  const win = Math.round(0.025 * sampleRate); // 25 ms compared with itself one lag later
  const f0 = new Float32Array(frames);
  const energy = new Float64Array(frames);
  let peak = 0;
  for (let f = 0; f < frames; f++) {
    const s = Math.max(0, Math.min(x.length - win, f * hop - (win >> 1)));
    let e = 0;
    for (let i = s; i < Math.min(x.length, s + win); i++) e += x[i] * x[i];
    energy[f] = e;
    if (e > peak) peak = e;
  }
  const floor = peak * 10 ** (-45 / 10);
  const c = new Float64Array(maxLag + 1);
  for (let f = 0; f < frames; f++) {
    if (!(energy[f] > floor) || energy[f] <= 0) continue;
    const s = Math.max(0, f * hop - (win >> 1));
    const n = Math.min(win, x.length - s - maxLag);
    if (n < win >> 1) continue;
    let e0 = 0;
    for (let i = 0; i < n; i++) e0 += x[s + i] * x[s + i];
    // eL slides: energy of x[s+L, s+L+n)
    let eL = 0;
    for (let i = 0; i < n; i++) eL += x[s + minLag + i] * x[s + minLag + i];
    let best = 0;
    for (let L = minLag; L <= maxLag; L++) {
      if (L > minLag) {
        const out = x[s + L - 1], inn = x[s + L + n - 1];
        eL += inn * inn - out * out;
      }
      let xy = 0;
      for (let i = 0; i < n; i++) xy += x[s + i] * x[s + L + i];
      const d = Math.sqrt(e0 * Math.max(eL, 0));
      c[L] = d > 0 ? xy / d : 0;
      if (c[L] > best) best = c[L];
    }
    if (best < 0.4) continue;
    for (let L = minLag; L <= maxLag; L++) {
      const isPeak = (L === minLag || c[L] >= c[L - 1]) && (L === maxLag || c[L] >= c[L + 1]);
      if (isPeak && c[L] >= 0.85 * best) {
        // parabolic refinement of the lag
        let lag = L;
        if (L > minLag && L < maxLag) {
          const den = c[L - 1] - 2 * c[L] + c[L + 1];
          if (den < 0) lag = L + (0.5 * (c[L - 1] - c[L + 1])) / den;
        }
        f0[f] = sampleRate / lag;
        break;
      }
    }
  }
  // no isolated voiced frames
  for (let f = 0; f < frames; f++) if (f0[f] > 0 && !(f > 0 && f0[f - 1] > 0) && !(f + 1 < frames && f0[f + 1] > 0)) f0[f] = 0;
  // median of the voiced frames within ±2 (removes single octave jumps)
  const out = new Float32Array(frames);
  const w: number[] = [];
  for (let f = 0; f < frames; f++) {
    if (!(f0[f] > 0)) continue;
    w.length = 0;
    for (let g = Math.max(0, f - 2); g <= Math.min(frames - 1, f + 2); g++) if (f0[g] > 0) w.push(f0[g]);
    w.sort((p, q) => p - q);
    out[f] = w[w.length >> 1];
  }
  return out;
}

/** A Gaussian lag window (bandwidth `bwHz`): widens each LPC pole a little, so a formant fit never locks onto one harmonic. */
function lagWindow(order: number, bwHz: number, sampleRate: number): Float64Array {
  const w = new Float64Array(order + 1);
  for (let k = 0; k <= order; k++) w[k] = Math.exp(-0.5 * ((2 * Math.PI * bwHz * k) / sampleRate) ** 2);
  return w;
}

export interface VocoderAnalysis {
  hop: number;
  /** per frame: the predictor (order+1 values a frame, a[0] = 1) */
  a: Float64Array[];
  /** per frame: excitation gain (RMS of the residual per sample) */
  gain: Float64Array;
  /** per frame: F0 in Hz, 0 unvoiced */
  f0: Float32Array;
}

/** The vocoder's analysis half: envelope, gain and F0 per hop. */
export function analyse(x: Float32Array, sampleRate: number, p: VocoderParams = DEFAULT_VOCODER): VocoderAnalysis {
  checkParams(p);
  const hop = Math.max(1, Math.round((p.hopMs * sampleRate) / 1000));
  const len = Math.max(p.order + 2, Math.round((p.frameMs * sampleRate) / 1000));
  const frames = Math.floor((x.length - 1) / hop) + 1;
  const pre = new Float32Array(x.length);
  for (let i = 0; i < x.length; i++) pre[i] = x[i] - (i > 0 ? PRE_EMPHASIS * x[i - 1] : 0);
  const hann = new Float64Array(len);
  let sumW2 = 0;
  for (let i = 0; i < len; i++) {
    hann[i] = 0.5 - 0.5 * Math.cos((2 * Math.PI * (i + 0.5)) / len);
    sumW2 += hann[i] * hann[i];
  }
  const lw = lagWindow(p.order, 60, sampleRate);
  const buf = new Float64Array(len);
  // per frame: r normalized by r[0] (the envelope's shape) and r[0] (its power)
  const shape: Float64Array[] = [];
  const power = new Float64Array(frames);
  for (let f = 0; f < frames; f++) {
    const s = f * hop - (len >> 1);
    for (let i = 0; i < len; i++) {
      const j = s + i;
      buf[i] = j >= 0 && j < pre.length ? pre[j] * hann[i] : 0;
    }
    const r = autocorrelation(buf, p.order);
    power[f] = r[0] / sumW2;
    const n = new Float64Array(p.order + 1);
    if (r[0] > 0) {
      for (let k = 0; k <= p.order; k++) n[k] = (r[k] / r[0]) * lw[k];
      n[0] = 1.0001; // white-noise correction (−40 dB): a well-conditioned, stable fit
    } else n[0] = 1;
    shape.push(n);
  }
  const a: Float64Array[] = [];
  const gain = new Float64Array(frames);
  const sm = new Float64Array(p.order + 1);
  for (let f = 0; f < frames; f++) {
    // smoothing: a power-weighted mean of the neighbours' normalized autocorrelations (still a valid
    // autocorrelation, so the filter stays stable) — a trajectory smoothed over time, as HMM voices make
    sm.fill(0);
    let wsum = 0;
    for (let g = Math.max(0, f - p.smoothFrames); g <= Math.min(frames - 1, f + p.smoothFrames); g++) {
      const wg = g === f ? Math.max(power[g], 1e-20) : power[g];
      for (let k = 0; k <= p.order; k++) sm[k] += wg * shape[g][k];
      wsum += wg;
    }
    for (let k = 0; k <= p.order; k++) sm[k] /= wsum;
    const l = levinson(sm, p.order);
    a.push(l.a);
    // the residual power of this frame through the (smoothed) predictor: aᵀ R_f a, R_f this frame's own autocorrelation
    const rf = shape[f];
    let e = 0;
    for (let i = 0; i <= p.order; i++) for (let k = 0; k <= p.order; k++) e += l.a[i] * l.a[k] * rf[Math.abs(i - k)];
    gain[f] = Math.sqrt(Math.max(0, power[f] * e));
  }
  return { hop, a, gain, f0: trackPitch(x, sampleRate, hop) };
}

/** The synthesis half: pulse train (voiced) or noise (unvoiced) through 1/A(z), then de-emphasis. */
export function synthesize(an: VocoderAnalysis, length: number, sampleRate: number, p: VocoderParams = DEFAULT_VOCODER): Float32Array {
  const rng = new Random(p.seed);
  const order = an.a[0]?.length ? an.a[0].length - 1 : 0;
  const mem = new Float64Array(Math.max(1, order)); // mem[j] = y[n−1−j]
  const out = new Float32Array(length);
  const frames = an.gain.length;
  const noiseAmp = Math.sqrt(p.noiseMix), pulseShare = Math.sqrt(1 - p.noiseMix);
  let phase = 1; // ≥ 1: a pulse is due
  let de = 0;
  for (let n = 0; n < length; n++) {
    const pos = n / an.hop;
    const f = Math.min(frames - 1, Math.round(pos));
    const f1 = Math.min(frames - 1, Math.floor(pos)), f2 = Math.min(frames - 1, f1 + 1), t = pos - f1;
    const g = an.gain[f1] * (1 - t) + an.gain[f2] * t;
    const v1 = an.f0[f1], v2 = an.f0[f2];
    const hz = an.f0[f] > 0 ? (v1 > 0 && v2 > 0 ? v1 * (1 - t) + v2 * t : an.f0[f]) : 0;
    let e: number;
    if (hz > 0) {
      let pulse = 0;
      if (phase >= 1) {
        pulse = Math.sqrt(sampleRate / hz); // unit power over a period
        phase -= Math.floor(phase);
      }
      phase += hz / sampleRate;
      e = pulseShare * pulse + (noiseAmp > 0 ? noiseAmp * rng.normal() : 0);
    } else {
      phase = 1; // the next voiced run starts with a pulse
      e = rng.normal();
    }
    const a = an.a[f];
    let y = g * e;
    for (let k = 1; k <= order; k++) y -= a[k] * mem[k - 1];
    for (let j = order - 1; j >= 1; j--) mem[j] = mem[j - 1];
    mem[0] = y;
    de = y + PRE_EMPHASIS * de;
    out[n] = de;
  }
  return out;
}

/**
 * Analysis + resynthesis of a take, at the input's RMS. Returns the input
 * unchanged when it is silent; throws if the output is not finite (cannot
 * happen with a stable filter — a guard for the dataset).
 */
export function vocode(x: Float32Array, sampleRate: number, p: VocoderParams = DEFAULT_VOCODER): Float32Array {
  let ms = 0;
  for (let i = 0; i < x.length; i++) ms += x[i] * x[i];
  if (!(ms > 0)) return Float32Array.from(x);
  const y = synthesize(analyse(x, sampleRate, p), x.length, sampleRate, p);
  let my = 0;
  for (let i = 0; i < y.length; i++) my += y[i] * y[i];
  if (!Number.isFinite(my)) throw new RangeError('vocoder: the resynthesis is not finite');
  const s = my > 0 ? Math.sqrt(ms / my) : 0;
  for (let i = 0; i < y.length; i++) y[i] *= s;
  return y;
}

function checkParams(p: VocoderParams): void {
  const bad = (name: string, v: number, lo: number, hi: number): void => {
    if (!(Number.isFinite(v) && v >= lo && v <= hi)) throw new RangeError(`vocoder: ${name} must be from ${lo} to ${hi}, not ${v}`);
  };
  bad('order', p.order, 1, 64);
  if (!Number.isInteger(p.order) || !Number.isInteger(p.smoothFrames)) throw new RangeError('vocoder: order and smoothFrames are whole numbers');
  bad('frameMs', p.frameMs, 5, 60);
  bad('hopMs', p.hopMs, 1, 30);
  bad('smoothFrames', p.smoothFrames, 0, 10);
  bad('noiseMix', p.noiseMix, 0, 1);
}
