// Worker entry: renders the shards the main thread sends, one at a time.
import { parentPort } from 'node:worker_threads';
import type { ShardJob } from './plan';
import { renderShard } from './shard';

export type ShardRequest = { type: 'shard'; outDir: string; seed: number; job: ShardJob };
export type ShardReply = { type: 'clip'; samples: number } | { type: 'done'; shard: number; split: string } | { type: 'error'; message: string };

const port = parentPort;
if (port) {
  port.on('message', (m: ShardRequest) => {
    try {
      renderShard(m.outDir, m.seed, m.job, (samples) => port.postMessage({ type: 'clip', samples } satisfies ShardReply));
      port.postMessage({ type: 'done', shard: m.job.shard, split: m.job.split } satisfies ShardReply);
    } catch (e) {
      port.postMessage({ type: 'error', message: (e as Error).stack ?? String(e) } satisfies ShardReply);
    }
  });
}
