/**
 * Sensor geometry and address layout from the names AEDAT headers use:
 * jAER AEChip classes (AEDAT 2.0 `# AEChip:` line) and cAER device names
 * (AEDAT 3.1 `#Source N:` line).
 *
 * jAER chips, checked against SensorsINI/jaer sources:
 *   - DVS128, Tmpdiff128: 128×128, DVS128 extractor (16-bit address).
 *   - DAVIS240A/B/C, DVS240 (DAVIS240BaseCamera): 240×180, DavisEventExtractor.
 *   - Davis346A/B/red/blue/cBSI/mini/Zynq (Davis346BaseCamera): 346×260.
 *   - Davis640: 640×480. Davis128: 128×128. Davis208PixelParade: 208×192.
 * Left out on purpose: the colour variants (Davis346BColor, Davis640Color, …)
 * and DavisRGBW640, whose extractors place DVS pixels differently, and
 * DVS128andCochleaAMS1b (8-bit y field). Those fall back to the caller's
 * geometry like any unknown chip.
 */
import type { Geometry } from '../../events/batch';

/** How a 32-bit AEDAT 2.0 address is laid out. */
export type AddressLayout = 'dvs128' | 'davis';

export interface JaerChip extends Geometry {
  /** the fully qualified class name jAER writes */
  readonly className: string;
  readonly layout: AddressLayout;
}

const DVS128_CLASS = 'ch.unizh.ini.jaer.chip.retina.DVS128';
const DAVIS_PACKAGE = 'eu.seebetter.ini.chips.davis.';

function davis(simple: string, width: number, height: number): JaerChip {
  return { className: DAVIS_PACKAGE + simple, layout: 'davis', width, height };
}

/** Known chips; the first one of each size is what our writer names. */
export const JAER_CHIPS: readonly JaerChip[] = [
  { className: DVS128_CLASS, layout: 'dvs128', width: 128, height: 128 },
  { className: 'ch.unizh.ini.jaer.chip.retina.Tmpdiff128', layout: 'dvs128', width: 128, height: 128 },
  davis('DAVIS240C', 240, 180),
  davis('DAVIS240A', 240, 180),
  davis('DAVIS240B', 240, 180),
  davis('DVS240', 240, 180),
  davis('Davis346B', 346, 260),
  davis('Davis346A', 346, 260),
  davis('Davis346red', 346, 260),
  davis('Davis346blue', 346, 260),
  davis('Davis346cBSI', 346, 260),
  davis('Davis346mini', 346, 260),
  davis('Davis346Zynq', 346, 260),
  davis('Davis640', 640, 480),
  davis('Davis208PixelParade', 208, 192),
  davis('Davis128', 128, 128),
];

/** Chips whose addresses we know we cannot decode with either layout. */
const UNSUPPORTED_JAER_CHIPS = new Set(['davisrgbw640']);

function simpleName(className: string): string {
  const dot = className.lastIndexOf('.');
  return className.slice(dot + 1).trim().toLowerCase();
}

/**
 * The chip for an AEChip class name, matched on the simple class name without
 * regard to case or package (jAER moved classes between packages over the
 * years). 'unsupported' for chips we recognise but cannot decode.
 */
export function jaerChipFor(className: string): JaerChip | 'unsupported' | undefined {
  const s = simpleName(className);
  if (UNSUPPORTED_JAER_CHIPS.has(s)) return 'unsupported';
  return JAER_CHIPS.find((c) => simpleName(c.className) === s);
}

/** The chip our AEDAT 2.0 writer names for a sensor size (DVS128 for 128×128). */
export function jaerChipForSize(width: number, height: number): JaerChip | undefined {
  return JAER_CHIPS.find((c) => c.width === width && c.height === height);
}

/** Largest geometry the DAVIS address layout holds: 10-bit x, 9-bit y. */
export const DAVIS_MAX_WIDTH = 1024;
export const DAVIS_MAX_HEIGHT = 512;

/**
 * cAER device names for AEDAT 3.1 `#Source` lines (inivation-docs, "Supported
 * Devices"), with their DVS array size. The first of each size is what our
 * writer names.
 */
const CAER_SOURCES: ReadonlyArray<readonly [string, number, number]> = [
  ['DVS128', 128, 128],
  ['DAVIS240C', 240, 180],
  ['DAVIS240A', 240, 180],
  ['DAVIS240B', 240, 180],
  ['DAVIS346B', 346, 260],
  ['DAVIS346A', 346, 260],
  ['DAVIS346Cbsi', 346, 260],
  ['DAVIS640', 640, 480],
  ['DAVIS208', 208, 192],
  ['DAVIS128', 128, 128],
];

export function caerSourceGeometry(name: string): Geometry | undefined {
  const n = name.trim().toLowerCase();
  const s = CAER_SOURCES.find(([k]) => k.toLowerCase() === n);
  return s ? { width: s[1], height: s[2] } : undefined;
}

export function caerSourceForSize(width: number, height: number): string | undefined {
  return CAER_SOURCES.find(([, w, h]) => w === width && h === height)?.[0];
}
