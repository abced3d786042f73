import { EventScan } from '../../../src-engine/events/scan';
import { formatDurationUs, formatRate } from '../../../src-engine/util/units';
import { openWithProgress } from '../open';

export interface FileInfo {
  file: string;
  format: string;
  width: number;
  height: number;
  /** where width/height came from: the file's header, or the largest x/y seen */
  geometry: 'header' | 'inferred';
  count: number;
  tFirst: number | null;
  tLast: number | null;
  first: [number, number, number, number] | null;
  last: [number, number, number, number] | null;
  durationUs: number;
  meanRate: number;
  onEvents: number;
  outOfOrder: number;
  meta: Record<string, unknown>;
}

export async function fileInfo(path: string): Promise<FileInfo> {
  const { stream, progress } = await openWithProgress(path, 'reading', { reuseBatches: true });
  const scan = new EventScan();
  for await (const b of stream) scan.add(b);
  progress.finish();
  const known = stream.info.width > 0 && stream.info.height > 0;
  return {
    file: path,
    format: stream.info.format,
    width: known ? stream.info.width : scan.maxX + 1,
    height: known ? stream.info.height : scan.maxY + 1,
    geometry: known ? 'header' : 'inferred',
    count: scan.count,
    tFirst: scan.first?.[0] ?? null,
    tLast: scan.last?.[0] ?? null,
    first: scan.first,
    last: scan.last,
    durationUs: scan.durationUs,
    meanRate: scan.meanRate,
    onEvents: scan.on,
    outOfOrder: scan.outOfOrder,
    meta: { ...stream.info.meta },
  };
}

export function formatInfo(i: FileInfo): string {
  const ev = (e: number[] | null) => (e ? `t=${e[0]} µs x=${e[1]} y=${e[2]} ${e[3] ? 'ON' : 'OFF'}` : '—');
  return [
    `file        ${i.file}`,
    `format      ${i.format}`,
    `sensor      ${i.width} × ${i.height}${i.geometry === 'inferred' ? ' (not in the header: largest x/y + 1)' : ''}`,
    `events      ${i.count.toLocaleString('en-US')} (${i.onEvents.toLocaleString('en-US')} ON, ${(i.count - i.onEvents).toLocaleString('en-US')} OFF)`,
    `first       ${ev(i.first)}`,
    `last        ${ev(i.last)}`,
    `duration    ${formatDurationUs(i.durationUs)}`,
    `mean rate   ${formatRate(i.meanRate)}`,
    ...(i.outOfOrder ? [`unordered   ${i.outOfOrder.toLocaleString('en-US')} events earlier than their predecessor`] : []),
  ].join('\n');
}
