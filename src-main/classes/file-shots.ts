// Files → model frames with their events, for the CLI (enroll, classify): event
// recordings go through the model's encoder as events (scaled from the file's
// sensor), .wav through the cochlea and .y4m through the DVS emulator — the
// same ModelInputEncoder path the app uses for microphone and webcam.
import { readFile } from 'node:fs/promises';
import { basename, extname } from 'node:path';
import { concatBatches, type EventBatch } from '../../src-engine/events/batch';
import { ModelInputEncoder, type ModelFrame } from '../../src-engine/models/encoder';
import { readY4m } from '../../src-engine/media/y4m';
import { readWav } from '../../src-engine/sources/cochlea/wav';
import { openWithGeometry } from '../cli/open';
import type { LoadedModel } from '../models/load-model';
import type { ShotGeometry } from './class-store';

export interface FileFrames {
  frames: ModelFrame[];
  /** every event the frames were made of (file events, or what the emulator / cochlea made) */
  events: EventBatch;
  geometry: ShotGeometry;
  kind: 'events' | 'audio' | 'video';
}

/** audio chunk fed to the cochlea (20 ms at 16 kHz), like a microphone would */
const AUDIO_CHUNK = 320;

function copyBatch(b: EventBatch): EventBatch {
  return { t: b.t.slice(0, b.length), x: b.x.slice(0, b.length), y: b.y.slice(0, b.length), p: b.p.slice(0, b.length), length: b.length };
}

export async function framesOfFile(loaded: LoadedModel, path: string, label = 'reading'): Promise<FileFrames> {
  const ext = extname(path).toLowerCase();
  const e = loaded.card.input;
  const cardGeometry: ShotGeometry = { sensor: e.sensor, width: e.sensorWidth, height: e.sensorHeight };
  if (ext === '.wav') {
    if (e.sensor !== 'audio') throw new RangeError(`${basename(path)}: model "${loaded.card.name}" listens to a DVS camera, not audio`);
    const wav = readWav(new Uint8Array(await readFile(path)));
    const enc = new ModelInputEncoder(e);
    const batches: EventBatch[] = [];
    for (let i = 0; i < wav.samples.length; i += AUDIO_CHUNK) {
      const chunk = wav.samples.subarray(i, Math.min(wav.samples.length, i + AUDIO_CHUNK));
      batches.push(copyBatch(enc.pushAudio(chunk, wav.sampleRate, Math.round((i * 1e6) / wav.sampleRate))));
    }
    return { frames: enc.flush(), events: concatBatches(batches), geometry: cardGeometry, kind: 'audio' };
  }
  if (ext === '.y4m') {
    if (e.sensor !== 'dvs') throw new RangeError(`${basename(path)}: model "${loaded.card.name}" listens to audio, not video`);
    const { header, frames } = readY4m(new Uint8Array(await readFile(path)), basename(path));
    const enc = new ModelInputEncoder(e);
    const batches: EventBatch[] = [];
    for (const f of frames) batches.push(copyBatch(enc.pushVideo(f.luma, header.width, header.height, f.tUs)));
    return { frames: enc.flush(), events: concatBatches(batches), geometry: cardGeometry, kind: 'video' };
  }
  const { stream, progress, sensor } = await openWithGeometry(path, label);
  const enc = new ModelInputEncoder(e, { eventGeometry: sensor });
  const batches: EventBatch[] = [];
  const out: ModelFrame[] = [];
  for await (const b of stream) {
    batches.push(copyBatch(b));
    out.push(...enc.pushEvents(b));
  }
  out.push(...enc.flush());
  progress.finish();
  return { frames: out, events: concatBatches(batches), geometry: { sensor: e.sensor, width: sensor.width, height: sensor.height }, kind: 'events' };
}
