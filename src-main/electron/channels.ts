/**
 * Electron IPC channel names and the invoke envelope, shared by the preload
 * and the main process (no imports: the sandboxed preload bundles this).
 *
 * Method results travel as an envelope rather than a thrown error because
 * contextBridge copies an Error across worlds without its custom properties:
 * the `code` of an ApiError would be lost. The renderer-side transport
 * (src-renderer/src/transport/electron.ts) turns `{ok: false}` back into an ApiError.
 */
export const CHANNEL = {
  /** renderer → main, invoke: (method, arg) → Envelope */
  invoke: 'neurolive:invoke',
  /** renderer → main, send: the full list of topics the page listens to */
  subscribe: 'neurolive:subscribe',
  /** renderer → main, send: the preload is up; main answers with the media port */
  hello: 'neurolive:hello',
  /** main → renderer, postMessage with one MessagePort: media frames go through it */
  mediaPort: 'neurolive:media-port',
  /**
   * main → renderer, postMessage with one MessagePort carrying event chunks
   * (main → page) and `EventsPortRequest`s (page → main). The preload keeps it
   * until the page asks for it with a window message `{neurolive: eventsPortRequest}`
   * and then hands it over with `{neurolive: eventsPort}`; the page gives it
   * to its event-feed worker, so chunks never cross the page's thread.
   */
  eventsPort: 'neurolive:events-port',
  eventsPortRequest: 'neurolive:events-port-request',
  /** main → renderer, send: prefix of a topic push, `neurolive:topic:<name>` */
  topicPrefix: 'neurolive:topic:',
} as const;

export type Envelope = { ok: true; result: unknown } | { ok: false; error: { code: string; message: string } };

/** What the events port's holder says to main: start or stop the chunks. */
export interface EventsPortRequest {
  subscribe: boolean;
}

/** A media message on the port: one frame or chunk. */
export interface MediaPortMessage {
  name: string;
  payload: unknown;
}

/**
 * What the preload exposes as `window.neurolive`: three functions and nothing
 * else (never ipcRenderer). The renderer wraps it into the contract's
 * NeuroliveApi with createApi (src-renderer/src/transport/electron.ts).
 */
export interface NeuroliveBridge {
  invoke(method: string, arg: unknown): Promise<Envelope>;
  subscribe(topic: string, listener: (payload: unknown) => void): () => void;
  send(media: string, payload: unknown): void;
}

/** topic and media names are plain lower-case words: they become channel names */
export const NAME_RE = /^[a-z][a-z-]{0,31}$/;
