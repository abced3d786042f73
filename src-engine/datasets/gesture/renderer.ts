/**
 * Renders a GestureClip to 8-bit luma frames at any size: a static room
 * (background level, texture, clutter) drawn once per clip and shifted
 * sub-pixel by the camera shake, slowly moving distractors, the figure, then
 * the lighting (gain and gradient) and quantisation. Frame t depends only on
 * (clip, t, size): renderers of the same clip give the same bytes.
 */
import { Random } from '../../sources/random';
import { type Canvas, fillCapsule, fillEllipse, fillRect, makeCanvas, shiftInto } from './raster';
import { J, type Pose, makePose, poseAt } from './pose';
import type { GestureClip } from './scene';

const TAU = 2 * Math.PI;

export class GestureRenderer {
  readonly width: number;
  readonly height: number;
  private readonly canvas: Canvas;
  private readonly background: Float32Array;
  private readonly margin: number;
  /** 255 × lighting, per pixel */
  private readonly light: Float32Array;
  private readonly pose: Pose = makePose();

  constructor(
    readonly clip: GestureClip,
    width: number,
    height: number,
  ) {
    if (!Number.isInteger(width) || !Number.isInteger(height) || width < 8 || height < 8 || width > 4096 || height > 4096) {
      throw new RangeError(`gesture renderer: frame size must be whole pixels from 8 to 4096, not ${width}×${height}`);
    }
    this.width = width;
    this.height = height;
    this.canvas = makeCanvas(width, height);
    this.margin = Math.ceil(clip.take.shake * 2 * height) + 2;
    this.background = this.drawBackground();
    this.light = this.lighting();
  }

  private px(x: number): number {
    return this.width / 2 + x * this.height;
  }

  private drawBackground(): Float32Array {
    const { take } = this.clip;
    const m = this.margin, W = this.width + 2 * m, H = this.height + 2 * m, S = this.height;
    const c = makeCanvas(W, H);
    const d = c.data;
    // texture: value noise on a coarse grid (cells of 1/24 frame height), bilinear
    const cell = Math.max(2, S / 24);
    const gw = Math.ceil(W / cell) + 2, gh = Math.ceil(H / cell) + 2;
    const grid = new Float32Array(gw * gh);
    const rng = new Random(take.textureSeed);
    for (let i = 0; i < grid.length; i++) grid[i] = (rng.uniform() * 2 - 1) * take.texture;
    for (let y = 0; y < H; y++) {
      const gy = y / cell, iy = Math.floor(gy), fy = gy - iy;
      for (let x = 0; x < W; x++) {
        const gx = x / cell, ix = Math.floor(gx), fx = gx - ix;
        const g = iy * gw + ix;
        const v = (grid[g] * (1 - fx) + grid[g + 1] * fx) * (1 - fy) + (grid[g + gw] * (1 - fx) + grid[g + gw + 1] * fx) * fy;
        d[y * W + x] = take.background + v;
      }
    }
    const ox = W / 2, oy = m;
    for (const s of take.clutter) {
      const x = ox + s.x * S, y = oy + s.y * S;
      if (s.kind === 'rect') fillRect(c, x, y, x + s.w * S, y + s.h * S, s.value);
      else if (s.kind === 'ellipse') fillEllipse(c, x, y, s.rx * S, s.ry * S, s.value);
      else {
        const p = Math.max(2, s.period * S);
        if (s.vertical) for (let sx = x; sx < x + s.w * S; sx += p) fillRect(c, sx, y, sx + p / 2, y + s.h * S, s.value);
        else for (let sy = y; sy < y + s.h * S; sy += p) fillRect(c, x, sy, x + s.w * S, sy + p / 2, s.value);
      }
    }
    return d;
  }

  private lighting(): Float32Array {
    const { take } = this.clip;
    const W = this.width, H = this.height;
    const out = new Float32Array(W * H);
    const gx = (Math.cos(take.gradientAngle) * take.gradient) / H, gy = (Math.sin(take.gradientAngle) * take.gradient) / H;
    for (let y = 0; y < H; y++) {
      for (let x = 0; x < W; x++) {
        const g = take.gain * (1 + gx * (x - W / 2) + gy * (y - H / 2));
        out[y * W + x] = 255 * (g < 0.05 ? 0.05 : g);
      }
    }
    return out;
  }

  /** The frame at time t (seconds) as W × H luma; writes into `out` when given. */
  render(t: number, out: Uint8Array = new Uint8Array(this.width * this.height)): Uint8Array {
    const W = this.width, H = this.height, S = H;
    if (out.length !== W * H) throw new RangeError(`gesture renderer: output needs ${W * H} bytes, got ${out.length}`);
    const { take, subject: s } = this.clip;
    const c = this.canvas;
    const a = take.shake * S;
    const sx = a * (Math.sin(TAU * take.shakeHz[0] * t + take.shakePhase[0]) + 0.5 * Math.sin(TAU * take.shakeHz[1] * t + take.shakePhase[1]));
    const sy = a * (Math.sin(TAU * take.shakeHz[0] * t + take.shakePhase[2]) + 0.5 * Math.sin(TAU * take.shakeHz[1] * t + take.shakePhase[3]));
    shiftInto(c, this.background, this.margin, sx, sy);

    for (const d of take.distractors) {
      // wrap around the frame so a distractor stays in view for the whole clip
      const span = W / S + 0.2;
      let x = ((d.x + d.vx * t + span / 2) % span + span) % span - span / 2;
      let y = ((d.y + d.vy * t + 0.1) % 1.2 + 1.2) % 1.2 - 0.1;
      x = this.px(x) + sx;
      y = y * S + sy;
      if (d.kind === 'ellipse') fillEllipse(c, x, y, d.rx * S, d.ry * S, d.value);
      else fillRect(c, x - d.rx * S, y - d.ry * S, x + d.rx * S, y + d.ry * S, d.value);
    }

    poseAt(this.clip, t, this.pose);
    const xy = this.pose.xy;
    const X = (j: number) => this.px(xy[2 * j]) + sx;
    const Y = (j: number) => xy[2 * j + 1] * S + sy;
    const sc = take.scale * S;
    const T = s.torso * sc, SW = s.shoulderWidth * sc, hr = s.headRadius * sc;
    const armR = s.armRadius * sc, legR = s.legRadius * sc;
    // legs
    for (const hip of [J.hipR, J.hipL]) {
      fillCapsule(c, X(hip), Y(hip), X(hip + 1), Y(hip + 1), legR, s.pants);
      fillCapsule(c, X(hip + 1), Y(hip + 1), X(hip + 2), Y(hip + 2), legR * 0.85, s.pants);
    }
    // torso: a wide chest over a narrower waist
    const nx = X(J.neck), ny = Y(J.neck), pxx = X(J.pelvis), pyy = Y(J.pelvis);
    fillCapsule(c, (nx + pxx) / 2, pyy - T * 0.45, pxx, pyy - SW * 0.2, SW * 0.4, s.shirt);
    fillCapsule(c, nx, ny + SW * 0.38, (nx * 2 + pxx) / 3, ny + T * 0.45, SW * 0.47, s.shirt);
    // neck and head (hair behind the face)
    fillCapsule(c, nx, ny + hr * 0.2, X(J.head), Y(J.head), hr * 0.35, s.skin);
    const hx = X(J.head), hy = Y(J.head), turn = this.pose.headTurn;
    fillEllipse(c, hx, hy - hr * 0.18, hr * 0.95 * turn, hr * 0.9, s.hair);
    fillEllipse(c, hx + this.pose.headShift * hr * 0.35, hy + hr * 0.12, hr * 0.8 * turn, hr * 0.88, s.skin);
    // arms: upper arm, forearm, hand
    const upper = s.longSleeves ? s.sleeve : s.shirt * 0.85 + s.skin * 0.15;
    for (const sh of [J.shoulderL, J.shoulderR]) {
      fillCapsule(c, X(sh), Y(sh), X(sh + 1), Y(sh + 1), armR * 1.1, upper);
      fillCapsule(c, X(sh + 1), Y(sh + 1), X(sh + 2), Y(sh + 2), armR, s.sleeve);
      const hand = sh === J.shoulderL ? this.pose.handScaleL : this.pose.handScaleR;
      fillCapsule(c, X(sh + 2), Y(sh + 2), X(sh + 2), Y(sh + 2), armR * 1.3 * hand, s.skin);
    }

    const d = c.data, light = this.light;
    for (let i = 0; i < d.length; i++) {
      const v = d[i] * light[i] + 0.5;
      out[i] = v <= 0 ? 0 : v >= 255 ? 255 : v;
    }
    return out;
  }
}
