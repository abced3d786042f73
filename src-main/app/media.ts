/**
 * Shape and size checks for renderer → main media (webcam luma, microphone
 * PCM). Payloads come from an untrusted renderer or a WebSocket, so sizes are
 * bounded before anything allocates; bad payloads are dropped and counted.
 */
import type { AudioChunk, MediaName, VideoFrame } from '../ipc/contract';

export const MAX_VIDEO_SIDE = 1920;
export const MAX_AUDIO_SAMPLES = 48_000; // one second at 48 kHz per chunk
export const MIN_SAMPLE_RATE = 8_000;
export const MAX_SAMPLE_RATE = 192_000;

export type MediaCheck<K extends MediaName> = { ok: true; value: K extends 'video' ? VideoFrame : AudioChunk } | { ok: false; reason: string };

function isObj(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null;
}
function finite(v: unknown): v is number {
  return typeof v === 'number' && Number.isFinite(v);
}

export function checkVideo(v: unknown): { ok: true; value: VideoFrame } | { ok: false; reason: string } {
  if (!isObj(v)) return { ok: false, reason: 'video frame is not an object' };
  const { timestampUs, width, height, luma } = v;
  if (!finite(timestampUs) || timestampUs < 0) return { ok: false, reason: 'video frame: timestampUs must be a non-negative number' };
  if (!Number.isInteger(width) || !Number.isInteger(height)) return { ok: false, reason: 'video frame: width/height must be integers' };
  const w = width as number;
  const h = height as number;
  if (w < 2 || h < 2 || w > MAX_VIDEO_SIDE || h > MAX_VIDEO_SIDE) return { ok: false, reason: `video frame: ${w}×${h} is outside 2…${MAX_VIDEO_SIDE} pixels a side` };
  if (!(luma instanceof Uint8Array)) return { ok: false, reason: 'video frame: luma must be a Uint8Array' };
  if (luma.length !== w * h) return { ok: false, reason: `video frame: luma has ${luma.length} bytes, expected ${w}×${h} = ${w * h}` };
  return { ok: true, value: { timestampUs, width: w, height: h, luma } };
}

export function checkAudio(v: unknown): { ok: true; value: AudioChunk } | { ok: false; reason: string } {
  if (!isObj(v)) return { ok: false, reason: 'audio chunk is not an object' };
  const { timestampUs, sampleRate, pcm } = v;
  if (!finite(timestampUs) || timestampUs < 0) return { ok: false, reason: 'audio chunk: timestampUs must be a non-negative number' };
  if (!finite(sampleRate) || sampleRate < MIN_SAMPLE_RATE || sampleRate > MAX_SAMPLE_RATE) return { ok: false, reason: `audio chunk: sampleRate must be ${MIN_SAMPLE_RATE}–${MAX_SAMPLE_RATE} Hz` };
  if (!(pcm instanceof Float32Array)) return { ok: false, reason: 'audio chunk: pcm must be a Float32Array' };
  if (pcm.length === 0 || pcm.length > MAX_AUDIO_SAMPLES) return { ok: false, reason: `audio chunk: ${pcm.length} samples is outside 1…${MAX_AUDIO_SAMPLES}` };
  return { ok: true, value: { timestampUs, sampleRate, pcm } };
}
