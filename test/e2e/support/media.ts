/**
 * Files for Chromium's fake camera and microphone: a y4m clip of a moving
 * hand (the gesture generator's renderer when present, else a moving blob
 * drawn here) and WAVs of spoken words (espeak-ng / flite through the
 * keyword engineer's src-main/media/speech.ts).
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** a bright disc circling on a dark background, 4:2:0 y4m */
export function writeBlobY4m(path: string, width = 320, height = 240, fps = 30, seconds = 3): void {
  const header = Buffer.from(`YUV4MPEG2 W${width} H${height} F${fps}:1 Ip A1:1 C420jpeg\n`, 'ascii');
  const ySize = width * height;
  const cSize = (width >> 1) * (height >> 1);
  const frames = Math.round(fps * seconds);
  const parts: Buffer[] = [header];
  for (let f = 0; f < frames; f++) {
    const a = (f / frames) * Math.PI * 4;
    const cx = width / 2 + Math.cos(a) * width * 0.3;
    const cy = height / 2 + Math.sin(a) * height * 0.3;
    const r = Math.min(width, height) * 0.12;
    const frame = Buffer.alloc(ySize + 2 * cSize, 128);
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) frame[y * width + x] = Math.hypot(x - cx, y - cy) < r ? 235 : 30;
    }
    parts.push(Buffer.from('FRAME\n', 'ascii'), frame);
  }
  writeFileSync(path, Buffer.concat(parts));
}

/** a gesture clip from the project's generator; falls back to the blob when it is not there */
export async function writeHandY4m(dir: string, gesture = 'right_hand_wave', seconds = 4): Promise<{ path: string; source: 'gesture-generator' | 'blob' }> {
  const path = join(dir, `${gesture}.y4m`);
  try {
    const { writeGestureY4m } = await import('../../../src-main/datasets/gesture/index');
    writeGestureY4m(path, { gesture, seconds, width: 320, height: 240, fps: 30 });
    return { path, source: 'gesture-generator' };
  } catch {
    writeBlobY4m(path, 320, 240, 30, seconds);
    return { path, source: 'blob' };
  }
}

/**
 * A WAV of `text` said `repeat` times with pauses, so that whatever window
 * the app captures while Chromium loops the file has the word in it.
 * Resolves to a reason string when the speech tools are missing.
 */
export async function writeSpeechWav(
  dir: string,
  name: string,
  text: string,
  voice: { synth: 'espeak-ng' | 'flite'; voice?: string; pitch?: number; speed?: number },
  repeat = 3,
): Promise<string | { path: string }> {
  let synth: typeof import('../../../src-main/media/speech').synthesizeSpeech;
  try {
    ({ synthesizeSpeech: synth } = await import('../../../src-main/media/speech'));
  } catch (e) {
    return `src-main/media/speech.ts cannot be loaded: ${(e as Error).message}`;
  }
  let wav: Uint8Array;
  try {
    wav = await synth({ text, ...voice });
  } catch (e) {
    return `speech synthesis failed (${voice.synth}): ${(e as Error).message}`;
  }
  const path = join(dir, `${name}.wav`);
  writeFileSync(path, repeatWav(Buffer.from(wav), repeat, 0.6));
  return { path };
}

/** the same 16-bit PCM WAV repeated with `gapS` seconds of silence after each */
export function repeatWav(wav: Buffer, times: number, gapS: number): Buffer {
  // find the fmt and data chunks (RIFF): the synthesizer's header may carry extra chunks
  let off = 12;
  let channels = 1;
  let rate = 16000;
  let bits = 16;
  let data: Buffer | null = null;
  while (off + 8 <= wav.length) {
    const id = wav.toString('ascii', off, off + 4);
    const size = wav.readUInt32LE(off + 4);
    if (id === 'fmt ') {
      channels = wav.readUInt16LE(off + 10);
      rate = wav.readUInt32LE(off + 12);
      bits = wav.readUInt16LE(off + 22);
    } else if (id === 'data') data = wav.subarray(off + 8, Math.min(wav.length, off + 8 + size));
    off += 8 + size + (size & 1);
  }
  if (!data) throw new Error('WAV has no data chunk');
  const gap = Buffer.alloc(Math.round(gapS * rate) * channels * (bits / 8));
  const body = Buffer.concat(Array.from({ length: times }, () => [data!, gap]).flat());
  const header = Buffer.alloc(44);
  header.write('RIFF', 0, 'ascii');
  header.writeUInt32LE(36 + body.length, 4);
  header.write('WAVE', 8, 'ascii');
  header.write('fmt ', 12, 'ascii');
  header.writeUInt32LE(16, 16);
  header.writeUInt16LE(1, 20);
  header.writeUInt16LE(channels, 22);
  header.writeUInt32LE(rate, 24);
  header.writeUInt32LE(rate * channels * (bits / 8), 28);
  header.writeUInt16LE(channels * (bits / 8), 32);
  header.writeUInt16LE(bits, 34);
  header.write('data', 36, 'ascii');
  header.writeUInt32LE(body.length, 40);
  return Buffer.concat([header, body]);
}
