// Recording datasets: labelled takes (AEDAT 4 + SQLite index), trim, delete, playback, export/import.
export { createRecordingService, RecordingService, selectTimeRange, type NewTakeMeta, type PendingTake, type ProgressFn, type RecordingServiceOptions, type RecoveryReport } from './service';
export { TakeWriter, type TakeSource, type TakeSummary } from './take-writer';
export { ThumbnailAccumulator, THUMB_MAX, type Thumbnail } from './thumbnail';
export { assignClassIds, detectLayout, exportDataset, importDataset, DatasetError, type DatasetJob, type DatasetLayout, type ExportResult } from './dataset';
export { createRecordingApi, type RecordingApi, type RecordingApiOptions } from './api';
