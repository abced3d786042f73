/**
 * The one typed contract between the renderer and the main process
 * (radicle-upstream style). Three kinds of traffic:
 *
 * - **methods**: renderer → main request/response. Every argument has a zod
 *   schema here; the main side parses it (and checks the sender) before any
 *   handler sees it. Results are plain structured-clone data.
 * - **topics**: main → renderer pushes (state, predictions, event chunks,
 *   progress of long jobs…), at display rate at most.
 * - **media**: renderer → main fire-and-forget streams (webcam luma frames,
 *   microphone PCM). Electron carries them over a MessagePort, the browser
 *   host over binary WebSocket frames.
 *
 * The preload (Electron IPC) and the browser host (WebSocket) both implement
 * `Transport`; `createApi` (client.ts) turns either into the same named API,
 * so the renderer never knows which one it talks to (deltachat-desktop's
 * runtime abstraction). This file has no Node, Electron or DOM imports: the
 * preload, the main process, the web host and the renderer all import it.
 */
import { z } from 'zod';

// ---------------------------------------------------------------- limits

/** user-typed names (classes, labels): any Unicode, trimmed, 1–64 characters */
export const NAME_MAX = 64;
export const Name = z
  .string()
  .trim()
  .min(1, 'a name cannot be empty')
  .refine((s) => [...s].length <= NAME_MAX, `a name is at most ${NAME_MAX} characters`);
/** #rrggbb */
export const Colour = z.string().regex(/^#[0-9a-fA-F]{6}$/, 'a colour is #rrggbb');
export const FilePath = z.string().min(1).max(4096);
export const Id = z.number().int().nonnegative();

// ---------------------------------------------------------------- sources

export const SOURCE_KINDS = ['demo', 'file', 'dv-tcp', 'webcam', 'microphone', 'take'] as const;
export type SourceKind = (typeof SOURCE_KINDS)[number];

export const SourceSpec = z.discriminatedUnion('kind', [
  /** bundled demo recordings in a loop (the default on a fresh machine) */
  z.object({ kind: z.literal('demo'), name: z.string().max(200).optional() }),
  /** replay of any supported event file; a DVS Gesture _labels.csv beside it is shown as ground truth */
  z.object({
    kind: z.literal('file'),
    path: FilePath,
    speed: z.number().min(0.1).max(10).default(1),
    loop: z.boolean().default(true),
  }),
  /** iniVation DV network output (AEDAT 4 framing), reconnecting with backoff */
  z.object({ kind: z.literal('dv-tcp'), host: z.string().min(1).max(255).default('127.0.0.1'), port: z.number().int().min(1).max(65535) }),
  /** webcam frames pushed by the renderer (media 'video'), through the DVS emulator */
  z.object({ kind: z.literal('webcam'), preset: z.enum(['clean', 'noisy']).default('clean') }),
  /** microphone PCM pushed by the renderer (media 'audio'), through the cochlea */
  z.object({ kind: z.literal('microphone') }),
  /** a recorded take played back through the same pipeline */
  z.object({ kind: z.literal('take'), takeId: Id, speed: z.number().min(0.1).max(10).default(1), loop: z.boolean().default(false) }),
]);
export type SourceSpec = z.infer<typeof SourceSpec>;

export type SourceState = 'idle' | 'connecting' | 'live' | 'paused' | 'error' | 'reconnecting';

export interface SourceStatus {
  kind: SourceKind;
  state: SourceState;
  /** human-readable: file name, host:port, "Built-in demo: wave" … */
  label: string;
  /** set in 'error' / 'reconnecting': what went wrong, in words a visitor could read */
  error?: string;
  width: number;
  height: number;
  /** replay only */
  positionUs?: number;
  durationUs?: number;
  speed?: number;
  loop?: boolean;
  /** ground-truth label at the current position (DVS Gesture _labels.csv), if any */
  groundTruth?: string | null;
}

export const Playback = z.object({
  speed: z.number().min(0.1).max(10).optional(),
  paused: z.boolean().optional(),
  loop: z.boolean().optional(),
  seekUs: z.number().nonnegative().optional(),
});
export type Playback = z.infer<typeof Playback>;

// ---------------------------------------------------------------- models

export type Backend = 'simulator' | 'hid-device';

export interface LayerCard {
  name: string;
  kind: string;
  /** output shape, e.g. [16, 16, 32] */
  shape: number[];
  weightBits: number;
  activationBits: number;
  /** fraction of zero activations on real inputs, 0–1 */
  sparsity: number;
  macsDense: number;
  opsExecuted: number;
}

export interface ModelInfo {
  /** content hash of the .nlm file: classes belong to it */
  id: string;
  name: string;
  /** 'gesture' | 'keywords' | user-imported */
  task: string;
  sensor: 'dvs' | 'audio';
  labels: string[];
  /** network input size and encoding; sensorWidth × sensorHeight is what the encoder expects (webcam frames are best sent at it) */
  input: { width: number; height: number; bins: number; polarities: number; windowUs: number; sensorWidth: number; sensorHeight: number };
  sizeBytes: number;
  neuralProcessors: number;
  /** from the model card, when present */
  accuracy?: { float: number; quantized: number; evaluatedOn: string };
  sparsity?: number;
  macsDense?: number;
  opsExecuted?: number;
  layers: LayerCard[];
  builtin: boolean;
}

// ---------------------------------------------------------------- classes (edge learning)

export interface ClassInfo {
  id: number;
  modelId: string;
  name: string;
  colour: string;
  origin: 'pretrained' | 'enrolled';
  shots: number;
  createdAt: number; // ms since epoch
  /** kiosk: visitor classes expire */
  expiresAt?: number | null;
}

export const EnrollArgs = z.object({
  /** an existing enrolled class to add a shot to, or a new class name */
  classId: Id.optional(),
  name: Name.optional(),
  colour: Colour.optional(),
  /** capture the next window (true) or the last complete one (false) */
  waitForNext: z.boolean().default(false),
});
export type EnrollArgs = z.infer<typeof EnrollArgs>;

export interface EnrollResult {
  cls: ClassInfo;
  /** milliseconds from the shot's last event to the committed, usable class */
  learnMs: number;
  /** a small preview of what was captured: the summed window as grey levels */
  preview: { width: number; height: number; pixels: Uint8Array };
}

export type LearnerKind = 'ncm' | 'binary-fc';

// ---------------------------------------------------------------- recording

export interface TakeInfo {
  id: number;
  label: string;
  notes: string;
  sensor: string;
  width: number;
  height: number;
  durationUs: number;
  events: number;
  createdAt: number;
  /** grey thumbnail (summed events), small */
  thumbnail?: { width: number; height: number; pixels: Uint8Array };
}

export const StartRecording = z.object({ label: Name, notes: z.string().max(2000).default('') });
export const TrimTake = z.object({ id: Id, startUs: z.number().nonnegative(), endUs: z.number().positive() });
export const ExportDataset = z.object({
  layout: z.enum(['tonic', 'dvsgesture']),
  dir: FilePath,
  takeIds: z.array(Id).optional(),
});
export const ImportDataset = z.object({ dir: FilePath });

// ---------------------------------------------------------------- settings

export const Settings = z.object({
  /**
   * windowMs, bins, downsample: a preference kept in the file, but the live
   * binning follows the selected model's card — a network only understands the
   * encoding it was trained on (the Settings screen shows the card's values)
   */
  windowMs: z.number().min(10).max(2000),
  bins: z.number().int().min(1).max(16),
  downsample: z.number().int().min(1).max(16),
  denoise: z.boolean(),
  learner: z.enum(['ncm', 'binary-fc']),
  /** below this similarity a prediction is "unknown" (0–1), with the NCM learner (a cosine) */
  unknownThreshold: z.number().min(0).max(1),
  /**
   * the same with the binary layer, whose similarity (the fraction of the reachable
   * potential) runs lower than NCM's cosines: a threshold of its own (docs/LEARNING.md)
   */
  binaryUnknownThreshold: z.number().min(0).max(1),
  /** HID button usage → action */
  buttons: z.record(z.string().max(64), z.enum(['enroll', 'undo', 'reset', 'next-source', 'none'])),
  kiosk: z.object({
    enabled: z.boolean(),
    /** 4–8 digits, to leave kiosk mode */
    pin: z.string().regex(/^\d{4,8}$/),
    idleSeconds: z.number().int().min(10).max(3600),
    visitorClassTtlMinutes: z.number().int().min(1).max(24 * 60),
  }),
});
export type Settings = z.infer<typeof Settings>;

// ---------------------------------------------------------------- pushes

/** display-rate state of the whole app */
export interface LiveState {
  source: SourceStatus;
  backend: { kind: Backend; label: string; state: 'ready' | 'busy' | 'error'; error?: string };
  model: { id: string; name: string } | null;
  recording: { takeLabel: string; startedAt: number; events: number; durationUs: number } | null;
  kiosk: boolean;
  /** windows dropped because the engine fell behind, since the source started */
  droppedWindows: number;
  /** events per second arriving from the source */
  eventRate: number;
  /** per-stage latency, milliseconds, recent median: sensor time → binned → inferred → sent */
  latency: { binnedMs: number; inferredMs: number; sentMs: number };
}

export interface PredictionUpdate {
  /** sensor time of the window's end, µs */
  tUs: number;
  window: number;
  /** class names in score order of `scores` */
  labels: string[];
  colours: string[];
  /** calibrated confidences 0–1, same order as labels */
  scores: number[];
  /** index into labels, or -1 for unknown */
  top: number;
  unknown: boolean;
  groundTruth?: string | null;
}

export interface NsocUpdate {
  window: number;
  /** per layer: fraction of zero outputs 0–1 */
  sparsity: number[];
  layerNames: string[];
  opsExecuted: number;
  macsDense: number;
  inferenceMs: number;
  /** estimated from the hardware profile */
  energyMicroJ: number;
  powerMilliW: number;
}

/**
 * A decimated slice of the event stream for drawing: times relative to
 * `t0Us` (float32 µs is exact within a 16 s slice), at most ~100k events
 * per push; `total` counts the events the slice stands for.
 */
export interface EventChunk {
  t0Us: number;
  width: number;
  height: number;
  t: Float32Array;
  x: Uint16Array;
  y: Uint16Array;
  p: Uint8Array;
  total: number;
}

export interface Progress {
  jobId: string;
  label: string;
  done: number;
  total: number;
  finished: boolean;
  error?: string;
}

export interface Topics {
  state: LiveState;
  prediction: PredictionUpdate;
  nsoc: NsocUpdate;
  events: EventChunk;
  progress: Progress;
  classes: ClassInfo[];
  /** a HID button or kiosk action the UI should show (e.g. "enroll now") */
  action: { action: 'enroll' | 'undo' | 'reset' | 'next-source'; from: string };
}
export type TopicName = keyof Topics;
export const TOPICS: readonly TopicName[] = ['state', 'prediction', 'nsoc', 'events', 'progress', 'classes', 'action'];

// ---------------------------------------------------------------- media (renderer → main)

/** one webcam frame as 8-bit luma (the renderer converts RGBA on the GPU/canvas) */
export interface VideoFrame {
  timestampUs: number;
  width: number;
  height: number;
  luma: Uint8Array;
}
/** a slice of microphone audio, mono float32 */
export interface AudioChunk {
  timestampUs: number;
  sampleRate: number;
  pcm: Float32Array;
}
export interface Media {
  video: VideoFrame;
  audio: AudioChunk;
}
export type MediaName = keyof Media;

// ---------------------------------------------------------------- methods

const none = z.undefined().or(z.object({}).strict()).optional();
const byId = z.object({ id: Id });

/** argument schema of every method; the main side parses with these */
export const METHODS = {
  appInfo: none,
  getState: none,

  listSources: none,
  startSource: SourceSpec,
  stopSource: none,
  playback: Playback,
  /** Electron: a native open dialog; browser host: null (the UI asks for a path) */
  pickFile: z.object({ purpose: z.enum(['events', 'onnx', 'classpack', 'dataset-dir', 'save-classpack']) }),

  listModels: none,
  selectModel: z.object({ id: z.string().min(1).max(128) }),
  importModel: z.object({ path: FilePath, name: Name.optional() }),
  setBackend: z.object({ kind: z.enum(['simulator', 'hid-device']) }),

  listClasses: z.object({ modelId: z.string().max(128).optional() }).optional(),
  enroll: EnrollArgs,
  undoShot: z.object({ classId: Id }),
  renameClass: z.object({ classId: Id, name: Name }),
  recolourClass: z.object({ classId: Id, colour: Colour }),
  deleteClass: z.object({ classId: Id }),
  resetClasses: none,
  exportClassPack: z.object({ path: FilePath, classIds: z.array(Id).optional() }),
  importClassPack: z.object({ path: FilePath }),

  startRecording: StartRecording,
  stopRecording: none,
  listTakes: none,
  deleteTake: byId,
  trimTake: TrimTake,
  exportDataset: ExportDataset,
  importDataset: ImportDataset,

  getSettings: none,
  updateSettings: Settings.partial(),

  setKiosk: z.object({ enabled: z.boolean(), pin: z.string().max(8).optional() }),
} as const;
export type MethodName = keyof typeof METHODS;
export type MethodArg<M extends MethodName> = z.input<(typeof METHODS)[M]>;

export interface AppInfo {
  name: string;
  version: string;
  /** 'electron' inside the desktop app, 'browser' behind the web host */
  runtime: 'electron' | 'browser';
  platform: string;
}

export interface SourceOption {
  kind: SourceKind;
  label: string;
  available: boolean;
  /** why not, when unavailable */
  reason?: string;
  /** demo: the bundled recordings to choose from */
  choices?: string[];
}

/** result type of every method */
export interface MethodResults {
  appInfo: AppInfo;
  getState: LiveState;
  listSources: SourceOption[];
  startSource: SourceStatus;
  stopSource: void;
  playback: SourceStatus;
  pickFile: string | null;
  listModels: ModelInfo[];
  selectModel: ModelInfo;
  /** returns at once; conversion reports on topic 'progress' under jobId, then the model appears in listModels */
  importModel: { jobId: string };
  setBackend: LiveState['backend'];
  listClasses: ClassInfo[];
  enroll: EnrollResult;
  undoShot: ClassInfo | null;
  renameClass: ClassInfo;
  recolourClass: ClassInfo;
  deleteClass: void;
  resetClasses: ClassInfo[];
  exportClassPack: { path: string; classes: number };
  importClassPack: ClassInfo[];
  startRecording: TakeInfo;
  stopRecording: TakeInfo;
  listTakes: TakeInfo[];
  deleteTake: void;
  trimTake: TakeInfo;
  exportDataset: { jobId: string };
  importDataset: { jobId: string };
  getSettings: Settings;
  updateSettings: Settings;
  setKiosk: { enabled: boolean };
}

/** A method's error as it crosses the boundary: a message a person can read, and a machine code. */
export interface ApiErrorShape {
  code: 'invalid-argument' | 'not-found' | 'conflict' | 'unavailable' | 'internal' | 'forbidden';
  message: string;
}
export class ApiError extends Error implements ApiErrorShape {
  constructor(
    readonly code: ApiErrorShape['code'],
    message: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

/** What the preload and the browser host each provide. */
export interface Transport {
  invoke(method: MethodName, arg: unknown): Promise<unknown>;
  subscribe(topic: TopicName, listener: (payload: unknown) => void): () => void;
  send(media: MediaName, payload: unknown): void;
}

/** The API the renderer sees: one named async function per method, plus on() and send(). */
export type NeuroliveApi = {
  [M in MethodName]: (...arg: undefined extends MethodArg<M> ? [MethodArg<M>?] : [MethodArg<M>]) => Promise<MethodResults[M]>;
} & {
  on<T extends TopicName>(topic: T, listener: (payload: Topics[T]) => void): () => void;
  send<K extends MediaName>(media: K, payload: Media[K]): void;
};

export const METHOD_NAMES = Object.keys(METHODS) as MethodName[];
