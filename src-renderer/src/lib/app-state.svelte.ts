/**
 * Reactive app-wide state fed by the contract's topics. Event chunks are NOT
 * kept here (they go straight to the canvases); everything here changes at
 * display rate at most, predictions and NSoC figures less often (latest-every.ts).
 */
import type {
  AppInfo,
  ClassInfo,
  LiveState,
  ModelInfo,
  NeuroliveApi,
  NsocUpdate,
  PredictionUpdate,
  Progress,
  Settings,
} from '../../../src-main/ipc/contract';
import { errorMessage } from './api';
import { latestEvery } from './latest-every';

export type Screen = 'live' | 'enroll' | 'record' | 'models' | 'settings';
export const SCREENS: { id: Screen; label: string; key: string }[] = [
  { id: 'live', label: 'Live', key: '1' },
  { id: 'enroll', label: 'Enroll', key: '2' },
  { id: 'record', label: 'Record', key: '3' },
  { id: 'models', label: 'Models', key: '4' },
  { id: 'settings', label: 'Settings', key: '5' },
];

export interface HistoryEntry {
  label: string;
  colour: string;
  unknown: boolean;
  tUs: number;
}

export const app = $state({
  screen: 'live' as Screen,
  info: null as AppInfo | null,
  live: null as LiveState | null,
  prediction: null as PredictionUpdate | null,
  history: [] as HistoryEntry[],
  nsoc: null as NsocUpdate | null,
  classes: [] as ClassInfo[],
  models: [] as ModelInfo[],
  settings: null as Settings | null,
  progress: {} as Record<string, Progress>,
  /** last action pushed by a HID button / kiosk (seq increments so effects can react to repeats) */
  action: null as { action: string; from: string; seq: number } | null,
  helpOpen: false,
  connectError: null as string | null,
});

const HISTORY = 48;

export function pushPrediction(p: PredictionUpdate): void {
  app.prediction = p;
  const label = p.unknown || p.top < 0 ? 'unknown' : p.labels[p.top];
  const colour = p.unknown || p.top < 0 ? '#6e7681' : (p.colours[p.top] ?? '#8b949e');
  const last = app.history[app.history.length - 1];
  // the ribbon shows changes and a steady tick, not every window
  if (!last || last.label !== label || p.tUs - last.tUs > 250_000 || p.tUs < last.tUs) {
    app.history.push({ label, colour, unknown: p.unknown, tUs: p.tUs });
    if (app.history.length > HISTORY) app.history.splice(0, app.history.length - HISTORY);
  }
}

let actionSeq = 0;

/** the big prediction: 15 Hz keeps it prompt (≤ 67 ms added) */
const PREDICTION_MS = 67;
/** per-layer sparsity, ops, power: figures to read */
const NSOC_MS = 250;

/** subscribe to every display-rate topic; returns an unsubscribe */
export function bindTopics(api: NeuroliveApi): () => void {
  const offs = [
    api.on('state', (s) => (app.live = s)),
    api.on('prediction', latestEvery(PREDICTION_MS, pushPrediction)),
    api.on('nsoc', latestEvery(NSOC_MS, (n: NsocUpdate) => (app.nsoc = n))),
    api.on('classes', (c) => (app.classes = c)),
    api.on('progress', (p) => (app.progress[p.jobId] = p)),
    api.on('action', (a) => (app.action = { ...a, seq: ++actionSeq })),
  ];
  return () => offs.forEach((f) => f());
}

/** initial snapshot; failures are reported but do not stop the others */
export async function loadInitial(api: NeuroliveApi): Promise<string[]> {
  const errors: string[] = [];
  const grab = async <T>(p: Promise<T>, set: (v: T) => void) => {
    try {
      set(await p);
    } catch (e) {
      errors.push(errorMessage(e));
    }
  };
  await Promise.all([
    grab(api.appInfo(), (v) => (app.info = v)),
    grab(api.getState(), (v) => (app.live = v)),
    grab(api.listClasses(), (v) => (app.classes = v)),
    grab(api.listModels(), (v) => (app.models = v)),
    grab(api.getSettings(), (v) => (app.settings = v)),
  ]);
  return errors;
}

export async function refreshModels(api: NeuroliveApi): Promise<void> {
  app.models = await api.listModels();
}
