// A small WAV (RIFF) reader: PCM 8/16/24/32-bit integer or 32-bit float,
// any channel count, mixed down to mono Float32 in −1…1. Bytes in, samples
// out; no Node APIs. Malformed files raise WavError naming what is wrong and
// at which byte.

export class WavError extends Error {
  constructor(readonly offset: number, reason: string) {
    super(`WAV: ${reason} (at byte ${offset})`);
    this.name = 'WavError';
  }
}

export interface WavAudio {
  sampleRate: number;
  /** channels in the file (the samples are their mean) */
  channels: number;
  samples: Float32Array;
}

function tag(b: Uint8Array, o: number): string {
  return String.fromCharCode(b[o], b[o + 1], b[o + 2], b[o + 3]);
}

export function readWav(bytes: Uint8Array): WavAudio {
  if (bytes.length < 12 || tag(bytes, 0) !== 'RIFF' || tag(bytes, 8) !== 'WAVE') throw new WavError(0, 'not a RIFF/WAVE file');
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let fmt: { format: number; channels: number; rate: number; bits: number } | null = null;
  let o = 12;
  while (o + 8 <= bytes.length) {
    const id = tag(bytes, o);
    const size = dv.getUint32(o + 4, true);
    const body = o + 8;
    if (id === 'fmt ') {
      if (size < 16 || body + 16 > bytes.length) throw new WavError(o, `fmt chunk of ${size} bytes is too short`);
      let format = dv.getUint16(body, true);
      if (format === 0xfffe && size >= 40) format = dv.getUint16(body + 24, true); // WAVE_FORMAT_EXTENSIBLE: the sub-format
      fmt = { format, channels: dv.getUint16(body + 2, true), rate: dv.getUint32(body + 4, true), bits: dv.getUint16(body + 14, true) };
      if (fmt.channels < 1) throw new WavError(body + 2, 'zero channels');
      if (fmt.rate < 1) throw new WavError(body + 4, 'zero sample rate');
      const ok = (fmt.format === 1 && [8, 16, 24, 32].includes(fmt.bits)) || (fmt.format === 3 && fmt.bits === 32);
      if (!ok) throw new WavError(body, `unsupported sample format ${fmt.format} with ${fmt.bits} bits (PCM 8/16/24/32 or float 32)`);
    } else if (id === 'data') {
      if (!fmt) throw new WavError(o, 'data chunk before the fmt chunk');
      // a streamed WAV may give 0 or 0xffffffff as the size: take what is there
      const end = size === 0 || size === 0xffffffff || body + size > bytes.length ? bytes.length : body + size;
      return { sampleRate: fmt.rate, channels: fmt.channels, samples: decode(dv, body, end, fmt.format, fmt.bits, fmt.channels) };
    }
    o = body + size + (size & 1);
  }
  throw new WavError(o, fmt ? 'no data chunk' : 'no fmt chunk');
}

function decode(dv: DataView, start: number, end: number, format: number, bits: number, channels: number): Float32Array {
  const bytesPer = bits / 8;
  const frame = bytesPer * channels;
  const n = Math.floor((end - start) / frame);
  const out = new Float32Array(n);
  const inv = 1 / channels;
  for (let i = 0, o = start; i < n; i++) {
    let s = 0;
    for (let c = 0; c < channels; c++, o += bytesPer) {
      if (format === 3) s += dv.getFloat32(o, true);
      else if (bits === 16) s += dv.getInt16(o, true) / 32768;
      else if (bits === 8) s += (dv.getUint8(o) - 128) / 128;
      else if (bits === 24) s += ((dv.getUint8(o) | (dv.getUint8(o + 1) << 8) | (dv.getInt8(o + 2) << 16)) / 8388608);
      else s += dv.getInt32(o, true) / 2147483648;
    }
    out[i] = s * inv;
  }
  return out;
}
