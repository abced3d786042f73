// Sensor-encoder benchmarks: the DVS emulator on 640×480 frames with moving
// content (target: 30 frames/s live on one core), and the cochlea's real-time
// factor (seconds of 16 kHz audio per second of compute, 64 channels).
import type { BenchRow } from './event-core';
import { DvsEmulator } from '../src-engine/sources/dvs-emulator/emulator';
import type { DvsPreset } from '../src-engine/sources/dvs-emulator/params';
import { Cochlea } from '../src-engine/sources/cochlea/cochlea';

const W = 640, H = 480, FRAME_US = 33_333;

/**
 * `count` frames of a scene in motion: a diagonal sine grating drifting 3 px
 * per frame, a bright disc crossing the image and a slowly dimming corner, so
 * every frame has edges moving at several speeds (tens of thousands of events).
 */
export function movingScene(count: number, w = W, h = H): Uint8Array[] {
  const frames: Uint8Array[] = [];
  for (let k = 0; k < count; k++) {
    const f = new Uint8Array(w * h);
    const cx = (k * 11) % w, cy = h / 2 + (h / 4) * Math.sin(k / 7);
    const r2 = 60 * 60;
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        let v = 110 + 70 * Math.sin(((x + y) * 2 * Math.PI) / 48 + (k * 3 * 2 * Math.PI) / 48);
        const dx = x - cx, dy = y - cy;
        if (dx * dx + dy * dy < r2) v = 245;
        if (x < w / 4 && y < h / 4) v *= 1 - 0.01 * k;
        f[y * w + x] = v < 0 ? 0 : v > 255 ? 255 : v;
      }
    }
    frames.push(f);
  }
  return frames;
}

function dvsRow(preset: DvsPreset, frames: Uint8Array[], seconds: number): BenchRow {
  const emu = new DvsEmulator({ width: W, height: H, preset, seed: 1 });
  let t = 0, k = 0, events = 0;
  emu.push(frames[k++ % frames.length], t);
  for (let i = 0; i < 10; i++) events += emu.push(frames[k++ % frames.length], (t += FRAME_US)).length; // warm-up
  events = 0;
  let n = 0;
  const t0 = performance.now();
  while (performance.now() - t0 < seconds * 1000) {
    events += emu.push(frames[k++ % frames.length], (t += FRAME_US)).length;
    n++;
  }
  const s = (performance.now() - t0) / 1000;
  return {
    name: `DVS emulator 640×480 (${preset})`,
    value: n / s,
    unit: 'frames/s',
    target: 30,
    note: `${Math.round(events / n / 1000)} k events/frame, ${((s / n) * 1000).toFixed(1)} ms/frame`,
  };
}

/** Speech-like test audio: a gliding harmonic tone with a 4 Hz syllable envelope and a little noise. */
export function speechLikeAudio(seconds: number, sampleRate = 16000): Float32Array {
  const n = Math.round(seconds * sampleRate);
  const pcm = new Float32Array(n);
  let phase = 0, seed = 12345;
  for (let i = 0; i < n; i++) {
    const t = i / sampleRate;
    const f0 = 140 + 40 * Math.sin(2 * Math.PI * 0.7 * t);
    phase += (2 * Math.PI * f0) / sampleRate;
    let v = 0;
    for (let h = 1; h <= 12; h++) v += Math.sin(h * phase) / h;
    const env = 0.5 * (1 - Math.cos(2 * Math.PI * 4 * t));
    seed = (Math.imul(seed, 1103515245) + 12345) | 0;
    pcm[i] = 0.2 * env * v + 0.003 * (seed / 2 ** 31);
  }
  return pcm;
}

/** The cochlea on 10 ms chunks; `adaptive` adds the adaptive floor (6 dB over the background). */
function cochleaRow(seconds: number, adaptive = false): BenchRow {
  const sr = 16000, chunk = 160;
  const audio = speechLikeAudio(10, sr);
  const c = new Cochlea({ sampleRate: sr, channels: 64, ...(adaptive ? { noiseMarginDb: 6 } : {}) });
  let events = 0, pushed = 0, t = 0;
  const t0 = performance.now();
  while (performance.now() - t0 < seconds * 1000) {
    for (let i = 0; i + chunk <= audio.length; i += chunk) {
      events += c.push(audio.subarray(i, i + chunk), t).length;
      t += (chunk * 1e6) / sr;
      pushed += chunk;
    }
  }
  const s = (performance.now() - t0) / 1000;
  const audioS = pushed / sr;
  return {
    name: `cochlea 16 kHz, 64 channels (10 ms chunks${adaptive ? ', adaptive floor' : ''})`,
    value: audioS / s,
    unit: '× real time',
    target: 1,
    note: `${Math.round(events / audioS)} events/s of audio`,
  };
}

export async function encodersBench(quick = false): Promise<BenchRow[]> {
  const frames = movingScene(48);
  const secs = quick ? 2 : 5;
  return [dvsRow('clean', frames, secs), dvsRow('noisy', frames, secs), cochleaRow(quick ? 1 : 3), cochleaRow(quick ? 1 : 3, true)];
}

// `npx tsx bench/encoders.ts` runs this section alone.
if (import.meta.url === `file://${process.argv[1]}`) {
  for (const r of await encodersBench(process.argv.includes('--quick'))) console.log(`${r.name.padEnd(44)} ${r.value.toFixed(1)} ${r.unit}  ${r.note ?? ''}`);
}
