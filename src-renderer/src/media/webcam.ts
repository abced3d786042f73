/**
 * Webcam → luma frames for the main process's DVS emulator. Frames are
 * scaled on a canvas to the sensor size the source asks for, converted to
 * 8-bit luma (BT.601 integer weights) and sent at most `fps` times a second.
 */
import type { NeuroliveApi } from '../../../src-main/ipc/contract';

export interface MediaPump {
  stop(): void;
  /** frames or chunks sent so far */
  readonly sent: number;
}

export async function startWebcam(api: NeuroliveApi, width: number, height: number, fps = 30): Promise<MediaPump> {
  const stream = await navigator.mediaDevices.getUserMedia({ video: { width: { ideal: 640 }, height: { ideal: 480 }, frameRate: { ideal: fps } }, audio: false });
  const video = document.createElement('video');
  video.muted = true;
  video.playsInline = true;
  video.srcObject = stream;
  await video.play();
  const canvas = document.createElement('canvas');
  canvas.width = width;
  canvas.height = height;
  const ctx = canvas.getContext('2d', { willReadFrequently: true });
  if (!ctx) throw new Error('no 2D canvas for the webcam');
  const t0 = performance.now();
  const minGap = 1000 / fps;
  let last = -Infinity;
  let stopped = false;
  let sent = 0;
  let timer = 0;
  const tick = () => {
    if (stopped) return;
    const now = performance.now();
    if (now - last >= minGap - 1 && video.readyState >= 2) {
      last = now;
      ctx.drawImage(video, 0, 0, width, height);
      const rgba = ctx.getImageData(0, 0, width, height).data;
      const luma = new Uint8Array(width * height);
      for (let i = 0, j = 0; i < luma.length; i++, j += 4) {
        luma[i] = (rgba[j] * 77 + rgba[j + 1] * 150 + rgba[j + 2] * 29) >> 8;
      }
      api.send('video', { timestampUs: Math.round((now - t0) * 1000), width, height, luma });
      sent++;
    }
    timer = window.setTimeout(tick, Math.max(1, minGap - (performance.now() - now)));
  };
  tick();
  return {
    stop() {
      stopped = true;
      clearTimeout(timer);
      stream.getTracks().forEach((t) => t.stop());
      video.srcObject = null;
    },
    get sent() {
      return sent;
    },
  };
}
