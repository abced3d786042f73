// Class names are user input: any Unicode, trimmed, NFC-normalised, 1–64 code
// points, no control characters (they would corrupt the CLI's table and the
// UI's labels). Two names are the same class name when their keys match:
// NFC + a case fold, so "Wave", "WAVE", "wave" and "Ｗave"-free variants such
// as "Cafe\u0301" / "Café" (decomposed / composed) collide.
//
// JavaScript has no Unicode case-fold; lower(upper(s)) approximates it and
// covers the folds that matter for duplicate detection (ß/SS → ss, final
// sigma ς/σ/Σ → σ, Kelvin sign K → k). It is slightly more eager than true
// folding (Turkish dotless ı collides with i), which only refuses a few more
// near-duplicates.
import { ApiError, NAME_MAX } from '../ipc/contract';

export { NAME_MAX };

/** Throws a readable ApiError('invalid-argument') or returns the name to store. */
export function normaliseClassName(input: unknown): string {
  if (typeof input !== 'string') throw new ApiError('invalid-argument', 'a class name must be text');
  const name = input.normalize('NFC').trim();
  if (name.length === 0) throw new ApiError('invalid-argument', 'a class name cannot be empty');
  const points = [...name].length;
  if (points > NAME_MAX) throw new ApiError('invalid-argument', `a class name is at most ${NAME_MAX} characters (this one has ${points})`);
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f-\u009f]/.test(name)) throw new ApiError('invalid-argument', 'a class name cannot contain control characters (tabs, line breaks …)');
  if (/[\ud800-\udfff]/.test(name.replace(/[\ud800-\udbff][\udc00-\udfff]/g, ''))) throw new ApiError('invalid-argument', 'a class name must be valid Unicode text (it contains a lone surrogate)');
  return name;
}

/** the comparison key: equal keys ⇔ the same class name for duplicate checks */
export function classNameKey(name: string): string {
  return name.normalize('NFC').trim().toUpperCase().toLowerCase().normalize('NFC');
}

/** #rrggbb, lower case; a readable error otherwise */
export function normaliseColour(input: unknown): string {
  if (typeof input !== 'string' || !/^#[0-9a-fA-F]{6}$/.test(input)) throw new ApiError('invalid-argument', `a colour is #rrggbb, not ${JSON.stringify(String(input)).slice(0, 40)}`);
  return input.toLowerCase();
}

/** distinct, readable on the dark UI; class k gets PALETTE[k mod length] */
export const PALETTE = ['#4e79a7', '#f28e2b', '#e15759', '#76b7b2', '#59a14f', '#edc948', '#b07aa1', '#ff9da7', '#9c755f', '#bab0ac', '#86bcb6', '#d37295'] as const;
