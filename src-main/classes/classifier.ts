// One model's classifier: the learner over embedding features, holding the
// pretrained classes and the enrolled ones side by side.
//
// Where the pretrained classes come from:
// - the card ships pretrained embeddings (embeddings.npy): every example is
//   fitted into the learner as a shot of its label's class, so pretrained and
//   enrolled classes are scored alike by the same learner (the default for the
//   shipped models);
// - no embeddings: the learner holds only classes that have shots, and the
//   network's own head (softmax over its output scores) answers for the
//   pretrained labels. The learner's class wins when its similarity passes the
//   unknown threshold (cosines and softmax confidences are not on one scale,
//   so they are not compared); otherwise the head's label, if its softmax
//   confidence passes the threshold; otherwise unknown. A threshold of 0
//   therefore hides the pretrained labels once a class is enrolled.
//
// The learner is rebuilt deterministically (fixed seed, samples in order:
// pretrained examples, then shots by id) from what the store holds, so the
// in-memory state after a restart equals the one before. Enrolling fits the
// new shot inside the store's transaction; learned_state records the learner's
// state with a fingerprint of the shots it has seen, and is used on open when
// the fingerprint still matches (else the learner is rebuilt).
import { AkidaStyleLearner, suggestNumWeights, countActive } from '../../src-engine/learning/binary-fc';
import { meanDirection, NearestClassMeanLearner } from '../../src-engine/learning/ncm';
import type { Learner, Prediction } from '../../src-engine/learning/learner';
import { ApiError, type LearnerKind } from '../ipc/contract';
import { inTransaction } from '../db';
import type { LoadedModel } from '../models/load-model';
import type { ClassStore, EnrolledClass, EnrollTarget, ModelRecord, ShotInput, StoredClass } from './class-store';
import { embeddingLevels, FeatureExtractor, snippetFeatureFn } from './features';

export interface ClassifierOptions {
  learner: LearnerKind;
  /** settings.unknownThreshold: below this similarity (0–1) the answer is "unknown" */
  unknownThreshold: number;
  /** binary-fc: neurons per class (default 1) and competition (default 0) — the vendor defaults */
  neuronsPerClass?: number;
  learningCompetition?: number;
  /** binary-fc: unary levels per feature (default: the embedding's 2^bits − 1; 1 = the vendor's non-zero = active) */
  inputLevels?: number;
  seed?: number;
}

export interface ClassPrediction {
  /** the class, or null for "unknown" */
  classId: number | null;
  name: string | null;
  colour: string | null;
  /** the best-scoring class even when rejected */
  bestClassId: number | null;
  similarity: number;
  margin: number;
  confidence: number;
  /** 'learner' or the network's 'head' (pretrained classes without shipped embeddings) */
  by: 'learner' | 'head';
}

export interface ClassifierEnrollResult extends EnrolledClass {
  /** ms from the call (the shot's features in hand) to the committed, usable class */
  learnMs: number;
}

interface Fingerprint {
  learner: LearnerKind;
  seed: number;
  inputLevels: number;
  shots: number;
  lastShotId: number;
  classIds: number[];
  embeddings: number;
}

/** NCM's centre: the mean direction of the model's shipped pretrained examples; null without them. */
export function pretrainedCentre(loaded: LoadedModel): Float64Array | null {
  const e = loaded.embeddings;
  if (!e || e.count === 0) return null;
  const size = loaded.card.embeddingSize;
  return meanDirection(Array.from({ length: e.count }, (_, i) => e.data.subarray(i * size, (i + 1) * size)), size);
}

export function modelRecord(loaded: LoadedModel): ModelRecord {
  return { id: loaded.id, name: loaded.card.name, task: loaded.card.task, embeddingSize: loaded.card.embeddingSize, labels: loaded.card.labels };
}

const sameFingerprint = (a: Fingerprint, b: Fingerprint) => JSON.stringify(a) === JSON.stringify(b);

export class ClassClassifier {
  readonly modelId: string;
  private opts: Required<ClassifierOptions>;
  private learner!: Learner;
  /** learner class index → class */
  private classes: StoredClass[] = [];
  private indexOf = new Map<number, number>();
  /** label index → class, for the head fallback */
  private pretrainedByLabel = new Map<number, StoredClass>();
  private readonly hasEmbeddings: boolean;
  private fingerprint!: Fingerprint;

  private constructor(
    readonly store: ClassStore,
    readonly loaded: LoadedModel,
    readonly extractor: FeatureExtractor,
    opts: ClassifierOptions,
  ) {
    this.modelId = loaded.id;
    this.opts = { neuronsPerClass: 1, learningCompetition: 0, seed: 1, inputLevels: embeddingLevels(loaded), ...opts };
    this.hasEmbeddings = !!loaded.embeddings && loaded.embeddings.count > 0;
  }

  /**
   * Registers the model, re-learns the classes of its predecessor (same task,
   * another hash) when it has none of its own, and builds the learner.
   */
  static async open(store: ClassStore, loaded: LoadedModel, opts: ClassifierOptions): Promise<ClassClassifier> {
    const c = new ClassClassifier(store, loaded, new FeatureExtractor(loaded), opts);
    store.registerModel(modelRecord(loaded));
    if (store.relearnSource(loaded.id)) await store.relearn(loaded.id, snippetFeatureFn(c.extractor));
    c.load();
    return c;
  }

  get learnerKind(): LearnerKind {
    return this.opts.learner;
  }

  /** the classes as the learner indexes them */
  list(): StoredClass[] {
    return this.store.list(this.modelId);
  }

  setUnknownThreshold(t: number): void {
    if (!(t >= 0 && t <= 1)) throw new ApiError('invalid-argument', `the unknown threshold is between 0 and 1, not ${t}`);
    this.opts.unknownThreshold = t;
    this.learner.unknown = { minSimilarity: t, minMargin: 0 };
  }

  setLearner(kind: LearnerKind): void {
    if (kind !== 'ncm' && kind !== 'binary-fc') throw new ApiError('invalid-argument', `learner is 'ncm' or 'binary-fc', not ${JSON.stringify(kind)}`);
    this.opts.learner = kind;
    this.load();
  }

  /**
   * (Re)builds the learner from the store: the saved state when its
   * fingerprint matches, else a replay. The replay does exactly what the
   * incremental path did: it starts with the pretrained classes (with shipped
   * embeddings; none without) and fits their examples, then walks the shots in
   * id order, appending a class to the learner at its first shot — as enroll()
   * appends a new class — so replay and live learning give the same state.
   */
  load(): void {
    const all = this.store.list(this.modelId);
    const shots = this.store.shotsOfModel(this.modelId);
    const byId = new Map(all.map((c) => [c.id, c]));
    const initial = this.hasEmbeddings ? all.filter((c) => c.origin === 'pretrained') : [];
    const order = [...initial];
    const seen = new Set(initial.map((c) => c.id));
    for (const s of shots) {
      if (!seen.has(s.classId) && byId.has(s.classId)) {
        seen.add(s.classId);
        order.push(byId.get(s.classId)!);
      }
    }
    this.setClasses(all, order);
    const fp = this.currentFingerprint(order, shots);
    const saved = this.opts.learner === 'binary-fc' ? (this.store.loadLearnedState(this.modelId, 'binary-fc') as { fingerprint: Fingerprint; state: unknown } | null) : null;
    if (saved && saved.fingerprint && sameFingerprint(saved.fingerprint, fp)) {
      try {
        this.learner = AkidaStyleLearner.fromJSON(saved.state);
        this.learner.unknown = { minSimilarity: this.opts.unknownThreshold, minMargin: 0 };
        this.fingerprint = fp;
        return;
      } catch {
        // a stale or damaged cache: replay below
      }
    }
    const emb = this.loaded.embeddings;
    const size = this.loaded.card.embeddingSize;
    const pretrained: Uint8Array[] = [];
    const pretrainedIdx: number[] = [];
    if (emb && this.hasEmbeddings) {
      for (let i = 0; i < emb.count; i++) {
        const cls = this.pretrainedByLabel.get(emb.labels[i]);
        const idx = cls ? this.indexOf.get(cls.id) : undefined;
        if (idx !== undefined) {
          pretrained.push(emb.data.subarray(i * size, (i + 1) * size));
          pretrainedIdx.push(idx);
        }
      }
    }
    this.learner = this.makeLearner(initial.length, this.hasEmbeddings ? pretrained : shots.slice(0, 1).map((s) => s.features));
    pretrained.forEach((f, i) => this.fitOne(f, pretrainedIdx[i]));
    for (const s of shots) {
      const idx = this.indexOf.get(s.classId);
      if (idx === undefined) continue;
      if (idx >= this.learner.numClasses) this.learner.addClasses(idx + 1 - this.learner.numClasses);
      this.fitOne(s.features, idx);
    }
    this.fingerprint = fp;
  }

  private fitOne(f: Uint8Array, idx: number): void {
    // NCM cannot learn a vector with no direction; the binary layer just moves nothing
    if (this.learner.kind !== 'ncm' || countActive(f) > 0) this.learner.fit(f, idx);
  }

  private currentFingerprint(classes: StoredClass[], shots: { id: number }[]): Fingerprint {
    return {
      learner: this.opts.learner,
      seed: this.opts.seed,
      inputLevels: this.opts.inputLevels,
      shots: shots.length,
      lastShotId: shots.length ? shots[shots.length - 1].id : 0,
      classIds: classes.map((c) => c.id),
      embeddings: this.loaded.embeddings?.count ?? 0,
    };
  }

  private setClasses(all: StoredClass[], classes: StoredClass[]): void {
    this.classes = classes;
    this.indexOf = new Map(classes.map((c, i) => [c.id, i]));
    this.pretrainedByLabel = new Map(all.filter((c) => c.labelIndex !== null).map((c) => [c.labelIndex!, c]));
  }

  private makeLearner(numClasses: number, samples: Uint8Array[]): Learner {
    const unknown = { minSimilarity: this.opts.unknownThreshold, minMargin: 0 };
    const inputSize = this.loaded.card.embeddingSize;
    if (this.opts.learner === 'ncm') return new NearestClassMeanLearner({ inputSize, numClasses, unknown, centre: this.centre() });
    // numWeights: the guideline over the pretrained examples, or over the first shot when there are none
    const levels = this.opts.inputLevels;
    const numWeights = samples.length ? suggestNumWeights(samples.map((f) => countActive(f, levels)), inputSize * levels) : Math.max(1, Math.floor((inputSize * levels) / 8));
    return new AkidaStyleLearner({
      inputSize,
      inputLevels: levels,
      numClasses,
      numWeights,
      neuronsPerClass: this.opts.neuronsPerClass,
      learningCompetition: this.opts.learningCompetition,
      seed: this.opts.seed,
      unknown,
    });
  }

  private centreCache: Float64Array | null | undefined;

  private centre(): Float64Array | null {
    if (this.centreCache === undefined) this.centreCache = pretrainedCentre(this.loaded);
    return this.centreCache;
  }

  /** the embedding and the network's head prediction for one model input frame */
  embed(frame: Uint8Array) {
    return this.extractor.run(frame);
  }

  /** classifies one model input frame */
  classifyFrame(frame: Uint8Array): ClassPrediction & { features: Uint8Array } {
    const { features, head } = this.extractor.run(frame);
    return { ...this.predict(features, head), features };
  }

  /**
   * Classifies an embedding. `head` (the network's own prediction) is only
   * used for pretrained classes when the model ships no embeddings.
   */
  predict(features: Uint8Array, head?: { top: number; confidence: number }): ClassPrediction {
    const p: Prediction | null = this.learner.numClasses > 0 ? this.learner.predict(features) : null;
    const fromLearner = (q: Prediction): ClassPrediction => {
      const best = q.bestClass >= 0 ? this.classes[q.bestClass] : null;
      const cls = q.classIndex >= 0 ? this.classes[q.classIndex] : null;
      return { classId: cls?.id ?? null, name: cls?.name ?? null, colour: cls?.colour ?? null, bestClassId: best?.id ?? null, similarity: q.similarity, margin: q.margin, confidence: q.confidence, by: 'learner' };
    };
    if (this.hasEmbeddings || !head) return p ? fromLearner(p) : { classId: null, name: null, colour: null, bestClassId: null, similarity: 0, margin: 0, confidence: 0, by: 'learner' };
    const headCls = this.pretrainedByLabel.get(head.top) ?? null;
    if (p && p.classIndex >= 0) return fromLearner(p);
    const ok = headCls !== null && head.confidence >= this.opts.unknownThreshold;
    return {
      classId: ok ? headCls!.id : null,
      name: ok ? headCls!.name : null,
      colour: ok ? headCls!.colour : null,
      bestClassId: headCls?.id ?? null,
      similarity: head.confidence,
      margin: 0,
      confidence: head.confidence,
      by: 'head',
    };
  }

  /**
   * Stores the shot and teaches the learner, in one transaction: when this
   * returns, the class is committed and predict() knows it.
   */
  enroll(target: EnrollTarget, shot: ShotInput): ClassifierEnrollResult {
    const t0 = performance.now();
    try {
      const r = inTransaction(this.store.db, () => {
        const cls = this.store.enroll(this.modelId, target, shot);
        let idx = this.indexOf.get(cls.id);
        if (idx === undefined) {
          // a new class (or, without embeddings, a pretrained class's first shot): append it
          this.learner.addClasses(1);
          idx = this.classes.length;
          this.classes = [...this.classes, cls];
          this.indexOf.set(cls.id, idx);
        } else {
          this.classes[idx] = cls;
        }
        if (this.learner.kind === 'akida-binary-fc' && !this.hasEmbeddings && this.fingerprint.shots === 0) {
          // without embeddings the first shot ever sets numWeights (as the replay in load() does)
          this.learner = this.makeLearner(1, [shot.features]);
        }
        this.fitOne(shot.features, idx);
        this.fingerprint = { ...this.fingerprint, shots: this.fingerprint.shots + 1, lastShotId: cls.shotId, classIds: this.classes.map((c) => c.id) };
        if (this.learner instanceof AkidaStyleLearner) this.store.saveLearnedState(this.modelId, 'binary-fc', { fingerprint: this.fingerprint, state: this.learner.toJSON() });
        return cls;
      });
      return { ...r, learnMs: performance.now() - t0 };
    } catch (e) {
      // the transaction rolled back: the learner may have learned the shot already
      this.load();
      throw e;
    }
  }

  undoLastShot(classId: number): StoredClass | null {
    this.requireOwn(classId);
    const r = this.store.undoLastShot(classId);
    this.load();
    return r;
  }

  rename(classId: number, name: string): StoredClass {
    this.requireOwn(classId);
    const r = this.store.rename(classId, name);
    this.refreshClass(r);
    return r;
  }

  recolour(classId: number, colour: string): StoredClass {
    this.requireOwn(classId);
    const r = this.store.recolour(classId, colour);
    this.refreshClass(r);
    return r;
  }

  delete(classId: number): void {
    this.requireOwn(classId);
    this.store.delete(classId);
    this.load();
  }

  resetToPretrained(): StoredClass[] {
    const r = this.store.resetToPretrained(this.modelId);
    this.load();
    return r;
  }

  /** one file with this model's enrolled classes (or the chosen ones) */
  exportPack(path: string, classIds?: readonly number[]): Promise<{ path: string; classes: number }> {
    return this.store.exportPack(path, this.modelId, classIds);
  }

  /**
   * Imports a pack into this model (all or nothing); a pack made with another
   * backbone is re-learned from its raw snippets by this model.
   */
  async importPack(path: string, onConflict: 'refuse' | 'merge' = 'refuse'): Promise<StoredClass[]> {
    const r = await this.store.importPack(path, this.modelId, { featureFn: snippetFeatureFn(this.extractor), onConflict });
    this.load();
    return r;
  }

  /** removes expired visitor classes; rebuilds when any went */
  expire(now?: number): number {
    const n = this.store.expire(now);
    if (n > 0) this.load();
    return n;
  }

  private refreshClass(c: StoredClass): void {
    const idx = this.indexOf.get(c.id);
    if (idx !== undefined) this.classes[idx] = c;
    if (c.labelIndex !== null) this.pretrainedByLabel.set(c.labelIndex, c);
  }

  private requireOwn(classId: number): void {
    const c = this.store.get(classId);
    if (c.modelId !== this.modelId) throw new ApiError('invalid-argument', `class "${c.name}" belongs to another model`);
  }
}
