// `generateKeywordDataset`: the keyword-spotting dataset (issue 4) — words
// spoken by espeak-ng (train/val, few-shot with unseen voices), festival,
// MBROLA, Pico and RHVoice (more training synthesizers and speakers, each in
// its own split) and flite (test: a synthesizer the backbone never hears),
// mixed with noise, encoded by
// the cochlea exactly as the live app does, written in the shared dataset
// format (src-main/datasets/dataset-writer.ts). See docs/DATASETS.md.
import { existsSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import {
  assembleSplits,
  cleanPartialShards,
  type DatasetGenOptions,
  type DatasetMeta,
  type DatasetSummary,
  keepShardsOfKey,
  readDatasetMeta,
  shardDone,
  SplitShardWriter,
  writeDatasetMeta,
} from '../dataset-writer';
import { InputEncoding } from '../../../src-engine/models/card';
import { FESTIVAL_VOICE_PACKAGES, listSpeechVoices, RHVOICE_VOICE_PACKAGES, runTool, SPEECH_SAMPLE_RATE, SpeechToolError, synthesizeSpeech } from '../../media/speech';
import { KEYWORD_INPUT } from './encoding';
import { loadNoiseBank, NOISE_KINDS } from './noise';
import { AUX_WORDS } from './aux-vocabulary';
import { DEFAULT_ACCENTS_PER_CLASS, DEFAULT_AUX_PER_WORD, DEFAULT_FESTIVAL_PER_CLASS, DEFAULT_MBROLA_PER_CLASS, DEFAULT_PARAMETRIC_PER_CLASS, DEFAULT_FESTVOX_PER_CLASS, DEFAULT_HMM_ACCENTS_PER_CLASS, EDGE_US, planAccents, planAux, planFestival, planFestvox, planHmmAccents, planMbrola, planParametric, planSplits, PRE_ROLL_US, type SampleSpec, sampleSpec, type SplitPlan, TAIL_US, WINDOW_US } from './plan';
import { encodeSample, trimWord } from './sample';
import { ALL_CLASSES, BACKBONE_CLASSES, HELD_OUT_WORDS, UNKNOWN_WORDS } from './vocabulary';
import { ACCENT_VOICES, FESTIVAL_VOICES, FESTVOX_VOICES, HMM_ACCENT_VOICES, MBROLA_VOICES, PARAMETRIC_VOICES, VOICES } from './voices';

export { KEYWORD_INPUT, encodeClip } from './encoding';
export { ALL_CLASSES, BACKBONE_CLASSES, HELD_OUT_WORDS, UNKNOWN_WORDS, COMMAND_WORDS } from './vocabulary';
export { VOICES } from './voices';
export { AUX_WORDS } from './aux-vocabulary';
export { planAccents, planAux, planFestival, planHmmAccents, planMbrola, planParametric, planSplits, sampleSpec } from './plan';
export type { SampleSpec, SplitPlan, KeywordSplit } from './plan';
export { makeSample, encodeSample, mixSample, trimWord } from './sample';

export const KEYWORD_GENERATOR_VERSION = 'keywords-3';
/** Versions the `aux` split's shards (the auxiliary vocabulary); no other split depends on it. */
export const KEYWORD_AUX_VERSION = 'keywords-aux-1';
/** Versions the `festival` split's shards; no other split depends on it. */
export const KEYWORD_FESTIVAL_VERSION = 'keywords-festival-1';
/** Versions the `accents` split's shards; no other split depends on it. */
export const KEYWORD_ACCENTS_VERSION = 'keywords-accents-1';
/** Versions the `mbrola` split's shards; no other split depends on it. */
export const KEYWORD_MBROLA_VERSION = 'keywords-mbrola-1';
/** Versions the `parametric` split's shards; no other split depends on it. */
export const KEYWORD_PARAMETRIC_VERSION = 'keywords-parametric-1';
/** Versions the `festvox` split's shards; no other split depends on it. */
export const KEYWORD_FESTVOX_VERSION = 'keywords-festvox-1';
/** Versions the `hmmaccents` split's shards (its respellings included); no other split depends on it. */
export const KEYWORD_HMM_ACCENTS_VERSION = 'keywords-hmmaccents-1';
/** Samples per shard: the unit of resumption. */
export const SHARD_SIZE = 256;
export const DEFAULT_PER_CLASS = 300;
const TINY_PER_CLASS = 2;

export interface KeywordGenOptions extends DatasetGenOptions {
  /** synthesizer processes in flight (default 2: the machine's cores) */
  concurrency?: number;
  /** the CLI's --workers: the same as concurrency (0 counts as 1) */
  workers?: number;
  /** another audio input encoding (default KEYWORD_INPUT), for encoding experiments; the synthesized speech cache still applies */
  input?: InputEncoding;
  /** where synthesized WAVs are cached (default `<outDir>/cache/speech`; false: no cache) */
  speechCacheDir?: string | false;
  /** takes of each auxiliary word in the `aux` split (default DEFAULT_AUX_PER_WORD; tiny: one take of a few words; 0: no aux split) */
  auxPerWord?: number;
  /** takes of each command word and of unknown words by festival in the `festival` split (default DEFAULT_FESTIVAL_PER_CLASS; tiny: one each; 0: no festival split) */
  festivalPerClass?: number;
  /** takes of each command word and of unknown words by festival's other-language voices in the `accents` split (default DEFAULT_ACCENTS_PER_CLASS; tiny: one each; 0: none) */
  accentsPerClass?: number;
  /** takes of each command word and of unknown words by MBROLA's voices in the `mbrola` split (default DEFAULT_MBROLA_PER_CLASS; tiny: one each; 0: none) */
  mbrolaPerClass?: number;
  /** takes of each command word and of unknown words by Pico's and RHVoice's voices in the `parametric` split (default DEFAULT_PARAMETRIC_PER_CLASS; tiny: one each; 0: none) */
  parametricPerClass?: number;
  /** takes of each command word and of unknown words by festival's other English voices in the `festvox` split (default DEFAULT_FESTVOX_PER_CLASS; tiny: one each; 0: none) */
  festvoxPerClass?: number;
  /** takes of each command word and of unknown words by Pico's and RHVoice's other-language voices in the `hmmaccents` split (default DEFAULT_HMM_ACCENTS_PER_CLASS; tiny: one each; 0: none) */
  hmmAccentsPerClass?: number;
}

/** The word splits by other synthesizers: each has its own shard key, option and voices. */
const WORD_SPLITS = [
  { split: 'festival', version: KEYWORD_FESTIVAL_VERSION, option: 'festivalPerClass', perClass: DEFAULT_FESTIVAL_PER_CLASS, plan: planFestival, voices: FESTIVAL_VOICES },
  { split: 'accents', version: KEYWORD_ACCENTS_VERSION, option: 'accentsPerClass', perClass: DEFAULT_ACCENTS_PER_CLASS, plan: planAccents, voices: ACCENT_VOICES },
  { split: 'mbrola', version: KEYWORD_MBROLA_VERSION, option: 'mbrolaPerClass', perClass: DEFAULT_MBROLA_PER_CLASS, plan: planMbrola, voices: MBROLA_VOICES },
  { split: 'parametric', version: KEYWORD_PARAMETRIC_VERSION, option: 'parametricPerClass', perClass: DEFAULT_PARAMETRIC_PER_CLASS, plan: planParametric, voices: PARAMETRIC_VOICES },
  { split: 'festvox', version: KEYWORD_FESTVOX_VERSION, option: 'festvoxPerClass', perClass: DEFAULT_FESTVOX_PER_CLASS, plan: planFestvox, voices: FESTVOX_VOICES },
  { split: 'hmmaccents', version: KEYWORD_HMM_ACCENTS_VERSION, option: 'hmmAccentsPerClass', perClass: DEFAULT_HMM_ACCENTS_PER_CLASS, plan: planHmmAccents, voices: HMM_ACCENT_VOICES },
] as const;

/** What each word split holds, for meta.generator.splitsFrom. */
const WORD_SPLIT_SOURCES: Record<(typeof WORD_SPLITS)[number]['split'], string> = {
  festival: `festival (${FESTIVAL_VOICES.join(', ')}: a second training synthesizer, never flite's speakers); command words and unknown words`,
  accents: `festival's other-language voices (${ACCENT_VOICES.map((a) => `${a.name} ${a.lang}`).join(', ')}) reading respellings: accented English; command words and unknown words`,
  mbrola: `espeak-ng with MBROLA's recorded diphone voices (${MBROLA_VOICES.join(', ')}): native and accented English; command words and unknown words`,
  parametric: `Pico's and RHVoice's HMM voices (${PARAMETRIC_VOICES.map((v) => `${v.synth} ${v.name}`).join(', ')}); command words and unknown words`,
  festvox: `festival's other English voices (${FESTVOX_VOICES.join(', ')}): diphone and MBROLA speakers with festival's prosody; command words and unknown words`,
  hmmaccents: `Pico's and RHVoice's other-language HMM voices (${HMM_ACCENT_VOICES.map((v) => `${v.synth} ${v.name}${v.lang ? ` reading ${v.lang} respellings` : ''}`).join(', ')}): accented English; command words and unknown words`,
};

/** A split with its own shard key (aux and the word splits): adding or changing it leaves the other splits' shards alone. */
interface KeyedSplit {
  plan: SplitPlan;
  keyFile: string;
  key: string;
}

async function toolVersions(): Promise<Record<string, string>> {
  const first = async (tool: string, args: string[]): Promise<string> => {
    const r = await runTool(tool, args, 10_000, true);
    const lines = (r.stdout.toString() + r.stderr.toString()).split('\n').map((l) => l.trim());
    return lines.find((l) => /\d+\.\d+/.test(l) && !/copyright/i.test(l)) ?? '?';
  };
  const [espeak, flite, sox] = await Promise.all([first('espeak-ng', ['--version']), first('flite', ['--version']), first('sox', ['--version'])]);
  return { 'espeak-ng': espeak, flite, sox };
}

/** Everything that decides the bytes of the shards: a change invalidates them. */
function fingerprint(seed: number, perClass: number, tiny: boolean, input: InputEncoding): string {
  return JSON.stringify({ v: KEYWORD_GENERATOR_VERSION, seed, perClass, tiny, input, shard: SHARD_SIZE });
}

/** The aux split's own key: changing it remakes only the aux shards. */
function auxFingerprint(seed: number, perWord: number, tiny: boolean, input: InputEncoding): string {
  return JSON.stringify({ v: KEYWORD_AUX_VERSION, seed, perWord, tiny, words: AUX_WORDS, input, shard: SHARD_SIZE });
}

/** A word split's own key (the accents and hmmaccents splits' respellings are part of their versions). */
function wordSplitFingerprint(w: (typeof WORD_SPLITS)[number], seed: number, perClass: number, tiny: boolean, input: InputEncoding): string {
  return JSON.stringify({ v: w.version, seed, perClass, tiny, voices: w.voices, input, shard: SHARD_SIZE });
}

/** Refuses a run whose `synth` voices are not all installed; the error names the voice's Debian package. */
async function requireVoices(synth: 'festival' | 'rhvoice', voices: readonly string[], packages: Readonly<Record<string, string>>, component = ''): Promise<void> {
  const installed = await listSpeechVoices(synth);
  for (const v of voices) {
    if (!installed.includes(v)) throw new SpeechToolError(synth, `voice ${v} is not installed — install the Debian package '${packages[v]}'${component}`, true);
  }
}

/** festival and the voices a run needs, checked before any work (the error names the Debian package). */
async function festivalVersion(voices: readonly string[]): Promise<string> {
  const r = await runTool('festival', ['--version'], 10_000, true);
  await requireVoices('festival', voices, FESTIVAL_VOICE_PACKAGES);
  return (r.stdout.toString() + r.stderr.toString()).trim().split('\n')[0] ?? '?';
}

/** The mbrola program and the parametric and hmmaccents splits' tools and RHVoice voices, checked before any work (each error names the Debian package). */
async function otherSynthVersions(mbrola: boolean, parametric: boolean, rhvoiceVoices: readonly string[]): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  if (mbrola) {
    // mbrola prints no version; each voice's database is checked when it first speaks (speech.ts)
    await runTool('mbrola', ['-h'], 10_000, true);
    out.mbrola = 'mbrola';
  }
  if (parametric) {
    await runTool('pico2wave', ['--usage'], 10_000, true);
    await runTool('RHVoice-test', ['--version'], 10_000, true);
    out.pico = 'pico2wave';
    out.rhvoice = 'RHVoice-test';
    await requireVoices('rhvoice', rhvoiceVoices, RHVOICE_VOICE_PACKAGES, ' (non-free)');
  }
  return out;
}

/**
 * Generates (or resumes) the dataset in `opts.outDir`. Each split is written
 * in shards of SHARD_SIZE samples; a shard found complete from an earlier run
 * with the same settings is skipped. meta.json is written last.
 */
export async function generateKeywordDataset(opts: KeywordGenOptions): Promise<DatasetSummary> {
  const t0 = performance.now();
  const { outDir, seed } = opts;
  if (!Number.isInteger(seed)) throw new RangeError(`keywords: seed must be a whole number, not ${seed}`);
  const tiny = !!opts.tiny;
  const perClass = opts.perClass ?? (tiny ? TINY_PER_CLASS : DEFAULT_PER_CLASS);
  if (!Number.isInteger(perClass) || perClass < 1) throw new RangeError(`keywords: perClass must be a whole number ≥ 1, not ${perClass}`);
  const concurrency = Math.max(1, Math.min(8, opts.concurrency ?? opts.workers ?? 2));
  const speechCache = opts.speechCacheDir === false ? undefined : (opts.speechCacheDir ?? join(outDir, 'cache', 'speech'));
  const versions = await toolVersions(); // fails early with the Debian package name when a tool is missing

  mkdirSync(join(outDir, 'shards'), { recursive: true });
  const fpPath = join(outDir, 'shards', 'settings.json');
  const input = opts.input ? InputEncoding.parse(opts.input) : KEYWORD_INPUT;
  if (input.sensor !== 'audio' || input.layout !== 'time-rows' || !input.cochlea) throw new RangeError('keywords: the input encoding must be audio (cochlea) with the time-rows layout');
  const auxPerWord = opts.auxPerWord ?? DEFAULT_AUX_PER_WORD;
  if (!Number.isInteger(auxPerWord) || auxPerWord < 0) throw new RangeError(`keywords: auxPerWord must be a whole number ≥ 0, not ${auxPerWord}`);
  const aux = auxPerWord > 0 ? planAux(auxPerWord, tiny) : null;
  // aux and the word splits have their own keys (like gesture's novel shards), so adding them leaves train/val/test/fewshot byte-identical
  const keyed: KeyedSplit[] = [];
  if (aux) keyed.push({ plan: aux, keyFile: 'plan-aux.json', key: auxFingerprint(seed, auxPerWord, tiny, input) });
  const wordSplits = new Map<string, SplitPlan>();
  for (const w of WORD_SPLITS) {
    const n = opts[w.option] ?? w.perClass;
    if (!Number.isInteger(n) || n < 0) throw new RangeError(`keywords: ${w.option} must be a whole number ≥ 0, not ${n}`);
    if (n === 0) continue;
    const plan = w.plan(n, tiny);
    wordSplits.set(w.split, plan);
    keyed.push({ plan, keyFile: `plan-${w.split}.json`, key: wordSplitFingerprint(w, seed, n, tiny, input) });
  }
  const festival = wordSplits.get('festival'), accents = wordSplits.get('accents'), festvox = wordSplits.get('festvox');
  if (festival || accents || festvox) versions.festival = await festivalVersion([...(festival ? FESTIVAL_VOICES : []), ...(accents ? ACCENT_VOICES.map((a) => a.name) : []), ...(festvox ? FESTVOX_VOICES : [])]);
  // festvox's MBROLA voices need the mbrola program too
  const rhvoiceVoices = [...(wordSplits.has('parametric') ? PARAMETRIC_VOICES : []), ...(wordSplits.has('hmmaccents') ? HMM_ACCENT_VOICES : [])].filter((v) => v.synth === 'rhvoice').map((v) => v.name);
  Object.assign(versions, await otherSynthVersions(wordSplits.has('mbrola') || !!festvox, wordSplits.has('parametric') || wordSplits.has('hmmaccents'), rhvoiceVoices));
  const plans = [...planSplits(perClass, tiny), ...keyed.map((k) => k.plan)];
  const fp = fingerprint(seed, perClass, tiny, input);
  const same = existsSync(fpPath) && readFileSync(fpPath, 'utf8') === fp;
  const keyedSame = keyed.every((k) => existsSync(join(outDir, 'shards', k.keyFile)) && readFileSync(join(outDir, 'shards', k.keyFile), 'utf8') === k.key);
  // a finished dataset made with the same settings is returned untouched
  if (same && keyedSame && existsSync(join(outDir, 'meta.json'))) {
    const meta = readDatasetMeta(outDir);
    if (!aux === !meta.splits.aux && WORD_SPLITS.every((w) => wordSplits.has(w.split) === !!meta.splits[w.split])) {
      const total = plans.reduce((n, p) => n + p.count, 0);
      opts.onProgress?.(total, total, 'done');
      return { outDir, meta, seconds: (performance.now() - t0) / 1000 };
    }
  }
  rmSync(join(outDir, 'meta.json'), { force: true });
  if (!same) {
    rmSync(join(outDir, 'shards'), { recursive: true, force: true });
    mkdirSync(join(outDir, 'shards'), { recursive: true });
    writeFileSync(fpPath, fp);
  }
  for (const k of keyed) keepShardsOfKey(outDir, k.keyFile, k.key, (name) => name.startsWith(`${k.plan.split}-`));
  cleanPartialShards(outDir);
  const noise = await loadNoiseBank(join(outDir, 'cache', 'noise'));

  const total = plans.reduce((n, p) => n + p.count, 0);
  let done = 0;
  let made = 0;
  let events = 0;
  let synthMs = 0;
  const tGen = performance.now();
  const shardCounts: Record<string, number> = {};
  for (const plan of plans) {
    const shards = Math.ceil(plan.count / SHARD_SIZE);
    shardCounts[plan.split] = shards;
    for (let k = 0; k < shards; k++) {
      const from = k * SHARD_SIZE, to = Math.min(plan.count, from + SHARD_SIZE);
      if (shardDone(outDir, plan.split, k)) {
        done += to - from;
        opts.onProgress?.(done, total, plan.split);
        continue;
      }
      const r = await writeShard(outDir, seed, plan, k, from, to, noise, speechCache, concurrency, input, () => {
        done++;
        opts.onProgress?.(done, total, plan.split);
      });
      made += to - from;
      events += r.events;
      synthMs += r.synthMs;
    }
  }
  const genSeconds = (performance.now() - tGen) / 1000;
  const splits = assembleSplits(outDir, shardCounts);
  const meta: DatasetMeta = {
    format: 'neurolive-dataset',
    version: 1,
    task: 'keywords',
    seed,
    // the aux words follow the 20 classes; only the aux split holds them (never a backbone output, never held out)
    classes: [...ALL_CLASSES, ...(aux ? aux.classes : [])],
    backboneClasses: [...BACKBONE_CLASSES],
    heldOutClasses: [...HELD_OUT_WORDS],
    ...(aux ? { auxClasses: [...aux.classes] } : {}),
    input,
    splits,
    generator: {
      version: KEYWORD_GENERATOR_VERSION,
      ...(aux ? { auxVersion: KEYWORD_AUX_VERSION, auxPerWord: aux.perClass } : {}),
      ...Object.fromEntries(WORD_SPLITS.filter((w) => wordSplits.has(w.split)).flatMap((w) => [[`${w.split}Version`, w.version], [w.option, wordSplits.get(w.split)!.perClass]])),
      perClass,
      tiny,
      tools: versions,
      sampleRate: SPEECH_SAMPLE_RATE,
      clip: { preRollUs: PRE_ROLL_US, windowUs: WINDOW_US, tailUs: TAIL_US, edgeUs: EDGE_US },
      unknownWords: [...UNKNOWN_WORDS],
      noise: [...NOISE_KINDS],
      splitsFrom: {
        train: 'espeak-ng, training voices',
        val: 'espeak-ng, training voices, other takes',
        test: 'flite voices (synthesizer never used in train/val)',
        fewshot: 'espeak-ng voices unused in train/val (every 5th variant, the en-us-nyc accent); backbone and held-out words',
        ...(aux ? { aux: 'espeak-ng, training voices; the auxiliary vocabulary (auxClasses: common words that neither are nor sound like a command, unknown or held-out word)' } : {}),
        ...Object.fromEntries(WORD_SPLITS.filter((w) => wordSplits.has(w.split)).map((w) => [w.split, WORD_SPLIT_SOURCES[w.split]])),
      },
      /** group id → voice ("synth:voice"); silence samples have group −1 */
      voices: VOICES.map((v) => `${v.synth}:${v.name}`),
      /** of this run (0 when every shard was resumed) */
      samplesMade: made,
      samplesPerSecond: made ? Math.round((made / genSeconds) * 10) / 10 : 0,
      meanEventsPerWindow: made ? Math.round(events / made) : 0,
      synthMsPerSample: made ? Math.round(synthMs / made) : 0,
    },
  };
  writeDatasetMeta(outDir, meta);
  return { outDir, meta, seconds: (performance.now() - t0) / 1000 };
}

/**
 * One shard: synthesis runs `concurrency` child processes ahead while this
 * thread mixes and encodes samples in order (deterministic output order).
 */
async function writeShard(
  outDir: string, seed: number, plan: SplitPlan, shard: number, from: number, to: number,
  noise: Awaited<ReturnType<typeof loadNoiseBank>>, cacheDir: string | undefined, concurrency: number, input: InputEncoding, tick: () => void,
): Promise<{ events: number; synthMs: number }> {
  const specs: SampleSpec[] = [];
  for (let i = from; i < to; i++) specs.push(sampleSpec(seed, plan, i));
  let synthMs = 0;
  const words: Promise<Float32Array | null>[] = new Array(specs.length);
  let next = 0;
  const start = (): void => {
    if (next >= specs.length) return;
    const s = specs[next];
    const t = performance.now();
    const p = s.speech
      ? synthesizeSpeech(s.speech, { cacheDir }).then((wav) => {
          synthMs += performance.now() - t;
          return trimWord(wav);
        })
      : Promise.resolve(null);
    p.catch(() => {}); // handled when awaited in order; this keeps an early failure from being "unhandled"
    words[next++] = p;
  };
  for (let i = 0; i < concurrency; i++) start();
  const writer = new SplitShardWriter(outDir, plan.split, shard, [input.bins, input.width, input.polarities]);
  let events = 0;
  try {
    for (let i = 0; i < specs.length; i++) {
      let word: Float32Array | null;
      try {
        word = await words[i];
      } finally {
        start();
      }
      const s = encodeSample(specs[i], word, noise, input);
      events += s.events;
      writer.add(s.frame, specs[i].label, specs[i].group);
      words[i] = undefined as never; // let the audio go
      tick();
    }
    writer.close();
  } catch (e) {
    writer.abort();
    await Promise.allSettled(words.filter(Boolean)); // let the child processes in flight finish
    throw e;
  }
  return { events, synthMs };
}
