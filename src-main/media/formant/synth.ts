// A rule-based formant synthesizer in the tradition of Klatt (1980): phones
// from the lexicon become parameter tracks every 5 ms (formants, voicing,
// aspiration, frication), which drive a glottal pulse source and aspiration
// noise through a cascade of five resonators, plus frication noise through a
// parallel resonator. It exists to add a kind of speech no installed
// synthesizer makes (a third training synthesizer for the keyword dataset,
// every speaker with its own vocal tract and accent); its speech is crude, not
// for listening.
import { Random } from '../../../src-engine/sources/random';
import { pronounce } from './lexicon';
import { isVowel, type Phone, PHONES } from './phones';
import type { FormantSpeaker } from './speaker';

export const FORMANT_SAMPLE_RATE = 16000;
const FRAME = 80; // 5 ms
const NYQ_GUARD = 7400;
/** frication noise against the voicing source's level (an /s/ ends up ~15 dB under its vowel) */
const FRICATION_LEVEL = 0.035;

export interface FormantTake {
  word: string;
  speaker: FormantSpeaker;
  /** mean F0 of this take, Hz (default the speaker's) */
  f0?: number;
  /** duration factor of this take (> 1 slower) */
  stretch?: number;
  /** seeds the take's own variation (durations, jitter, noise) */
  seed: number;
}

interface Seg {
  phone: Phone;
  name: string;
  frames: number;
  /** index of the next segment's phone (for stops' bursts and aspiration) */
  next: Phone | null;
  nextName: string | null;
  final: boolean;
}

/** Per-frame parameter tracks. */
interface Tracks {
  n: number;
  f: [Float32Array, Float32Array, Float32Array];
  bwScale: Float32Array;
  av: Float32Array;
  ah: Float32Array;
  af: Float32Array;
  fhz: Float32Array;
  fbw: Float32Array;
}

function formantsOf(sp: FormantSpeaker, name: string, p: Phone, which: 'f' | 'to' = 'f'): [number, number, number] {
  const t = (which === 'to' && p.to) || p.f;
  const a = sp.accent[name] ?? [1, 1, 1];
  return [t[0] * a[0] * sp.tract, t[1] * a[1] * sp.tract, Math.min(t[2] * a[2] * sp.tract, NYQ_GUARD - 1500)];
}

function segments(take: FormantTake, r: Random): Seg[] {
  const variants = pronounce(take.word);
  const names = variants[take.speaker.variant % variants.length];
  const phones = names.map((n) => {
    const p = PHONES[n];
    if (!p) throw new RangeError(`formant synthesizer: unknown phone ${n}`);
    return p;
  });
  const lastVowel = phones.reduce((k, p, i) => (isVowel(p) ? i : k), -1);
  const stretch = (take.stretch ?? 1) * take.speaker.rate;
  return phones.map((p, i) => {
    let ms = p.ms * stretch * (1 + Math.max(-0.3, Math.min(0.3, 0.12 * r.normal())));
    const next = phones[i + 1] ?? null;
    // English vowels are longer before voiced consonants, shorter before voiceless ones
    if (isVowel(p) && next && !isVowel(next)) ms *= next.voiced ? 1.15 : 0.85;
    if (i >= lastVowel) ms *= 1.25; // final lengthening
    return { phone: p, name: names[i], frames: Math.max(3, Math.round((ms * FORMANT_SAMPLE_RATE) / 1000 / FRAME)), next, nextName: names[i + 1] ?? null, final: i === phones.length - 1 };
  });
}

function buildTracks(take: FormantTake, segs: Seg[], r: Random): Tracks {
  const sp = take.speaker;
  const lead = 10, tail = 12; // 50 / 60 ms of silence around the word
  const n = lead + tail + segs.reduce((s, g) => s + g.frames, 0);
  const t: Tracks = { n, f: [new Float32Array(n), new Float32Array(n), new Float32Array(n)], bwScale: new Float32Array(n).fill(1), av: new Float32Array(n), ah: new Float32Array(n), af: new Float32Array(n), fhz: new Float32Array(n).fill(3000), fbw: new Float32Array(n).fill(2000) };
  const first = formantsOf(sp, segs[0].name, segs[0].phone);
  for (let k = 0; k < lead; k++) for (let j = 0; j < 3; j++) t.f[j][k] = first[j];
  let at = lead;
  const set = (k: number, f: readonly number[]): void => {
    for (let j = 0; j < 3; j++) t.f[j][k] = f[j];
  };
  for (const g of segs) {
    const p = g.phone, F = formantsOf(sp, g.name, p);
    const nextF = g.next && g.nextName ? formantsOf(sp, g.nextName, g.next) : F;
    const noiseHz = (hz: number): number => Math.min(hz * sp.tract, NYQ_GUARD);
    for (let k = 0; k < g.frames; k++) {
      const i = at + k, u = k / g.frames;
      set(i, F);
      switch (p.kind) {
        case 'vowel':
          t.av[i] = 1;
          break;
        case 'diphthong': {
          const G = formantsOf(sp, g.name, p, 'to'), w = Math.max(0, (u - 0.3) / 0.7);
          set(i, [F[0] + (G[0] - F[0]) * w, F[1] + (G[1] - F[1]) * w, F[2] + (G[2] - F[2]) * w]);
          t.av[i] = 1;
          break;
        }
        case 'glide':
          t.av[i] = 0.6;
          break;
        case 'nasal':
          t.av[i] = 0.45;
          t.bwScale[i] = 2.2;
          break;
        case 'aspirate':
          set(i, nextF);
          t.ah[i] = 0.35;
          break;
        case 'fricative':
          t.av[i] = p.voiced ? 0.3 : 0;
          t.af[i] = p.noise!.gain;
          t.fhz[i] = noiseHz(p.noise!.hz);
          t.fbw[i] = p.noise!.bw;
          break;
        case 'affricate':
          if (u >= 0.4) {
            t.af[i] = p.noise!.gain;
            t.fhz[i] = noiseHz(p.noise!.hz);
            t.fbw[i] = p.noise!.bw;
            t.av[i] = p.voiced ? 0.25 : 0;
          } else t.av[i] = p.voiced ? 0.06 : 0;
          break;
        case 'stop': {
          // closure, a burst of 2–3 frames at the end, then (voiceless, before a vowel) aspiration
          const released = !g.final || r.uniform() >= sp.unreleased;
          const burstAt = g.frames - 3;
          if (k < burstAt || !released) t.av[i] = p.voiced ? 0.06 : 0;
          else {
            t.af[i] = p.noise!.gain * 1.6;
            // a velar's burst sits near the next vowel's F2
            t.fhz[i] = g.name === 'K' || g.name === 'G' ? Math.min(nextF[1] * 1.05, NYQ_GUARD) : noiseHz(p.noise!.hz);
            t.fbw[i] = p.noise!.bw;
          }
          break;
        }
      }
    }
    at += g.frames;
    // voiceless stops release into 40–60 ms of aspiration through the next vowel's formants
    if (g.phone.kind === 'stop' && !g.phone.voiced && g.next && isVowel(g.next)) {
      const asp = Math.round(8 + 4 * r.uniform());
      for (let k = 0; k < asp && at + k < n - tail; k++) t.ah[at + k] = Math.max(t.ah[at + k], 0.3 * (1 - k / asp));
      // the vowel's voicing starts after the aspiration
      for (let k = 0; k < asp && at + k < n - tail; k++) t.av[at + k] *= k / asp;
    }
  }
  const lastF = [t.f[0][at - 1], t.f[1][at - 1], t.f[2][at - 1]];
  for (let k = at; k < n; k++) set(k, lastF);
  // coarticulation: formants glide between targets over the speaker's transition time; amplitudes ramp over 10 ms
  const w = Math.max(1, Math.round(sp.transitionMs / 5 / 2));
  for (let j = 0; j < 3; j++) t.f[j] = smooth(t.f[j], w);
  t.av = smooth(t.av, 2);
  t.ah = smooth(t.ah, 1);
  return t;
}

/** Centred moving average of half-width w (edges clamped). */
function smooth(x: Float32Array, w: number): Float32Array {
  const y = new Float32Array(x.length);
  for (let i = 0; i < x.length; i++) {
    let s = 0;
    for (let k = -w; k <= w; k++) s += x[Math.min(x.length - 1, Math.max(0, i + k))];
    y[i] = s / (2 * w + 1);
  }
  return y;
}

/** A two-pole resonator (Klatt's): unity gain at 0 Hz. */
class Resonator {
  a = 1;
  b = 0;
  c = 0;
  y1 = 0;
  y2 = 0;
  set(hz: number, bw: number): void {
    const T = 1 / FORMANT_SAMPLE_RATE;
    this.c = -Math.exp(-2 * Math.PI * bw * T);
    this.b = 2 * Math.exp(-Math.PI * bw * T) * Math.cos(2 * Math.PI * hz * T);
    this.a = 1 - this.b - this.c;
  }
  step(x: number): number {
    const y = this.a * x + this.b * this.y1 + this.c * this.y2;
    this.y2 = this.y1;
    this.y1 = y;
    return y;
  }
}

/** A band-pass biquad with 0 dB at its centre (RBJ's cookbook): frication and bursts. */
class BandPass {
  b0 = 0;
  a1 = 0;
  a2 = 0;
  a0 = 1;
  x1 = 0;
  x2 = 0;
  y1 = 0;
  y2 = 0;
  set(hz: number, bw: number): void {
    const w = (2 * Math.PI * hz) / FORMANT_SAMPLE_RATE;
    const alpha = Math.sin(w) / (2 * Math.max(0.3, hz / bw));
    this.a0 = 1 + alpha;
    this.b0 = alpha / this.a0;
    this.a1 = (-2 * Math.cos(w)) / this.a0;
    this.a2 = (1 - alpha) / this.a0;
  }
  step(x: number): number {
    const y = this.b0 * (x - this.x2) - this.a1 * this.y1 - this.a2 * this.y2;
    this.x2 = this.x1;
    this.x1 = x;
    this.y2 = this.y1;
    this.y1 = y;
    return y;
  }
}

/** Speaks one word; 16 kHz mono samples, peak 0.5. */
export function synthesizeFormantWord(take: FormantTake): Float32Array {
  const sp = take.speaker;
  const r = new Random(take.seed >>> 0 || 1);
  const segs = segments(take, r);
  const t = buildTracks(take, segs, r);
  const out = new Float32Array(t.n * FRAME);
  const bw0 = [60, 90, 150].map((b) => b * sp.bandwidth);
  const cascade = [new Resonator(), new Resonator(), new Resonator(), new Resonator(), new Resonator()];
  cascade[3].set(Math.min(3350 * sp.tract, NYQ_GUARD), 250 * sp.bandwidth);
  cascade[4].set(Math.min(3850 * sp.tract, NYQ_GUARD + 300), 300 * sp.bandwidth);
  const glottal = new Resonator();
  glottal.set(0, sp.tiltHz);
  // two sections: skirts of 12 dB/octave, so an /s/ stays above ~3 kHz
  const fric = [new BandPass(), new BandPass()];
  const f0Mean = take.f0 ?? sp.f0;
  let phase = 1, drift = 0, prev = 0;
  const voicedFrames = t.av.reduce((s, v) => s + (v > 0.2 ? 1 : 0), 0) || 1;
  let voicedSeen = 0;
  for (let k = 0; k < t.n; k++) {
    for (let j = 0; j < 3; j++) cascade[j].set(t.f[j][k], bw0[j] * t.bwScale[k]);
    for (const f of fric) f.set(t.fhz[k], t.fbw[k]);
    if (t.av[k] > 0.2) voicedSeen++;
    // intonation: a small rise, then the fall over the voiced part of the word
    const pos = voicedSeen / voicedFrames;
    const contour = pos < 0.2 ? 1 + 0.05 * (pos / 0.2) : 1.05 - (1.05 - sp.fall) * ((pos - 0.2) / 0.8);
    for (let s = 0; s < FRAME; s++) {
      const i = k * FRAME + s;
      drift += 0.02 * (sp.jitter * (2 * r.uniform() - 1) * 10 - drift);
      const f0 = f0Mean * contour * (1 + drift);
      phase += f0 / FORMANT_SAMPLE_RATE;
      let pulse = 0;
      if (phase >= 1) {
        phase -= 1;
        pulse = 1;
      }
      const noise = 2 * r.uniform() - 1;
      const src = glottal.step(pulse * t.av[k] * 40) + noise * (t.ah[k] + sp.breathiness * t.av[k] * 0.15);
      let y = src;
      for (const res of cascade) y = res.step(y);
      // radiation at the lips: +6 dB/octave
      const rad = y - prev;
      prev = y;
      out[i] = rad + fric[1].step(fric[0].step(noise * t.af[k])) * FRICATION_LEVEL;
    }
  }
  let peak = 0;
  for (let i = 0; i < out.length; i++) peak = Math.max(peak, Math.abs(out[i]));
  if (peak > 0) for (let i = 0; i < out.length; i++) out[i] *= 0.5 / peak;
  return out;
}
