// The cochlea's band-pass filter bank: mel-spaced centres, each channel two
// identical 2nd-order resonators in cascade (a 4th-order band-pass, the
// IIR shape of an all-pole gammatone approximation), streaming: the filter
// state lives here and carries across calls.
//
// Why resonators, not an FFT: an FFT bank works on frames and smears onsets
// over a window; a per-sample IIR has no frame boundary, so timestamps keep
// sample resolution and any chunking of the same PCM gives the same output.
// Why two in cascade: one resonator's skirts fall at 6 dB/octave, so a loud
// low tone would leak into every high channel; the cascade falls at 12 and
// keeps neighbours apart (at a centre, the neighbour is 7.6–12 dB down).
//
// Bandwidth: the cascade's −3 dB bandwidth equals the spacing of neighbouring
// centres (in Hz, at the centre), so adjacent channels cross at −3 dB and the
// bank tiles fMin…fMax like a mel spectrogram's triangles do.

export function hzToMel(f: number): number {
  return 2595 * Math.log10(1 + f / 700);
}

export function melToHz(m: number): number {
  return 700 * (10 ** (m / 2595) - 1);
}

/** `channels` centre frequencies equally spaced on the mel scale from fMin to fMax inclusive, ascending. */
export function melCentres(channels: number, fMin: number, fMax: number): Float64Array {
  const out = new Float64Array(channels);
  const m0 = hzToMel(fMin), m1 = hzToMel(fMax);
  for (let c = 0; c < channels; c++) out[c] = melToHz(channels === 1 ? (m0 + m1) / 2 : m0 + ((m1 - m0) * c) / (channels - 1));
  return out;
}

/** For two equal resonators in cascade, the −3 dB bandwidth is √(√2 − 1) ≈ 0.644 of one resonator's. */
const CASCADE_NARROWING = Math.sqrt(Math.SQRT2 - 1);

export class FilterBank {
  readonly centresHz: Float64Array;
  /** −3 dB bandwidth of each channel's cascade, Hz */
  readonly bandwidthsHz: Float64Array;
  readonly channels: number;
  // per channel: b0 (b1 = 0, b2 = −b0), a1, a2 of the normalised resonator
  private readonly b0: Float64Array;
  private readonly a1: Float64Array;
  private readonly a2: Float64Array;
  /** transposed direct form II state: 2 per resonator, 4 per channel */
  private readonly state: Float64Array;

  constructor(sampleRate: number, channels: number, fMin: number, fMax: number) {
    this.channels = channels;
    this.centresHz = melCentres(channels, fMin, fMax);
    this.bandwidthsHz = new Float64Array(channels);
    this.b0 = new Float64Array(channels);
    this.a1 = new Float64Array(channels);
    this.a2 = new Float64Array(channels);
    this.state = new Float64Array(channels * 4);
    const melStep = channels > 1 ? (hzToMel(fMax) - hzToMel(fMin)) / (channels - 1) : hzToMel(fMax) - hzToMel(fMin);
    for (let c = 0; c < channels; c++) {
      const fc = this.centresHz[c];
      // d(Hz)/d(mel) at fc times the mel step: the local spacing of centres in Hz
      const spacing = (melStep * (700 + fc) * Math.LN10) / 2595;
      this.bandwidthsHz[c] = spacing;
      // one resonator's bandwidth B, as band edges f1·f2 = fc², f2 − f1 = B, in octaves
      const B = spacing / CASCADE_NARROWING;
      const f2 = B / 2 + Math.sqrt((B * B) / 4 + fc * fc);
      const octaves = Math.log2(f2 / (f2 - B));
      // RBJ band-pass (0 dB peak) from a bandwidth in octaves, with the bilinear-warp correction
      // w0/sin(w0): without it the high channels come out far narrower than designed.
      // H(z) = α(1 − z⁻²) / ((1 + α) − 2cos w0 z⁻¹ + (1 − α) z⁻²)
      const w0 = (2 * Math.PI * fc) / sampleRate;
      const alpha = Math.sin(w0) * Math.sinh(((Math.LN2 / 2) * octaves * w0) / Math.sin(w0));
      const a0 = 1 + alpha;
      this.b0[c] = alpha / a0;
      this.a1[c] = (-2 * Math.cos(w0)) / a0;
      this.a2[c] = (1 - alpha) / a0;
    }
  }

  /** Filters x[0…n) through channel c into out[0…n), carrying the channel's state. */
  filter(c: number, x: Float32Array, n: number, out: Float64Array): void {
    const b0 = this.b0[c], a1 = this.a1[c], a2 = this.a2[c], st = this.state, k = c * 4;
    let s1 = st[k], s2 = st[k + 1], u1 = st[k + 2], u2 = st[k + 3];
    for (let i = 0; i < n; i++) {
      const xi = x[i];
      const y = b0 * xi + s1;
      s1 = s2 - a1 * y;
      s2 = -b0 * xi - a2 * y;
      const z = b0 * y + u1;
      u1 = u2 - a1 * z;
      u2 = -b0 * y - a2 * z;
      out[i] = z;
    }
    st[k] = s1;
    st[k + 1] = s2;
    st[k + 2] = u1;
    st[k + 3] = u2;
  }

  /** Power gain |H(f)|² of channel c's cascade at frequency f (for tests and docs). */
  gain(c: number, f: number, sampleRate: number): number {
    const w = (2 * Math.PI * f) / sampleRate;
    // numerator b0(1 − e^{−2jw}), denominator 1 + a1 e^{−jw} + a2 e^{−2jw}
    const nr = this.b0[c] * (1 - Math.cos(2 * w)), ni = this.b0[c] * Math.sin(2 * w);
    const dr = 1 + this.a1[c] * Math.cos(w) + this.a2[c] * Math.cos(2 * w);
    const di = -this.a1[c] * Math.sin(w) - this.a2[c] * Math.sin(2 * w);
    const one = (nr * nr + ni * ni) / (dr * dr + di * di);
    return one * one;
  }

  reset(): void {
    this.state.fill(0);
  }
}
