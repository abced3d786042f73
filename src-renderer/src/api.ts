/**
 * The one way screens reach the app: `getApi()` returns the contract's
 * NeuroliveApi, over Electron IPC inside the desktop app (the preload's
 * window.neurolive) or over the browser host's WebSocket in a plain browser.
 * Screens never know which; `getConnection()` tells the status bar how the
 * WebSocket is doing (Electron is always connected).
 */
import { createApi } from '../../src-main/ipc/client';
import type { NeuroliveApi } from '../../src-main/ipc/contract';
import { bridgeTransport, electronBridge } from './transport/electron';
import { createWebSocketTransport, type ConnectionInfo, type WebSocketTransport } from './transport/websocket';

export type { ConnectionInfo, ConnectionState } from './transport/websocket';

const TOKEN_KEY = 'neurolive.token';

let api: NeuroliveApi | null = null;
let socket: WebSocketTransport | null = null;

/** the token once taken from the URL (kept here too: the event feed's worker connects after the page) */
let takenToken: string | undefined;

/**
 * The browser host's token: given once in the URL fragment (#token=…, never
 * sent to a server), then removed from the address bar and kept for this tab
 * only, so a reload still connects.
 */
export function takeToken(): string | undefined {
  const match = /(?:^#|&)token=([^&]*)/.exec(location.hash);
  if (match) {
    const token = (takenToken = decodeURIComponent(match[1]));
    try {
      sessionStorage.setItem(TOKEN_KEY, token);
    } catch {
      /* storage disabled: the token lives only as long as this page */
    }
    const rest = location.hash.replace(/(^#|&)token=[^&]*/, '$1').replace(/^#&/, '#');
    history.replaceState(history.state, '', location.pathname + location.search + (rest === '#' ? '' : rest));
    return token;
  }
  try {
    return sessionStorage.getItem(TOKEN_KEY) ?? takenToken;
  } catch {
    return takenToken;
  }
}

/** The browser host's WebSocket endpoint, or null in the desktop app (events come over its IPC bridge). */
export function socketEndpoint(): { url: string; token?: string } | null {
  if (electronBridge()) return null;
  const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:';
  return { url: `${scheme}//${location.host}/api`, token: takeToken() };
}

export function getApi(): NeuroliveApi {
  if (api) return api;
  const endpoint = socketEndpoint();
  if (!endpoint) return (api = createApi(bridgeTransport(electronBridge()!)));
  socket = createWebSocketTransport(endpoint);
  return (api = createApi(socket));
}

const ALWAYS_OPEN: ConnectionInfo = { state: 'open', attempts: 0, droppedMedia: 0 };

/** The connection's state now, and a way to follow it. */
export function getConnection(): { info(): ConnectionInfo; onState(listener: (info: ConnectionInfo) => void): () => void } {
  getApi();
  if (socket) return socket;
  return { info: () => ALWAYS_OPEN, onState: () => () => undefined };
}
