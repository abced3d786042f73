// Runs the Python trainer (training/train.py) as a niced subprocess and
// streams its JSON-line progress to a callback.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createInterface } from 'node:readline';

export const PYTHON = '/usr/bin/python3';
export const TRAINING_DIR = join(dirname(fileURLToPath(import.meta.url)), '..');

/** One line of the trainer's stdout. */
export interface TrainerEvent {
  event: 'setup' | 'phase' | 'progress' | 'epoch' | 'resume' | 'restart' | 'done';
  [k: string]: unknown;
}

export interface TrainerOptions {
  dataDir: string;
  workDir: string;
  task: string;
  epochs?: number;
  qatEpochs?: number;
  tiny?: boolean;
  maxTrain?: number;
  seed?: number;
  extraArgs?: string[];
  onEvent?: (e: TrainerEvent) => void;
}

export class TrainerError extends Error {
  constructor(
    readonly code: number | null,
    readonly stderrTail: string,
  ) {
    super(`training/train.py failed (exit ${code}):\n${stderrTail}`);
    this.name = 'TrainerError';
  }
}

/** True when Debian's python3 has torch and onnx (the factory's only Python needs). */
export async function pythonHasTorch(): Promise<boolean> {
  if (!existsSync(PYTHON)) return false;
  return new Promise((resolve) => {
    const p = spawn(PYTHON, ['-c', 'import torch, onnx, numpy'], { stdio: 'ignore' });
    p.on('error', () => resolve(false));
    p.on('close', (code) => resolve(code === 0));
  });
}

/** The same, synchronously (for a test's skip condition). */
export function pythonHasTorchSync(): boolean {
  if (!existsSync(PYTHON)) return false;
  return spawnSync(PYTHON, ['-c', 'import torch, onnx, numpy'], { stdio: 'ignore' }).status === 0;
}

export function runTrainer(o: TrainerOptions): Promise<void> {
  const args = [join(TRAINING_DIR, 'train.py'), '--data', o.dataDir, '--work', o.workDir, '--task', o.task];
  if (o.epochs !== undefined) args.push('--epochs', String(o.epochs));
  if (o.qatEpochs !== undefined) args.push('--qat-epochs', String(o.qatEpochs));
  if (o.maxTrain !== undefined) args.push('--max-train', String(o.maxTrain));
  if (o.seed !== undefined) args.push('--seed', String(o.seed));
  if (o.tiny) args.push('--tiny');
  if (o.extraArgs) args.push(...o.extraArgs);
  // niced: the machine's cores are shared
  const child = spawn('nice', ['-n', '10', PYTHON, ...args], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, PYTHONWARNINGS: 'ignore' } });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => {
    stderr = (stderr + d.toString()).slice(-4000);
  });
  const lines = createInterface({ input: child.stdout });
  lines.on('line', (line) => {
    if (!line.startsWith('{')) return;
    try {
      o.onEvent?.(JSON.parse(line) as TrainerEvent);
    } catch {
      // a non-JSON line that starts with a brace: ignore, like any other chatter
    }
  });
  return new Promise((resolve, reject) => {
    child.on('error', (e) => reject(e));
    child.on('close', (code) => (code === 0 ? resolve() : reject(new TrainerError(code, stderr.trim()))));
  });
}
