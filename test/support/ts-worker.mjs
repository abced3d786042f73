// Bootstrap for worker threads that run TypeScript: Node 20 does not pass
// --import hooks on to workers, so register tsx here, then load the module
// named in workerData.tsModule.
import { register } from 'tsx/esm/api';
import { workerData } from 'node:worker_threads';

register();
await import(workerData.tsModule);
