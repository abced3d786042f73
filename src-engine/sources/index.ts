// Sensor encoders: raw media → events, used live by the app and to generate data.
export { DvsEmulator, rgbaToLuma } from './dvs-emulator/emulator';
export { DVS_PRESETS, MIN_THRESHOLD, linLogTable, resolveDvsParams } from './dvs-emulator/params';
export type { DvsEmulatorConfig, DvsParams, DvsPreset } from './dvs-emulator/params';
export { Cochlea } from './cochlea/cochlea';
export type { CochleaConfig } from './cochlea/cochlea';
export { FilterBank, hzToMel, melCentres, melToHz } from './cochlea/filterbank';
export { WavError, readWav } from './cochlea/wav';
export type { WavAudio } from './cochlea/wav';
export { Random } from './random';
