/**
 * The live event feed's worker: gets event chunks itself — its own WebSocket
 * to the browser host (the `events` topic only), or the desktop app's events
 * port — and feeds every view worker the page attaches (event-feed.ts). So
 * the page's main thread never receives, decodes or copies event chunks —
 * about 1 MB each, 30 a second at 5 M events/s, whose delivery alone took
 * 20–35 ms of page CPU and whose garbage drove 30 ms collector pauses there.
 */
import type { EventChunk } from '../../../src-main/ipc/contract';
import type { EventsPortRequest } from '../../../src-main/electron/channels';
import { createWebSocketTransport } from '../transport/websocket';
import { EventFeed } from './event-feed';
import type { FeedPort } from './event-feed-port';
import { workerScope } from './worker-scope';

/** where the feed worker gets events from */
export type FeedSource =
  /** the browser host: its own socket; url ws://host:port/api without the token */
  | { kind: 'websocket'; url: string; token?: string }
  /** the desktop app: the events port main made for this page (CHANNEL.eventsPort) */
  | { kind: 'port'; port: object };

export type ToFeedWorker =
  | { type: 'source'; source: FeedSource }
  /** port: the page's end of a view's channel (typed loosely: no DOM types here) */
  | { type: 'attach'; id: number; port: object }
  | { type: 'detach'; id: number };

interface MainPort {
  onmessage: ((e: { data: unknown }) => void) | null;
  postMessage(m: EventsPortRequest): void;
}

const { scope } = workerScope<ToFeedWorker, never>();

/** start receiving chunks from a source; returns the stop */
function connector(source: FeedSource): (listener: (c: EventChunk) => void) => () => void {
  if (source.kind === 'websocket') {
    const transport = createWebSocketTransport({ url: source.url, token: source.token });
    return (listener) => transport.subscribe('events', (payload) => listener(payload as EventChunk));
  }
  const port = source.port as MainPort;
  return (listener) => {
    port.onmessage = (e) => listener(e.data as EventChunk);
    port.postMessage({ subscribe: true });
    return () => port.postMessage({ subscribe: false });
  };
}

let connect: ReturnType<typeof connector> | null = null;
let wanted: ((c: EventChunk) => void) | null = null;
let stop: (() => void) | null = null;
const feed = new EventFeed({
  subscribe: (listener) => {
    wanted = listener;
    // before the source is known, it subscribes when it arrives
    if (connect) stop = connect(listener);
    return () => {
      wanted = null;
      stop?.();
      stop = null;
    };
  },
});
const detachers = new Map<number, () => void>();

scope.onmessage = (e) => {
  const m = e.data;
  switch (m.type) {
    case 'source':
      if (connect) break;
      connect = connector(m.source);
      if (wanted) stop = connect(wanted);
      break;
    case 'attach':
      detachers.set(m.id, feed.attach(m.port as FeedPort));
      break;
    case 'detach':
      detachers.get(m.id)?.();
      detachers.delete(m.id);
      break;
  }
};
