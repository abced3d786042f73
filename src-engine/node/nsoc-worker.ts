/**
 * The NSoC worker in a Node worker thread (NsocWorkerClient starts it): the
 * host-agnostic handler (src-engine/nsoc/worker/handler.ts) on parentPort.
 * A plain module path on purpose — the app's bundler emits it as its own entry.
 */
import { parentPort } from 'node:worker_threads';
import { createNsocWorkerHandler } from '../nsoc/worker/handler';

const port = parentPort;
if (!port) throw new Error('nsoc-worker runs inside a worker thread (start it with NsocWorkerClient)');
const handle = createNsocWorkerHandler((message) => port.postMessage(message));
port.on('message', handle);
