/**
 * Worker-thread entry of an ONNX import (never the Electron main thread: a
 * conversion takes seconds). workerData is an ImportRequest; it posts
 * { type: 'progress', stage, done, total }, then { type: 'done', result } or
 * { type: 'error', message }.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { convertImport, type ImportRequest } from './convert-import';

const port = parentPort!;
const req = (workerData as { request: ImportRequest }).request;
convertImport(req, (stage, done, total) => port.postMessage({ type: 'progress', stage, done, total })).then(
  (result) => port.postMessage({ type: 'done', result }, [result.nlm.buffer as ArrayBuffer]),
  (e: unknown) => port.postMessage({ type: 'error', message: e instanceof Error ? e.message : String(e) }),
);
