// Events → network input: tonic's ToFrame, the streaming time-channel binner, and small event transforms.
export { toFrame, sliceEvents, type FrameSensor, type ToFrameOptions, type FrameStack, type SliceRanges } from './to-frame';
export { TimeChannelBinner, stackFrames, type TimeChannelConfig, type TimeChannelFrame } from './time-channel';
export { cropEvents, downsampleEvents, resolveRoi, type Roi, type Size } from './spatial';
export { ActivityFilter, denoiseEvents, maskHotPixels, findHotPixels, timeSlice, type HotPixelRule } from './filters';
export { totalDropped, type BinnerSummary, type DropCounts } from './summary';
