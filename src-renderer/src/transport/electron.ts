/**
 * The desktop app's transport: the preload (src-main/preload.ts) exposes a
 * three-function bridge as window.neurolive; this turns it into the
 * contract's Transport. Method results arrive as an envelope because
 * contextBridge would strip an error's `code`; here it becomes an ApiError again.
 */
import { ApiError, type ApiErrorShape, type MediaName, type MethodName, type TopicName, type Transport } from '../../../src-main/ipc/contract';
import type { NeuroliveBridge } from '../../../src-main/electron/channels';

declare global {
  interface Window {
    neurolive?: NeuroliveBridge;
  }
}

export function electronBridge(): NeuroliveBridge | null {
  // globalThis rather than window: this file is also loaded by Node tests
  return (globalThis as { neurolive?: NeuroliveBridge }).neurolive ?? null;
}

export function bridgeTransport(bridge: NeuroliveBridge): Transport {
  return {
    async invoke(method: MethodName, arg: unknown): Promise<unknown> {
      const r = await bridge.invoke(method, arg);
      if (r.ok) return r.result;
      throw new ApiError(r.error.code as ApiErrorShape['code'], r.error.message);
    },
    subscribe: (topic: TopicName, listener: (payload: unknown) => void) => bridge.subscribe(topic, listener),
    send: (media: MediaName, payload: unknown) => bridge.send(media, payload),
  };
}
