/**
 * Builds the renderer's named API over any Transport (Electron IPC in the
 * preload, a WebSocket behind the browser host). No validation happens here:
 * the main side parses every argument with the contract's schemas.
 */
import { METHOD_NAMES, type MediaName, type NeuroliveApi, type TopicName, type Transport } from './contract';

export function createApi(transport: Transport): NeuroliveApi {
  const api: Record<string, unknown> = {};
  for (const m of METHOD_NAMES) api[m] = (arg?: unknown) => transport.invoke(m, arg);
  api['on'] = (topic: TopicName, listener: (payload: unknown) => void) => transport.subscribe(topic, listener);
  api['send'] = (media: MediaName, payload: unknown) => transport.send(media, payload);
  return api as NeuroliveApi;
}
