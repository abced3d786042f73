/**
 * Fixed addresses in a Prophesee WordKernel's memory, shared by the WAT
 * source and the JavaScript that lays out the columns: decoder state at 0
 * (64 bytes), then the EVT 3.0 SIMD path's shuffle table (a data segment of
 * 256 × 16 bytes), then columns and words (placed by kernels.ts).
 */
export const COMPACT_TABLE = 64;
export const COMPACT_TABLE_BYTES = 4096;
