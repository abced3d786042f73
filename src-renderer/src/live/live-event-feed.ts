/**
 * How a view worker on the page gets live events: attachLiveEvents() gives a
 * MessagePort to transfer to the worker (which calls receiveEventFeed on it).
 * Behind it one feed worker (event-feed-worker.ts) gets the chunks itself —
 * over its own WebSocket to the browser host, or over the desktop app's
 * events port — so they never touch the page's thread. Only the dev fake,
 * whose events exist only on the page, runs the same feed on the page.
 */
import { api, eventFeedSource } from '../lib/api';
import { EventFeed } from './event-feed';
import type { FeedPort } from './event-feed-port';
import type { ToFeedWorker } from './event-feed-worker';

export interface LiveEventsLink {
  /** transfer this to the view's worker */
  port: MessagePort;
  detach(): void;
}

let worker: Worker | null = null;
let pageFeed: EventFeed | null = null;
let nextId = 1;

function feedWorker(): Worker | null {
  if (worker) return worker;
  const source = eventFeedSource();
  if (!source) return null;
  const w = (worker = new Worker(new URL('./event-feed-worker.ts', import.meta.url), { type: 'module', name: 'event-feed' }));
  // views may attach before the source is known: the worker subscribes once it is
  void source.then((s) => w.postMessage({ type: 'source', source: s } satisfies ToFeedWorker, s.kind === 'port' ? [s.port as Transferable] : []));
  return w;
}

export function attachLiveEvents(): LiveEventsLink {
  const { port1, port2 } = new MessageChannel();
  const w = feedWorker();
  if (w) {
    const id = nextId++;
    w.postMessage({ type: 'attach', id, port: port1 } satisfies ToFeedWorker, [port1]);
    let attached = true;
    return {
      port: port2,
      detach: () => {
        if (attached) w.postMessage({ type: 'detach', id } satisfies ToFeedWorker);
        attached = false;
      },
    };
  }
  pageFeed ??= new EventFeed({ subscribe: (listener) => api().on('events', listener) });
  return { port: port2, detach: pageFeed.attach(port1 as unknown as FeedPort) };
}
