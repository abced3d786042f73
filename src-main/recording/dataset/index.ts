// Dataset export/import in layouts Python users load directly: tonic-style (.npy + labels.csv) and DVS Gesture-style (AEDAT 3.1 + _labels.csv).
export { detectLayout, exportDataset, importDataset, type DatasetJob, type DatasetLayout, type ExportResult } from './jobs';
export { DatasetError } from './errors';
export { assignClassIds, gestureClassId, slug } from './names';
export { CLASSES_CSV } from './dvsgesture';
export { TONIC_LABELS, TONIC_META } from './tonic';
