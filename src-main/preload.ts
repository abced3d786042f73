/**
 * The sandboxed preload: a narrow bridge of three named functions (invoke,
 * subscribe, send), never ipcRenderer itself and never an IPC event object
 * (it carries the sender and ports). Bundled into one CommonJS file that
 * requires only 'electron' (a sandboxed preload cannot load local files).
 *
 * Media frames go over a MessagePort the main process hands over once per
 * page load (answering 'hello'); their typed arrays are transferred, not
 * copied again. A second port carries event chunks to the page's
 * event-feed worker (handed over on the page's request, see channels.ts).
 */
import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import { CHANNEL, NAME_RE, type Envelope, type MediaPortMessage, type NeuroliveBridge } from './electron/channels';

let port: IpcRendererEvent['ports'][number] | null = null;
ipcRenderer.on(CHANNEL.mediaPort, (event) => {
  port?.close();
  port = event.ports[0] ?? null;
});

// The events port waits here until the page asks for it (its listener may not
// exist yet when main's answer arrives), then goes to the page by a window
// message, the way Electron's docs hand a port to the main world.
/** the window, typed here: the preload compiles without DOM types */
const win = globalThis as unknown as {
  postMessage(message: unknown, targetOrigin: string, transfer: unknown[]): void;
  addEventListener(type: 'message', listener: (e: { source: unknown; data: unknown }) => void): void;
};
let eventsPort: IpcRendererEvent['ports'][number] | null = null;
let eventsPortWanted = false;
function handOverEventsPort(): void {
  if (!eventsPortWanted || !eventsPort) return;
  win.postMessage({ neurolive: CHANNEL.eventsPort }, '*', [eventsPort]);
  eventsPort = null;
  eventsPortWanted = false;
}
ipcRenderer.on(CHANNEL.eventsPort, (event) => {
  eventsPort?.close();
  eventsPort = event.ports[0] ?? null;
  handOverEventsPort();
});
win.addEventListener('message', (e) => {
  if (e.source !== win || (e.data as { neurolive?: unknown } | null)?.neurolive !== CHANNEL.eventsPortRequest) return;
  eventsPortWanted = true;
  handOverEventsPort();
});
ipcRenderer.send(CHANNEL.hello);

/** listeners per topic: main only sends the topics the page listens to */
const counts = new Map<string, number>();
function pushSubscriptions(): void {
  ipcRenderer.send(CHANNEL.subscribe, [...counts.keys()]);
}

/** the buffers of a payload's top-level typed arrays that own their whole buffer (safe to transfer) */
function transferables(payload: unknown): ArrayBuffer[] {
  if (payload === null || typeof payload !== 'object') return [];
  const out: ArrayBuffer[] = [];
  for (const v of Object.values(payload)) {
    if (ArrayBuffer.isView(v) && v.buffer instanceof ArrayBuffer && v.byteOffset === 0 && v.byteLength === v.buffer.byteLength && !out.includes(v.buffer)) out.push(v.buffer);
  }
  return out;
}

const bridge: NeuroliveBridge = {
  invoke: (method: string, arg: unknown): Promise<Envelope> => ipcRenderer.invoke(CHANNEL.invoke, String(method), arg),
  subscribe: (topic: string, listener: (payload: unknown) => void): (() => void) => {
    if (typeof topic !== 'string' || !NAME_RE.test(topic) || typeof listener !== 'function') throw new TypeError('subscribe(topic, listener): unknown topic');
    const channel = CHANNEL.topicPrefix + topic;
    const wrapped = (_event: unknown, payload: unknown): void => listener(payload);
    ipcRenderer.on(channel, wrapped);
    counts.set(topic, (counts.get(topic) ?? 0) + 1);
    if (counts.get(topic) === 1) pushSubscriptions();
    let active = true;
    return () => {
      if (!active) return;
      active = false;
      ipcRenderer.removeListener(channel, wrapped);
      const n = (counts.get(topic) ?? 1) - 1;
      if (n > 0) counts.set(topic, n);
      else {
        counts.delete(topic);
        pushSubscriptions();
      }
    };
  },
  send: (media: string, payload: unknown): void => {
    // real-time data: without a port yet (page just loaded) the frame is dropped, not queued
    if (!port || typeof media !== 'string' || !NAME_RE.test(media)) return;
    const message: MediaPortMessage = { name: media, payload };
    port.postMessage(message, transferables(payload));
  },
};

contextBridge.exposeInMainWorld('neurolive', bridge);
