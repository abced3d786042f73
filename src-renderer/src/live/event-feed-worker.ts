/**
 * The live event feed's worker: its own WebSocket to the browser host,
 * subscribed to the `events` topic only, feeding every view worker the page
 * attaches (event-feed.ts). So the page's main thread never receives,
 * decodes or copies event chunks — about 1 MB each, 30 a second at 5 M
 * events/s, whose delivery alone took 20–35 ms of page CPU and whose
 * garbage drove 30 ms collector pauses there.
 */
import type { EventChunk } from '../../../src-main/ipc/contract';
import { createWebSocketTransport, type WebSocketTransport } from '../transport/websocket';
import { EventFeed } from './event-feed';
import type { FeedPort } from './event-feed-port';
import { workerScope } from './worker-scope';

/** where the feed worker gets events from */
export interface FeedSource {
  kind: 'websocket';
  /** ws://host:port/api, without the token */
  url: string;
  token?: string;
}

export type ToFeedWorker =
  | { type: 'source'; source: FeedSource }
  /** port: the page's end of a view's channel (typed loosely: no DOM types here) */
  | { type: 'attach'; id: number; port: object }
  | { type: 'detach'; id: number };

const { scope } = workerScope<ToFeedWorker, never>();

let transport: WebSocketTransport | null = null;
const feed = new EventFeed({
  subscribe: (listener) => {
    if (!transport) throw new Error('event feed: attach before source');
    return transport.subscribe('events', (payload) => listener(payload as EventChunk));
  },
});
const detachers = new Map<number, () => void>();

scope.onmessage = (e) => {
  const m = e.data;
  switch (m.type) {
    case 'source':
      transport ??= createWebSocketTransport({ url: m.source.url, token: m.source.token });
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
