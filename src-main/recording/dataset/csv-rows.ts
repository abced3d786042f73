/**
 * The small CSV dialect of dataset index files (labels.csv, classes.csv):
 * comma-separated, one record per line (LF or CRLF), fields in double quotes
 * when they hold a comma or quote (a quote doubled inside), a UTF-8 BOM and
 * blank lines tolerated. Labels are user names, so quoting matters; a field
 * spanning lines does not occur and is refused with the line number.
 */
import { DatasetError } from './errors';

export interface CsvRow {
  /** 1-based line number in the file */
  line: number;
  fields: string[];
}

export function parseCsvRows(text: string, file: string): CsvRow[] {
  const rows: CsvRow[] = [];
  const lines = text.replace(/^\ufeff/, '').split('\n');
  lines.forEach((raw, i) => {
    const line = raw.replace(/\r$/, '');
    if (line.trim() === '') return;
    const fields: string[] = [];
    let pos = 0;
    for (;;) {
      if (line[pos] === '"') {
        let value = '';
        let j = pos + 1;
        for (;;) {
          const q = line.indexOf('"', j);
          if (q < 0) throw new DatasetError(file, 'a quoted field is not closed (fields cannot span lines)', i + 1);
          value += line.slice(j, q);
          if (line[q + 1] === '"') {
            value += '"';
            j = q + 2;
            continue;
          }
          pos = q + 1;
          break;
        }
        fields.push(value);
        if (pos < line.length && line[pos] !== ',') throw new DatasetError(file, `unexpected "${line.slice(pos, pos + 10)}" after a quoted field`, i + 1);
      } else {
        const c = line.indexOf(',', pos);
        const end = c < 0 ? line.length : c;
        fields.push(line.slice(pos, end).trim());
        pos = end;
      }
      if (pos >= line.length) break;
      pos++; // the comma
    }
    rows.push({ line: i + 1, fields });
  });
  return rows;
}

export function csvField(s: string): string {
  return /[",\r\n]|^\s|\s$/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function formatCsv(header: readonly string[], rows: readonly (readonly (string | number)[])[]): string {
  return [header, ...rows].map((r) => r.map((v) => csvField(String(v))).join(',')).join('\n') + '\n';
}

/** Checks the header row; returns the data rows. */
export function expectHeader(rows: CsvRow[], header: readonly string[], file: string): CsvRow[] {
  const first = rows[0];
  if (!first) throw new DatasetError(file, `empty file: expected the header "${header.join(',')}"`, 1);
  if (first.fields.length !== header.length || first.fields.some((f, i) => f.trim().toLowerCase() !== header[i])) {
    throw new DatasetError(file, `expected the header "${header.join(',')}", found "${first.fields.join(',').slice(0, 80)}"`, first.line);
  }
  for (const r of rows.slice(1)) {
    if (r.fields.length !== header.length) throw new DatasetError(file, `expected ${header.length} fields (${header.join(',')}), found ${r.fields.length}`, r.line);
  }
  return rows.slice(1);
}
