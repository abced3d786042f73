/**
 * The class store (src-main/classes) behind the contract: per selected model a
 * ClassClassifier (pretrained + enrolled classes, one learner) answers the
 * live predictions from the embedding the worker returns with every window
 * (the engine is started with keepLayer = card.embeddingLayer, so no network
 * runs on the main thread), and the class methods enroll, rename, recolour,
 * delete, undo, reset, export and import packs.
 *
 * A shot needs the raw events of its window (the store keeps them to re-learn
 * after a backbone change): a bounded ring of the most recent events, fed by
 * the pipeline's tap, provides them.
 */
import type Database from 'better-sqlite3';
import type { EventBatch, Geometry } from '../../src-engine/events/batch';
import type { ModelFrame } from '../../src-engine/models/encoder';
import { ClassStore, type StoredClass } from '../classes/class-store';
import { ClassClassifier } from '../classes/classifier';
import { ApiError, type ClassInfo, type EnrollArgs, type EnrollResult, type MethodName, type Settings } from '../ipc/contract';
import { unknownThresholdFor } from '../settings/store';
import type { LoadedModel } from '../models/load-model';
import type { EngineResult } from '../pipeline/engine';
import type { Classifier, LivePipeline } from '../pipeline/live';

/** events kept for shots (≈ 2 s of a busy 128×128 sensor); oldest overwritten */
export const SHOT_RING_EVENTS = 1 << 20;

/** The last `capacity` events of the live stream (the pipeline's tap: every event, so copied in bulk). */
export class EventRing {
  private readonly t: Float64Array;
  private readonly x: Uint16Array;
  private readonly y: Uint16Array;
  private readonly p: Uint8Array;
  private next = 0;
  private size = 0;
  geometry: Geometry = { width: 0, height: 0 };

  constructor(readonly capacity = SHOT_RING_EVENTS) {
    this.t = new Float64Array(capacity);
    this.x = new Uint16Array(capacity);
    this.y = new Uint16Array(capacity);
    this.p = new Uint8Array(capacity);
  }

  add(b: EventBatch, g: Geometry): void {
    if (g.width !== this.geometry.width || g.height !== this.geometry.height) this.clear();
    this.geometry = g;
    const n = b.length, cap = this.capacity;
    // at most two copies: up to the end of the ring, then from its start
    for (let from = Math.max(0, n - cap); from < n;) {
      const k = this.next, len = Math.min(n - from, cap - k);
      this.t.set(b.t.subarray(from, from + len), k);
      this.x.set(b.x.subarray(from, from + len), k);
      this.y.set(b.y.subarray(from, from + len), k);
      this.p.set(b.p.subarray(from, from + len), k);
      this.next = k + len === cap ? 0 : k + len;
      from += len;
    }
    this.size = Math.min(cap, this.size + n);
  }

  /** a copy of the kept events with tStart ≤ t < tEnd */
  window(tStart: number, tEnd: number): EventBatch {
    const cap = this.capacity, first = (this.next - this.size + cap) % cap;
    let n = 0;
    for (let i = 0; i < this.size; i++) {
      const t = this.t[(first + i) % cap];
      if (t >= tStart && t < tEnd) n++;
    }
    const out = { t: new Float64Array(n), x: new Uint16Array(n), y: new Uint16Array(n), p: new Uint8Array(n), length: n };
    let o = 0;
    for (let i = 0; i < this.size && o < n; i++) {
      const k = (first + i) % cap, t = this.t[k];
      if (t < tStart || t >= tEnd) continue;
      out.t[o] = t;
      out.x[o] = this.x[k];
      out.y[o] = this.y[k];
      out.p[o] = this.p[k];
      o++;
    }
    return out;
  }

  clear(): void {
    this.next = 0;
    this.size = 0;
  }
}

/** a window the engine answered, with its frame: what a shot is learned from */
type Shot = { frame: ModelFrame; result: EngineResult };

function info(c: StoredClass): ClassInfo {
  const { labelIndex: _drop, ...rest } = c as StoredClass & { labelIndex?: unknown };
  return rest as ClassInfo;
}

export class ClassesWiring {
  private classifier: ClassClassifier | null = null;
  private model: LoadedModel | null = null;
  private readonly ring = new EventRing();
  private readonly untap: () => void;
  private waiters: ((r: Shot) => void)[] = [];
  private readonly unresult: () => void;

  constructor(
    readonly store: ClassStore,
    private readonly pipeline: LivePipeline,
    private readonly publish: (classes: ClassInfo[]) => void,
    /** the current settings: in kiosk mode a visitor's new class gets an expiry time */
    private readonly settings: () => Settings | null = () => null,
  ) {
    this.untap = pipeline.tap((b, g) => this.ring.add(b, g));
    this.unresult = pipeline.onResult((frame, result) => {
      const w = this.waiters;
      this.waiters = [];
      for (const fn of w) fn({ frame, result });
    });
  }

  static open(db: Database.Database, pipeline: LivePipeline, publish: (classes: ClassInfo[]) => void, settings?: () => Settings | null): ClassesWiring {
    return new ClassesWiring(new ClassStore(db), pipeline, publish, settings);
  }

  /** Removes visitor classes (enrolled in kiosk mode) whose time is up; announces the new list when any went. */
  expireVisitors(now = Date.now()): number {
    const n = this.classifier?.expire(now) ?? 0;
    if (n > 0) this.changed();
    return n;
  }

  /** A new backbone: its classifier (pretrained + enrolled classes); the pipeline predicts through it. */
  async selectModel(m: LoadedModel, s: Settings): Promise<void> {
    this.classifier = await ClassClassifier.open(this.store, m, { learner: s.learner, unknownThreshold: unknownThresholdFor(s) });
    this.model = m;
    this.pipeline.setClassifier(this.adapter());
    this.publish(this.list());
  }

  applySettings(s: Settings): void {
    const c = this.classifier;
    if (!c) return;
    c.setUnknownThreshold(unknownThresholdFor(s));
    if (c.learnerKind !== s.learner) c.setLearner(s.learner);
  }

  private adapter(): Classifier {
    const head = this.model!.card.labels;
    return {
      classify: (r: EngineResult) => {
        const c = this.classifier;
        const classes = c ? c.list() : [];
        if (!c || !r.embedding || classes.length === 0) {
          const scores = Array.from(r.confidences);
          return { labels: scores.map((_, i) => head[i] ?? `class ${i}`), colours: scores.map(() => '#888888'), scores, top: r.top, unknown: false };
        }
        const p = c.predict(r.embedding, { top: r.top, confidence: r.confidences[r.top] ?? 0 });
        const top = p.classId === null ? -1 : classes.findIndex((k) => k.id === p.classId);
        // the learner scores the best class; the others get no calibrated confidence
        const best = classes.findIndex((k) => k.id === p.bestClassId);
        return {
          labels: classes.map((k) => k.name),
          colours: classes.map((k) => k.colour),
          // pretrained classes answered by the head keep its softmax; the learner scores only its best class
          scores: classes.map((k, i) => (p.by === 'head' && k.labelIndex !== null ? (r.confidences[k.labelIndex] ?? 0) : i === best ? p.confidence : 0)),
          top,
          unknown: top < 0,
        };
      },
    };
  }

  private need(): ClassClassifier {
    if (!this.classifier || !this.model) throw new ApiError('unavailable', 'select a model first: classes belong to a model');
    return this.classifier;
  }

  list(modelId?: string): ClassInfo[] {
    if (modelId && modelId !== this.model?.id) return this.store.list(modelId).map(info);
    return this.classifier ? this.classifier.list().map(info) : [];
  }

  private changed(): void {
    this.publish(this.list());
  }

  private nextResult(): Promise<Shot> {
    return new Promise<Shot>((resolve, reject) => {
      const timer = setTimeout(() => reject(new ApiError('unavailable', 'no window arrived within 5 s: is the source live?')), 5000);
      this.waiters.push((r) => {
        clearTimeout(timer);
        resolve(r);
      });
    });
  }

  /**
   * The capture after a countdown. Windows overlap (hop < window), so a word
   * or gesture that starts a little late is cut off in the first window but
   * whole in a later one: of the windows starting within one window length of
   * the first, the one with the most events is the shot.
   */
  private async captureBest(m: LoadedModel): Promise<Shot> {
    const { windowUs, hopUs } = m.card.input;
    let best = await this.nextResult();
    const until = best.frame.tStartUs + windowUs;
    for (let r = best; r.frame.tStartUs + hopUs < until; ) {
      r = await this.nextResult();
      if (r.frame.tStartUs >= until) break; // windows were dropped: this one starts after the capture
      if (r.frame.events > best.frame.events) best = r;
    }
    return best;
  }

  async enroll(a: EnrollArgs): Promise<EnrollResult> {
    const c = this.need();
    const m = this.model!;
    const shot = a.waitForNext ? await this.captureBest(m) : this.pipeline.lastResult;
    if (!shot) throw new ApiError('unavailable', 'nothing to learn from yet: start a source and wait for the first window');
    const features = shot.result.embedding ?? c.embed(shot.frame.data).features;
    if (a.classId === undefined && a.name === undefined) throw new ApiError('invalid-argument', 'enroll: give the class to add a shot to (classId) or a new class name');
    const e = m.card.input;
    const g = this.ring.geometry.width ? this.ring.geometry : { width: e.sensorWidth, height: e.sensorHeight };
    const events = this.ring.window(shot.frame.tStartUs, shot.frame.tEndUs);
    // a class a visitor starts in kiosk mode lives for the configured time; shots added to it later don't extend it
    const kiosk = this.settings()?.kiosk;
    const expiresAt = a.classId === undefined && kiosk?.enabled ? Date.now() + kiosk.visitorClassTtlMinutes * 60_000 : undefined;
    const r = c.enroll(
      {
        ...(a.classId !== undefined ? { classId: a.classId } : {}),
        ...(a.name !== undefined ? { name: a.name } : {}),
        ...(a.colour !== undefined ? { colour: a.colour } : {}),
        ...(expiresAt !== undefined ? { expiresAt } : {}),
      },
      { events, geometry: { sensor: e.sensor, width: g.width, height: g.height }, features },
    );
    this.changed();
    const [h, w, ch] = shot.frame.shape;
    const pixels = new Uint8Array(h * w);
    const d = shot.frame.data;
    let max = 1;
    for (let i = 0; i < h * w; i++) {
      let s = 0;
      for (let k = 0; k < ch; k++) s += d[i * ch + k];
      pixels[i] = Math.min(255, s);
      if (pixels[i] > max) max = pixels[i];
    }
    for (let i = 0; i < pixels.length; i++) pixels[i] = Math.round((pixels[i] * 255) / max);
    const { shotId: _s, labelIndex: _l, learnMs, ...cls } = r;
    return { cls: cls as ClassInfo, learnMs, preview: { width: w, height: h, pixels } };
  }

  handlers(): [MethodName, (arg: unknown) => unknown][] {
    const h: [MethodName, (arg: never) => unknown][] = [
      ['listClasses', (a?: { modelId?: string }) => this.list(a?.modelId)],
      ['enroll', (a: EnrollArgs) => this.enroll(a)],
      ['undoShot', (a: { classId: number }) => {
        const r = this.need().undoLastShot(a.classId);
        this.changed();
        return r ? info(r) : null;
      }],
      ['renameClass', (a: { classId: number; name: string }) => {
        const r = info(this.need().rename(a.classId, a.name));
        this.changed();
        return r;
      }],
      ['recolourClass', (a: { classId: number; colour: string }) => {
        const r = info(this.need().recolour(a.classId, a.colour));
        this.changed();
        return r;
      }],
      ['deleteClass', (a: { classId: number }) => {
        this.need().delete(a.classId);
        this.changed();
      }],
      ['resetClasses', () => {
        const r = this.need().resetToPretrained().map(info);
        this.changed();
        return r;
      }],
      ['exportClassPack', (a: { path: string; classIds?: number[] }) => {
        this.need();
        return this.store.exportPack(a.path, this.model!.id, a.classIds);
      }],
      ['importClassPack', async (a: { path: string }) => {
        this.need();
        const r = (await this.store.importPack(a.path, this.model!.id)).map(info);
        this.classifier!.load(); // the learner takes the imported shots
        this.changed();
        return r;
      }],
    ];
    return h as [MethodName, (arg: unknown) => unknown][];
  }

  close(): void {
    this.untap();
    this.unresult();
    this.pipeline.setClassifier(null);
    this.classifier = null;
  }
}
