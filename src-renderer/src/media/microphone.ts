/** Microphone → float32 PCM chunks for the main process's cochlea, via an AudioWorklet. */
import type { NeuroliveApi } from '../../../src-main/ipc/contract';
// no-inline: a data: URL would break the CSP (script-src 'self'); a same-origin asset file is allowed
import workletUrl from './pcm-worklet.js?url&no-inline';
import type { MediaPump } from './webcam';

export async function startMicrophone(api: NeuroliveApi): Promise<MediaPump> {
  const stream = await navigator.mediaDevices.getUserMedia({
    audio: { echoCancellation: false, noiseSuppression: false, autoGainControl: false, channelCount: 1 },
    video: false,
  });
  const ctx = new AudioContext();
  await ctx.audioWorklet.addModule(workletUrl);
  const input = ctx.createMediaStreamSource(stream);
  const tap = new AudioWorkletNode(ctx, 'pcm-tap', { numberOfInputs: 1, numberOfOutputs: 0, channelCount: 1, channelCountMode: 'explicit' });
  let sent = 0;
  let samples = 0;
  tap.port.onmessage = (e: MessageEvent<Float32Array>) => {
    const pcm = e.data;
    api.send('audio', { timestampUs: Math.round((samples / ctx.sampleRate) * 1e6), sampleRate: ctx.sampleRate, pcm });
    samples += pcm.length;
    sent++;
  };
  input.connect(tap);
  if (ctx.state === 'suspended') await ctx.resume();
  return {
    stop() {
      tap.port.onmessage = null;
      input.disconnect();
      stream.getTracks().forEach((t) => t.stop());
      void ctx.close();
    },
    get sent() {
      return sent;
    },
  };
}
