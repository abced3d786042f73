/**
 * How a view worker on the page gets live events: attachLiveEvents() gives a
 * MessagePort to transfer to the worker (which calls receiveEventFeed on it).
 * Behind it, the runtime decides: with the browser host, one feed worker
 * (event-feed-worker.ts) holds its own connection, so chunks never touch the
 * page's thread; where events reach only the page (the desktop bridge, the
 * dev fake), the same feed runs on the page over the `events` topic.
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
  worker = new Worker(new URL('./event-feed-worker.ts', import.meta.url), { type: 'module', name: 'event-feed' });
  worker.postMessage({ type: 'source', source } satisfies ToFeedWorker);
  return worker;
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
