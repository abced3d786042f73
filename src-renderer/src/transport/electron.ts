/**
 * The desktop app's transport: the preload (src-main/preload.ts) exposes a
 * three-function bridge as window.neurolive; this turns it into the
 * contract's Transport. Method results arrive as an envelope because
 * contextBridge would strip an error's `code`; here it becomes an ApiError again.
 */
import { ApiError, type ApiErrorShape, type MediaName, type MethodName, type TopicName, type Transport } from '../../../src-main/ipc/contract';
import { CHANNEL, type NeuroliveBridge } from '../../../src-main/electron/channels';

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

/** the part of `window` the events-port handshake uses (no DOM types: Node tests load this file) */
export interface PortWindow {
  addEventListener(type: 'message', listener: (e: { source: unknown; data: unknown; ports: readonly object[] }) => void): void;
  removeEventListener(type: 'message', listener: (e: { source: unknown; data: unknown; ports: readonly object[] }) => void): void;
  postMessage(message: unknown, targetOrigin: string): void;
}

/**
 * The events port of this page load (see CHANNEL.eventsPort): asked of the
 * preload by a window message, answered with the port. It can be taken once;
 * the page gives it to its event-feed worker.
 */
export function requestEventsPort(win: PortWindow = globalThis as unknown as PortWindow): Promise<object> {
  return new Promise((resolve) => {
    const take = (e: { source: unknown; data: unknown; ports: readonly object[] }): void => {
      if (e.source !== win || (e.data as { neurolive?: unknown } | null)?.neurolive !== CHANNEL.eventsPort || !e.ports[0]) return;
      win.removeEventListener('message', take);
      resolve(e.ports[0]);
    };
    win.addEventListener('message', take);
    win.postMessage({ neurolive: CHANNEL.eventsPortRequest }, '*');
  });
}
