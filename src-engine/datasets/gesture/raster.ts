/**
 * Anti-aliased drawing into a float luma canvas (row-major W × H, values in
 * albedo units 0…1). Coverage comes from the signed distance of each pixel
 * centre to the shape's edge (1 px wide ramp), so sub-pixel motion changes
 * the luma smoothly — the DVS emulator then sees a gradual change, not a pop.
 * Every shape touches only the pixels of its bounding box.
 */
export interface Canvas {
  readonly data: Float32Array;
  readonly width: number;
  readonly height: number;
}

export function makeCanvas(width: number, height: number): Canvas {
  return { data: new Float32Array(width * height), width, height };
}

/** A segment from (ax, ay) to (bx, by) thickened by radius r (round caps); r alone with a = b is a disc. */
export function fillCapsule(c: Canvas, ax: number, ay: number, bx: number, by: number, r: number, value: number): void {
  const { data, width: W, height: H } = c;
  const x0 = Math.max(0, Math.floor(Math.min(ax, bx) - r - 1));
  const x1 = Math.min(W - 1, Math.ceil(Math.max(ax, bx) + r + 1));
  const y0 = Math.max(0, Math.floor(Math.min(ay, by) - r - 1));
  const y1 = Math.min(H - 1, Math.ceil(Math.max(ay, by) + r + 1));
  if (x0 > x1 || y0 > y1) return;
  const dx = bx - ax, dy = by - ay;
  const len2 = dx * dx + dy * dy;
  const inv = len2 > 1e-12 ? 1 / len2 : 0;
  const rr = r + 0.5;
  for (let y = y0; y <= y1; y++) {
    const py = y + 0.5 - ay;
    let o = y * W + x0;
    for (let x = x0; x <= x1; x++, o++) {
      const px = x + 0.5 - ax;
      let t = (px * dx + py * dy) * inv;
      t = t < 0 ? 0 : t > 1 ? 1 : t;
      const ex = px - t * dx, ey = py - t * dy;
      const d2 = ex * ex + ey * ey;
      if (d2 >= rr * rr) continue;
      const cov = rr - Math.sqrt(d2);
      data[o] = cov >= 1 ? value : data[o] + (value - data[o]) * cov;
    }
  }
}

/** An axis-aligned ellipse centred at (cx, cy) with radii rx, ry. */
export function fillEllipse(c: Canvas, cx: number, cy: number, rx: number, ry: number, value: number): void {
  if (!(rx > 0 && ry > 0)) return;
  const { data, width: W, height: H } = c;
  const x0 = Math.max(0, Math.floor(cx - rx - 1));
  const x1 = Math.min(W - 1, Math.ceil(cx + rx + 1));
  const y0 = Math.max(0, Math.floor(cy - ry - 1));
  const y1 = Math.min(H - 1, Math.ceil(cy + ry + 1));
  const irx = 1 / rx, iry = 1 / ry, irx2 = irx * irx, iry2 = iry * iry;
  for (let y = y0; y <= y1; y++) {
    const ny = (y + 0.5 - cy) * iry;
    let o = y * W + x0;
    for (let x = x0; x <= x1; x++, o++) {
      const nx = (x + 0.5 - cx) * irx;
      const q2 = nx * nx + ny * ny;
      if (q2 >= 1.6) continue;
      const q = Math.sqrt(q2);
      // first-order distance to the edge: (q − 1) / |∇q|
      const g = Math.sqrt(nx * nx * irx2 + ny * ny * iry2);
      const dist = g > 1e-9 ? ((q - 1) * q) / g : -Math.min(rx, ry);
      const cov = 0.5 - dist;
      if (cov <= 0) continue;
      data[o] = cov >= 1 ? value : data[o] + (value - data[o]) * cov;
    }
  }
}

/** An axis-aligned rectangle [x0, x1) × [y0, y1) with fractional edges. */
export function fillRect(c: Canvas, rx0: number, ry0: number, rx1: number, ry1: number, value: number): void {
  const { data, width: W, height: H } = c;
  const x0 = Math.max(0, Math.floor(rx0)), x1 = Math.min(W - 1, Math.ceil(rx1));
  const y0 = Math.max(0, Math.floor(ry0)), y1 = Math.min(H - 1, Math.ceil(ry1));
  for (let y = y0; y <= y1; y++) {
    const py = y + 0.5;
    let cy = Math.min(py - ry0, ry1 - py) + 0.5;
    if (cy <= 0) continue;
    if (cy > 1) cy = 1;
    let o = y * W + x0;
    for (let x = x0; x <= x1; x++, o++) {
      const px = x + 0.5;
      let cx = Math.min(px - rx0, rx1 - px) + 0.5;
      if (cx <= 0) continue;
      if (cx > 1) cx = 1;
      const cov = cx * cy;
      data[o] = cov >= 1 ? value : data[o] + (value - data[o]) * cov;
    }
  }
}

/**
 * dst = src shifted by (sx, sy) pixels with bilinear interpolation; src is
 * (W + 2m) × (H + 2m) with a margin m ≥ |shift| + 1 on every side.
 */
export function shiftInto(dst: Canvas, src: Float32Array, margin: number, sx: number, sy: number): void {
  const { data, width: W, height: H } = dst;
  const SW = W + 2 * margin;
  const fx = Math.floor(-sx), fy = Math.floor(-sy);
  const ax = -sx - fx, ay = -sy - fy;
  const w00 = (1 - ax) * (1 - ay), w01 = ax * (1 - ay), w10 = (1 - ax) * ay, w11 = ax * ay;
  for (let y = 0; y < H; y++) {
    let s = (y + margin + fy) * SW + margin + fx;
    let o = y * W;
    for (let x = 0; x < W; x++, o++, s++) data[o] = w00 * src[s] + w01 * src[s + 1] + w10 * src[s + SW] + w11 * src[s + SW + 1];
  }
}
