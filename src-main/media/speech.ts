// Synthetic speech for datasets and tests: one word (or short phrase) spoken by
// espeak-ng, festival, flite, SVOX Pico or RHVoice, resampled by sox to a 16 kHz
// mono 16-bit WAV — the cochlea's input format.
//
// espeak-ng is the main training synthesizer (many voices × variants, pitch,
// speed, amplitude; with MBROLA's recorded diphone voices too); festival (its
// English diphone and MBROLA voices, and other languages' voices reading
// respellings), Pico and RHVoice are others, so the backbone hears more
// than one synthesizer's idea of speech; flite is kept for evaluation, so a
// model is tested on a synthesizer it never heard. Every tool
// runs through execFile (no shell: the text is an argument or a file, never
// parsed); a missing tool is a SpeechToolError naming the
// Debian package. Results can be cached by a hash of the parameters: the
// tools are deterministic (same parameters → same bytes; sox runs with -R and
// no dither), so a cache hit is exactly what a new run would give.
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

export const SPEECH_SAMPLE_RATE = 16000;

export type SpeechSynth = 'espeak-ng' | 'flite' | 'festival' | 'pico' | 'rhvoice';
export const SPEECH_SYNTHS: readonly SpeechSynth[] = ['espeak-ng', 'flite', 'festival', 'pico', 'rhvoice'];

export interface SpeechParams {
  /** what to say: letters, digits, spaces, apostrophes and hyphens (≤ 100 characters) */
  text: string;
  synth: SpeechSynth;
  /** espeak-ng: `language[+variant]`, e.g. 'en-us+f3', 'en-gb-scotland+klatt2', or an MBROLA voice, e.g. 'mb-us1' (default 'en'); flite: a voice of `flite -lv`, e.g. 'slt' (default 'kal16'); festival: a voice, e.g. 'ked_diphone' (the default); pico: a language, e.g. 'en-GB' (default 'en-US'); rhvoice: a voice, e.g. 'clb' (default 'bdl') */
  voice?: string;
  /** espeak-ng: -p 0–99 (default 50); flite and festival: target mean F0 in Hz, 40–400 (default: the voice's own); pico and rhvoice: percent of the voice's own, 50–200 */
  pitch?: number;
  /** words per minute, 80–450 (espeak-ng -s; default 175); flite and festival: duration stretch 175 / speed; pico and rhvoice: rate 100 · speed / 175 % */
  speed?: number;
  /** 0–200, 100 = the synthesizer's normal level (espeak-ng -a; flite, festival: sox vol) */
  amplitude?: number;
  /** sox reverb reverberance 1–100 (0 or absent: dry) */
  reverb?: number;
  /** sox lowpass cut-off in Hz, 1000–7900 (a band-limited microphone or phone line; absent: full band) */
  lowpassHz?: number;
  /**
   * sox `speed` factor 0.7–1.4: plays the take faster or slower like a tape,
   * shifting pitch and every formant together — a shorter or longer vocal
   * tract (vocal-tract-length perturbation). Absent or 1: none.
   */
  warp?: number;
  /** sox `equalizer` peaking bands (one octave wide), a microphone's or room's colour: centre 100–7000 Hz, gain −20…20 dB */
  eq?: { hz: number; gainDb: number }[];
}

/** Debian packages providing each tool, for error messages. */
export const SPEECH_TOOL_PACKAGES: Readonly<Record<string, string>> = {
  'espeak-ng': 'espeak-ng', flite: 'flite', festival: 'festival', text2wave: 'festival', sox: 'sox',
  mbrola: 'mbrola', pico: 'libttspico-utils', pico2wave: 'libttspico-utils', rhvoice: 'rhvoice', 'RHVoice-test': 'rhvoice',
};

/** Where Debian's MBROLA voice packages put their diphone databases (`mbrola-us1` → /usr/share/mbrola/us1). */
const MBROLA_ROOT = '/usr/share/mbrola';

/** espeak-ng's MBROLA voices that speak English, by espeak-ng voice name → MBROLA database (Debian package `mbrola-<db>`). */
export const MBROLA_ENGLISH_VOICES: Readonly<Record<string, string>> = {
  'mb-us1': 'us1', 'mb-us2': 'us2', 'mb-us3': 'us3', 'mb-en1': 'en1',
  'en-afrikaans': 'af1', 'en-dutch': 'nl2', 'en-french-1': 'fr1', 'en-french-4': 'fr4',
  'en-german-1': 'de1', 'en-german-2': 'de2', 'en-german-3': 'de3', 'en-german-4': 'de4', 'en-german-5': 'de5', 'en-german-6': 'de6',
  'en-greek': 'gr2', 'en-hungarian': 'hu1', 'en-polish': 'pl1', 'en-romanian': 'ro1', 'en-swedish': 'sw1', 'en-swedish-f': 'sw2',
};

/** SVOX Pico's languages (pico2wave -l), one voice each. */
export const PICO_LANGUAGES = ['en-US', 'en-GB', 'de-DE', 'es-ES', 'fr-FR', 'it-IT'] as const;

/** Where RHVoice's voice packages put their voices (one folder each; `rhvoice-english` has alan, bdl, clb, evgeniy-eng, lyubov, slt). */
const RHVOICE_VOICES_ROOT = '/usr/share/RHVoice/voices';

/** Debian packages (non-free) of the RHVoice voices the datasets use. */
export const RHVOICE_VOICE_PACKAGES: Readonly<Record<string, string>> = {
  alan: 'rhvoice-english', bdl: 'rhvoice-english', clb: 'rhvoice-english', slt: 'rhvoice-english',
  anna: 'rhvoice-russian', elena: 'rhvoice-russian', irina: 'rhvoice-russian', aleksandr: 'rhvoice-russian',
  natalia: 'rhvoice-ukrainian', anatol: 'rhvoice-ukrainian', nazgul: 'rhvoice-kyrgyz', azamat: 'rhvoice-kyrgyz',
  spomenka: 'rhvoice-esperanto', 'Leticia-F123': 'rhvoice-brazilian-portuguese',
};

/** Where Debian's festival voice packages put their voices: one folder per language, one per voice. */
const FESTIVAL_VOICES_ROOT = '/usr/share/festival/voices';

/** Debian packages of the festival voices the datasets use. */
export const FESTIVAL_VOICE_PACKAGES: Readonly<Record<string, string>> = {
  ked_diphone: 'festvox-kdlpc16k',
  kal_diphone: 'festvox-kallpc16k',
  lp_diphone: 'festvox-italp16k',
  pc_diphone: 'festvox-itapc16k',
  czech_dita: 'festvox-czech-dita',
  czech_krb: 'festvox-czech-krb',
  czech_machac: 'festvox-czech-machac',
  czech_ph: 'festvox-czech-ph',
  suo_fi_lj_diphone: 'festvox-suopuhe-lj',
  hy_fi_mv_diphone: 'festvox-suopuhe-mv',
  upc_ca_ona_hts: 'festvox-ca-ona-hts',
  rab_diphone: 'festvox-rablpc16k',
  don_diphone: 'festvox-don',
  us1_mbrola: 'festvox-us1',
  us2_mbrola: 'festvox-us2',
  us3_mbrola: 'festvox-us3',
  en1_mbrola: 'festvox-en1',
};

/** Installed festival voices, any language: voice name → its folder. */
function festivalVoiceDirs(): Map<string, string> {
  const out = new Map<string, string>();
  if (!existsSync(FESTIVAL_VOICES_ROOT)) return out;
  for (const lang of readdirSync(FESTIVAL_VOICES_ROOT).sort()) {
    const dir = join(FESTIVAL_VOICES_ROOT, lang);
    try {
      for (const v of readdirSync(dir).sort()) if (!v.includes('.')) out.set(v, join(dir, v));
    } catch {
      /* a file, not a language folder */
    }
  }
  return out;
}

/** A synthesis tool is missing or failed; `tool` names it, `debianPackage` says what to install. */
export class SpeechToolError extends Error {
  constructor(
    readonly tool: string,
    reason: string,
    readonly missing = false,
  ) {
    super(`${tool}: ${reason}`);
    this.name = 'SpeechToolError';
  }
  get debianPackage(): string {
    return SPEECH_TOOL_PACKAGES[this.tool] ?? this.tool;
  }
}

/** Bumped when the synthesis pipeline changes, so cached WAVs from an older pipeline are not reused. */
const PIPELINE_VERSION = 1;
const TEXT_RE = /^[A-Za-z0-9][A-Za-z0-9 '\-]{0,99}$/;
const VOICE_RE = /^[A-Za-z0-9][A-Za-z0-9_+\-.]{0,63}$/;

function range(name: string, v: number | undefined, min: number, max: number): void {
  if (v === undefined) return;
  if (typeof v !== 'number' || !Number.isFinite(v) || v < min || v > max) {
    throw new RangeError(`speech: ${name} must be a number from ${min} to ${max}, not ${v}`);
  }
}

const DEFAULT_VOICE: Readonly<Record<SpeechSynth, string>> = { 'espeak-ng': 'en', flite: 'kal16', festival: 'ked_diphone', pico: 'en-US', rhvoice: 'bdl' };

/** The parameters with defaults filled in and checked; a RangeError with a readable message otherwise. */
type Optional = 'pitch' | 'reverb' | 'lowpassHz' | 'warp' | 'eq';
export function normalizeSpeechParams(p: SpeechParams): Required<Omit<SpeechParams, Optional>> & Pick<SpeechParams, Optional> {
  if (!SPEECH_SYNTHS.includes(p.synth)) throw new RangeError(`speech: synth must be one of ${SPEECH_SYNTHS.map((x) => `'${x}'`).join(', ')}, not ${String(p.synth)}`);
  if (typeof p.text !== 'string' || !TEXT_RE.test(p.text)) {
    throw new RangeError(`speech: text must be 1–100 letters, digits, spaces, apostrophes or hyphens starting with a letter or digit, not ${JSON.stringify(p.text)}`);
  }
  const voice = p.voice ?? DEFAULT_VOICE[p.synth];
  if (!VOICE_RE.test(voice)) throw new RangeError(`speech: voice ${JSON.stringify(voice)} is not a voice name`);
  if (p.synth === 'espeak-ng') range('pitch', p.pitch, 0, 99);
  else if (p.synth === 'pico' || p.synth === 'rhvoice') range(`pitch (${p.synth}: percent of the voice's own)`, p.pitch, 50, 200);
  else range(`pitch (${p.synth}: mean F0 in Hz)`, p.pitch, 40, 400);
  range('speed (words per minute)', p.speed, 80, 450);
  range('amplitude', p.amplitude, 0, 200);
  range('reverb', p.reverb, 0, 100);
  range('lowpassHz', p.lowpassHz, 1000, 7900);
  range('warp', p.warp, 0.7, 1.4);
  if (p.eq !== undefined) {
    if (!Array.isArray(p.eq) || p.eq.length > 8) throw new RangeError('speech: eq must be a list of at most 8 bands');
    for (const b of p.eq) {
      range('eq band hz', b?.hz, 100, 7000);
      range('eq band gainDb', b?.gainDb, -20, 20);
    }
  }
  const out: ReturnType<typeof normalizeSpeechParams> = { text: p.text, synth: p.synth, voice, speed: p.speed ?? 175, amplitude: p.amplitude ?? 100 };
  if (p.pitch !== undefined) out.pitch = p.pitch;
  if (p.reverb) out.reverb = p.reverb;
  if (p.lowpassHz !== undefined) out.lowpassHz = p.lowpassHz;
  if (p.warp !== undefined && p.warp !== 1) out.warp = p.warp;
  if (p.eq?.length) out.eq = p.eq.map((b) => ({ hz: b.hz, gainDb: b.gainDb }));
  return out;
}

/** Hex sha256 of the normalized parameters and the pipeline version: the cache file name. */
export function speechCacheKey(p: SpeechParams): string {
  const n = normalizeSpeechParams(p);
  const canon = JSON.stringify([PIPELINE_VERSION, n.synth, n.voice, n.text, n.pitch ?? null, n.speed, n.amplitude, n.reverb ?? 0, n.lowpassHz ?? 0, ...(n.warp || n.eq ? [n.warp ?? 1, n.eq ?? []] : [])]);
  return createHash('sha256').update(canon).digest('hex');
}

interface RunResult {
  stdout: Buffer;
  stderr: Buffer;
}

/**
 * Runs a tool without a shell; ENOENT → SpeechToolError naming the Debian
 * package, a failure → its stderr (unless `anyExit`: then a non-zero exit
 * status still resolves, e.g. `flite --version`, which exits with 1).
 */
export function runTool(tool: string, args: readonly string[], timeoutMs = 30_000, anyExit = false): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    execFile(tool, args, { encoding: 'buffer', timeout: timeoutMs, maxBuffer: 64 << 20, windowsHide: true }, (err, stdout, stderr) => {
      if (!err) return resolve({ stdout, stderr });
      const e = err as NodeJS.ErrnoException & { killed?: boolean; code?: string | number };
      const pkg = SPEECH_TOOL_PACKAGES[tool] ?? tool;
      if (anyExit && typeof e.code === 'number') return resolve({ stdout, stderr });
      if (e.code === 'ENOENT') return reject(new SpeechToolError(tool, `not found on PATH — install the Debian package '${pkg}' (apt-get install ${pkg})`, true));
      const msg = stderr?.toString('utf8').trim().split('\n').filter(Boolean).slice(-3).join(' / ');
      reject(new SpeechToolError(tool, `${e.killed ? 'timed out' : `exited with ${e.code}`}${msg ? `: ${msg}` : ''} (args: ${args.join(' ')})`));
    });
  });
}

/** sox arguments turning any WAV into the 16 kHz mono 16-bit result, with the optional effects. */
function soxArgs(input: string, output: string, n: ReturnType<typeof normalizeSpeechParams>, volume: number): string[] {
  // -R: repeatable (fixed seeds); -D: no dither, so identical input gives identical bytes
  // resample first, so the effects run at 16 kHz whatever the voice's rate (flite's kal is 8 kHz)
  const args = ['-R', '-D', '-q', input, '-r', String(SPEECH_SAMPLE_RATE), '-c', '1', '-b', '16', '-e', 'signed-integer', output];
  // speed resamples (its rate effect runs after it), so it goes first
  if (n.warp !== undefined) args.push('speed', n.warp.toFixed(4));
  args.push('rate', '-h', String(SPEECH_SAMPLE_RATE));
  if (volume !== 1) args.push('vol', volume.toFixed(4));
  for (const b of n.eq ?? []) args.push('equalizer', b.hz.toFixed(0), '1o', b.gainDb.toFixed(1));
  if (n.eq) args.push('gain', '-n', '-1'); // a boosted band must not clip: peak back to −1 dBFS
  if (n.lowpassHz !== undefined) args.push('lowpass', n.lowpassHz.toFixed(0));
  // the default mixes direct and reverberant sound (-w would keep only the reverb); its tail stays in (the caller finds the word)
  if (n.reverb) args.push('reverb', n.reverb.toFixed(0));
  return args;
}

/**
 * festival's text2wave with one voice, its mean F0 (an F0 spread of 18 %, as
 * the voices' own) and a duration stretch. The text goes in a file, the
 * settings are Scheme built from checked numbers and a checked voice name.
 */
async function festival(n: ReturnType<typeof normalizeSpeechParams>, raw: string, work: string): Promise<void> {
  const pkg = FESTIVAL_VOICE_PACKAGES[n.voice];
  if (!festivalVoiceDirs().has(n.voice)) {
    throw new SpeechToolError('festival', `no voice ${JSON.stringify(n.voice)} in ${FESTIVAL_VOICES_ROOT}${pkg ? ` — install the Debian package '${pkg}' (apt-get install ${pkg})` : ''}`, true);
  }
  const settings = [`(voice_${n.voice})`, `(Parameter.set 'Duration_Stretch ${(175 / n.speed).toFixed(4)})`];
  if (n.pitch !== undefined) {
    const f0 = n.pitch.toFixed(1), sd = (n.pitch * 0.18).toFixed(1);
    // the diphone voices' linear-regression intonation: target mean and spread; the model's own stay
    settings.push(`(set! int_lr_params (list (list 'target_f0_mean ${f0}) (list 'target_f0_std ${sd}) (list 'model_f0_mean 170) (list 'model_f0_std 34)))`);
  }
  const text = join(work, 'text.txt');
  await writeFile(text, n.text);
  await runTool('text2wave', ['-eval', `(begin ${settings.join(' ')})`, '-o', raw, text]);
}

/** An MBROLA voice needs its database package beside espeak-ng (espeak-ng's own message is only "mbrola voice not found"). */
function checkMbrolaVoice(voice: string): void {
  const db = MBROLA_ENGLISH_VOICES[voice] ?? (voice.startsWith('mb-') ? voice.slice(3).split('-')[0] : undefined);
  if (db && !existsSync(join(MBROLA_ROOT, db))) {
    throw new SpeechToolError('mbrola', `MBROLA voice ${voice} needs the database ${join(MBROLA_ROOT, db)} — install the Debian packages 'mbrola' and 'mbrola-${db}' (non-free)`, true);
  }
}

/**
 * SVOX Pico (pico2wave): a language's one voice, its pitch and rate as the
 * engine's own markup around the checked text (letters, digits, spaces,
 * apostrophes and hyphens only, so nothing in it is markup).
 */
async function pico(n: ReturnType<typeof normalizeSpeechParams>, raw: string): Promise<void> {
  if (!(PICO_LANGUAGES as readonly string[]).includes(n.voice)) throw new SpeechToolError('pico', `no language ${JSON.stringify(n.voice)} (pico2wave speaks ${PICO_LANGUAGES.join(', ')})`);
  const rate = Math.round((100 * n.speed) / 175);
  const text = `<speed level="${rate}"><pitch level="${Math.round(n.pitch ?? 100)}">${n.text}</pitch></speed>`;
  await runTool('pico2wave', ['-l', n.voice, '-w', raw, text]);
}

/** RHVoice (RHVoice-test): one voice, pitch and rate in percent; the text goes in a file. */
async function rhvoice(n: ReturnType<typeof normalizeSpeechParams>, raw: string, work: string): Promise<void> {
  if (!existsSync(join(RHVOICE_VOICES_ROOT, n.voice))) {
    const pkg = RHVOICE_VOICE_PACKAGES[n.voice];
    throw new SpeechToolError('rhvoice', `no voice ${JSON.stringify(n.voice)} in ${RHVOICE_VOICES_ROOT} — install ${pkg ? `the Debian package '${pkg}'` : "RHVoice's voice package"} (non-free)`, true);
  }
  const text = join(work, 'text.txt');
  await writeFile(text, n.text);
  await runTool('RHVoice-test', ['-p', n.voice, '-t', String(Math.round(n.pitch ?? 100)), '-r', String(Math.round((100 * n.speed) / 175)), '-i', text, '-o', raw]);
}

async function synthesizeInto(n: ReturnType<typeof normalizeSpeechParams>, out: string, work: string): Promise<void> {
  const raw = join(work, 'raw.wav');
  let volume = 1;
  if (n.synth === 'espeak-ng') {
    checkMbrolaVoice(n.voice);
    const args = ['-v', n.voice, '-s', n.speed.toFixed(0), '-a', n.amplitude.toFixed(0), '-w', raw];
    if (n.pitch !== undefined) args.push('-p', n.pitch.toFixed(0));
    args.push('--', n.text);
    const r = await runTool('espeak-ng', args);
    // espeak-ng reports an unknown voice on stderr with exit status 1 (caught above); guard an empty result too
    if (r.stderr.length && /does not exist|not found/i.test(r.stderr.toString())) throw new SpeechToolError('espeak-ng', `voice ${n.voice}: ${r.stderr.toString().trim()}`);
  } else if (n.synth === 'flite') {
    // flite silently falls back to its default voice for an unknown name: check first
    const voices = await fliteVoices();
    if (!voices.includes(n.voice)) throw new SpeechToolError('flite', `no voice ${JSON.stringify(n.voice)} (flite -lv lists: ${voices.join(', ')})`);
    const args = ['-voice', n.voice, '--setf', `duration_stretch=${(175 / n.speed).toFixed(4)}`];
    if (n.pitch !== undefined) args.push('--setf', `int_f0_target_mean=${n.pitch.toFixed(1)}`);
    args.push('-t', n.text, '-o', raw);
    await runTool('flite', args);
    volume = n.amplitude / 100;
  } else if (n.synth === 'festival') {
    await festival(n, raw, work);
    volume = n.amplitude / 100;
  } else {
    await (n.synth === 'pico' ? pico(n, raw) : rhvoice(n, raw, work));
    volume = n.amplitude / 100;
  }
  let size = 0;
  try {
    size = (await readFile(raw)).length;
  } catch {
    size = 0;
  }
  if (size <= 44) throw new SpeechToolError(n.synth, `produced no audio for ${JSON.stringify(n.text)} with voice ${n.voice} (is the voice installed? espeak-ng --voices / flite -lv / festival's, Pico's or RHVoice's voices)`);
  await runTool('sox', soxArgs(raw, out, n, volume));
}

export interface SynthesizeOptions {
  /** directory of cached WAVs (`<key[0..2]>/<key>.wav`); absent: no cache */
  cacheDir?: string;
}

/**
 * Speaks `p.text` and returns the 16 kHz mono 16-bit WAV bytes. With a cache
 * directory, a previous result for the same parameters is returned as is
 * (written atomically: a crash leaves no half file).
 */
export async function synthesizeSpeech(p: SpeechParams, opts: SynthesizeOptions = {}): Promise<Uint8Array> {
  const n = normalizeSpeechParams(p);
  let cached: string | undefined;
  if (opts.cacheDir) {
    const key = speechCacheKey(n);
    cached = join(opts.cacheDir, key.slice(0, 2), `${key}.wav`);
    try {
      return new Uint8Array(await readFile(cached));
    } catch {
      /* not cached yet */
    }
  }
  if (opts.cacheDir) await mkdir(opts.cacheDir, { recursive: true });
  const work = await mkdtemp(join(opts.cacheDir ?? tmpdir(), '.speech-'));
  try {
    const out = join(work, 'out.wav');
    await synthesizeInto(n, out, work);
    const bytes = new Uint8Array(await readFile(out));
    if (cached) {
      await mkdir(dirname(cached), { recursive: true });
      await rename(out, cached);
    }
    return bytes;
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

/** Like synthesizeSpeech, writing the WAV to `outPath`. */
export async function synthesizeSpeechToFile(p: SpeechParams, outPath: string, opts: SynthesizeOptions = {}): Promise<void> {
  const bytes = await synthesizeSpeech(p, opts);
  await mkdir(dirname(outPath), { recursive: true });
  await writeFile(outPath, bytes);
}

/** Voice names of a synthesizer: espeak-ng's English languages (`--voices=en`, minus MBROLA ones, which need extra packages), festival's installed English voices, or flite's `-lv`. */
export async function listSpeechVoices(synth: SpeechSynth): Promise<string[]> {
  if (synth === 'festival') return [...festivalVoiceDirs().keys()].sort();
  if (synth === 'pico') return [...PICO_LANGUAGES];
  if (synth === 'rhvoice') return existsSync(RHVOICE_VOICES_ROOT) ? readdirSync(RHVOICE_VOICES_ROOT).sort() : [];
  if (synth === 'espeak-ng') {
    const { stdout } = await runTool('espeak-ng', ['--voices=en']);
    const out = new Set<string>();
    for (const line of stdout.toString('utf8').split('\n').slice(1)) {
      const cols = line.trim().split(/\s+/);
      // Pty Language Age/Gender VoiceName File …; MBROLA voices live under mb/
      if (cols.length >= 5 && cols[1] !== 'variant' && !cols[4].startsWith('mb/')) out.add(cols[1]);
    }
    return [...out];
  }
  const { stdout } = await runTool('flite', ['-lv']);
  const text = stdout.toString('utf8').replace(/^.*?:/s, '');
  return text.split(/\s+/).filter(Boolean);
}

let fliteVoiceList: Promise<string[]> | undefined;
function fliteVoices(): Promise<string[]> {
  fliteVoiceList ??= listSpeechVoices('flite').catch((e) => {
    fliteVoiceList = undefined;
    throw e;
  });
  return fliteVoiceList;
}

/** espeak-ng voice variants (`+name` suffixes: m1…m7, f1…f5, klatt…) from `--voices=variant`. */
export async function listEspeakVariants(): Promise<string[]> {
  const { stdout } = await runTool('espeak-ng', ['--voices=variant']);
  const out: string[] = [];
  for (const line of stdout.toString('utf8').split('\n').slice(1)) {
    const file = line.trim().split(/\s+/)[4];
    if (file?.startsWith('!v/')) out.push(file.slice(3));
  }
  return out;
}

/** Which synthesis tools are on PATH (each probed by a harmless run). */
export async function probeSpeechTools(): Promise<Record<'espeak-ng' | 'flite' | 'festival' | 'sox', boolean>> {
  const probe = async (tool: string, args: string[]): Promise<boolean> => {
    try {
      await runTool(tool, args, 10_000);
      return true;
    } catch (e) {
      return !(e instanceof SpeechToolError && e.missing);
    }
  };
  const [espeak, flite, festival, sox] = await Promise.all([probe('espeak-ng', ['--version']), probe('flite', ['--version']), probe('festival', ['--version']), probe('sox', ['--version'])]);
  return { 'espeak-ng': espeak, flite, festival, sox };
}
