/**
 * The one API instance the UI uses. Normally the host's (Electron preload or
 * the browser host's WebSocket, via getApi()); with `?fake` in the URL, a
 * dev-only simulated backend loaded as a separate chunk so it never ships in
 * the normal path. E2E tests never use `?fake`.
 */
import type { NeuroliveApi } from '../../../src-main/ipc/contract';
import { getApi, socketEndpoint } from '../api';
import type { FeedSource } from '../live/event-feed-worker';
import { electronBridge, requestEventsPort } from '../transport/electron';

let instance: NeuroliveApi | null = null;

export function wantsFake(): boolean {
  return new URLSearchParams(location.search).has('fake');
}

export async function connectApi(): Promise<NeuroliveApi> {
  if (instance) return instance;
  if (wantsFake()) {
    const { createFakeApi } = await import('../dev/fake-api');
    instance = createFakeApi(new URLSearchParams(location.search));
  } else {
    const api = getApi() as NeuroliveApi | undefined;
    if (!api) throw new Error('No host API: open Neurolive through the desktop app or the browser host (npm run web).');
    instance = api;
  }
  return instance;
}

/**
 * Where a worker can get live events itself: the browser host's socket, or
 * the desktop app's events port (from the preload); null for the dev fake,
 * whose events exist only on the page.
 */
export function eventFeedSource(): Promise<FeedSource> | null {
  if (wantsFake()) return null;
  if (electronBridge()) return requestEventsPort().then((port) => ({ kind: 'port', port }));
  const endpoint = socketEndpoint();
  return endpoint && Promise.resolve({ kind: 'websocket', ...endpoint });
}

/** the connected API; only valid after connectApi() resolved (App mounts screens after that) */
export function api(): NeuroliveApi {
  if (!instance) throw new Error('API used before it was connected');
  return instance;
}

/** an error from a method call, as words a person can read */
export function errorMessage(e: unknown): string {
  if (e && typeof e === 'object' && 'message' in e && typeof (e as { message: unknown }).message === 'string') {
    return (e as { message: string }).message;
  }
  return String(e);
}
