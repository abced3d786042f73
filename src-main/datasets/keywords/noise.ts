// Background sounds for the keyword clips: white, pink and brown noise from
// sox's `synth` (repeatable: -R seeds its generator, so the same file on every
// run) and a mains hum with harmonics made here. Each is a long loop the mixer
// reads from a random offset, normalised to RMS 1.
import { existsSync } from 'node:fs';
import { mkdir, readFile, rename } from 'node:fs/promises';
import { join } from 'node:path';
import { readWav } from '../../../src-engine/sources/cochlea/wav';
import { runTool, SPEECH_SAMPLE_RATE } from '../../media/speech';

export const NOISE_KINDS = ['white', 'pink', 'brown', 'hum'] as const;
export type NoiseKind = (typeof NOISE_KINDS)[number];

/** Seconds of each noise loop. */
export const NOISE_SECONDS = 20;

export type NoiseBank = Record<NoiseKind, Float32Array>;

function normalise(x: Float32Array): Float32Array {
  let s = 0;
  for (let i = 0; i < x.length; i++) s += x[i] * x[i];
  const g = s > 0 ? 1 / Math.sqrt(s / x.length) : 0;
  for (let i = 0; i < x.length; i++) x[i] *= g;
  return x;
}

/** 50 Hz mains hum: odd-heavy harmonics up to 1 kHz with a slow 0.3 Hz wobble, as a transformer or fan buzzes. */
export function mainsHum(seconds: number, sampleRate = SPEECH_SAMPLE_RATE, f0 = 50): Float32Array {
  const x = new Float32Array(Math.round(seconds * sampleRate));
  for (let k = 1; k * f0 < 1000; k++) {
    const a = (k % 2 ? 1 : 0.4) / k;
    const w = (2 * Math.PI * k * f0) / sampleRate;
    for (let i = 0; i < x.length; i++) x[i] += a * Math.sin(w * i + k);
  }
  const wob = (2 * Math.PI * 0.3) / sampleRate;
  for (let i = 0; i < x.length; i++) x[i] *= 1 + 0.3 * Math.sin(wob * i);
  return normalise(x);
}

async function soxNoise(kind: 'white' | 'pink' | 'brown', dir: string): Promise<Float32Array> {
  const path = join(dir, `${kind}-${NOISE_SECONDS}s-${SPEECH_SAMPLE_RATE}.wav`);
  if (!existsSync(path)) {
    await mkdir(dir, { recursive: true });
    const tmp = `${path}.partial.wav`;
    // -R: sox seeds its noise generator with a fixed value → the same loop every time
    await runTool('sox', ['-R', '-D', '-q', '-n', '-r', String(SPEECH_SAMPLE_RATE), '-c', '1', '-b', '16', tmp, 'synth', String(NOISE_SECONDS), `${kind}noise`, 'vol', '0.5']);
    await rename(tmp, path);
  }
  return normalise(readWav(new Uint8Array(await readFile(path))).samples);
}

/** Loads (making on first use, in `dir`) the noise loops. */
export async function loadNoiseBank(dir: string): Promise<NoiseBank> {
  const [white, pink, brown] = await Promise.all([soxNoise('white', dir), soxNoise('pink', dir), soxNoise('brown', dir)]);
  return { white, pink, brown, hum: mainsHum(NOISE_SECONDS) };
}
