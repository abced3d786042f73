/**
 * Calibration frames for an imported network: real sensor data through the
 * very encoder the live app uses (ModelInputEncoder with the inherited card's
 * encoding), so the converter calibrates its activation ranges on the tensors
 * the model will see live. DVS: the bundled demo recordings; audio: a few
 * words synthesized with espeak-ng.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { InputEncoding } from '../../../src-engine/models/card';
import { ModelInputEncoder, type ModelFrame } from '../../../src-engine/models/encoder';
import { readWav } from '../../../src-engine/sources/cochlea/wav';
import { openEventFile } from '../../../src-engine/node/open-file';
import { synthesizeSpeech } from '../../media/speech';

export const CALIBRATION_WORDS = ['yes', 'no', 'up', 'down', 'left', 'right', 'on', 'off', 'stop', 'go'];

/** Frames with at least one event (an empty window teaches the ranges nothing), at most `maxFrames`, spread over the sources. */
export async function encodeCalibrationFrames(
  encoding: InputEncoding,
  resourcesDir: string,
  maxFrames: number,
  onProgress: (done: number, total: number) => void,
): Promise<Uint8Array[]> {
  const perSource: Uint8Array[][] = [];
  const keep = (frames: ModelFrame[], into: Uint8Array[]) => {
    for (const f of frames) if (f.events > 0) into.push(f.data);
  };
  if (encoding.sensor === 'dvs') {
    const dir = join(resourcesDir, 'demo');
    let files: string[] = [];
    try {
      files = readdirSync(dir).filter((n) => /\.(aedat4|aedat|raw|dat|npy|h5|hdf5|es|bin|evt)$/i.test(n)).sort();
    } catch {
      files = [];
    }
    if (files.length === 0) throw new Error(`no demo recordings in ${dir} to calibrate with`);
    for (let i = 0; i < files.length; i++) {
      const stream = await openEventFile(join(dir, files[i]));
      const enc = new ModelInputEncoder(encoding, { eventGeometry: { width: stream.info.width, height: stream.info.height } });
      const got: Uint8Array[] = [];
      for await (const b of stream) {
        keep(enc.pushEvents(b), got);
        if (got.length >= maxFrames) break;
      }
      keep(enc.flush(), got);
      perSource.push(got);
      onProgress(i + 1, files.length);
    }
  } else {
    for (let i = 0; i < CALIBRATION_WORDS.length; i++) {
      let wav: Uint8Array;
      try {
        wav = await synthesizeSpeech({ text: CALIBRATION_WORDS[i], synth: 'espeak-ng' });
      } catch (e) {
        throw new Error(`audio calibration needs synthesized speech, which failed: ${(e as Error).message.split('\n')[0]}`);
      }
      const a = readWav(wav);
      const enc = new ModelInputEncoder(encoding);
      // half a second of silence either side, so the word sits inside whole windows
      const pad = new Float32Array(Math.round(a.sampleRate / 2));
      enc.pushAudio(pad, a.sampleRate, 0);
      enc.pushAudio(a.samples, a.sampleRate, 500_000);
      enc.pushAudio(pad, a.sampleRate, 500_000 + Math.round((a.samples.length / a.sampleRate) * 1e6));
      const got: Uint8Array[] = [];
      keep(enc.takeFrames(), got);
      keep(enc.flush(), got);
      perSource.push(got);
      onProgress(i + 1, CALIBRATION_WORDS.length);
    }
  }
  // round-robin over the sources, so every recording / word is represented
  const out: Uint8Array[] = [];
  for (let k = 0; out.length < maxFrames; k++) {
    let any = false;
    for (const s of perSource) {
      if (k < s.length && out.length < maxFrames) {
        out.push(s[k]);
        any = true;
      }
    }
    if (!any) break;
  }
  if (out.length === 0) throw new Error('the calibration data made no non-empty frames');
  return out;
}
