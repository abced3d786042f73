/**
 * The NSoC worker in a browser Web Worker: `new Worker(url-of-this-bundle)`,
 * then speak protocol.ts. The engine compiles without DOM types, so the bit
 * of the worker global scope used here is declared locally.
 */
import { createNsocWorkerHandler } from './handler';

interface WorkerScope {
  postMessage(message: unknown): void;
  onmessage: ((event: { data: unknown }) => void) | null;
}
declare const self: WorkerScope;

const handle = createNsocWorkerHandler((message) => self.postMessage(message));
self.onmessage = (event) => handle(event.data);
