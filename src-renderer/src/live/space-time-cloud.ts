/**
 * Space-time point cloud: a ring buffer of the most recent events as
 * three.js Points (x, y on the sensor plane, z = time). Positions and
 * colours live in one preallocated BufferGeometry updated in place; only the
 * written range is uploaded. Points older than `spanMs` are cut by a clipping
 * plane that moves with time, so nothing is ever re-sorted or rewritten.
 */
import * as THREE from 'three';
import { OrbitControls } from 'three/examples/jsm/controls/OrbitControls.js';
import type { EventChunk } from '../../../src-main/ipc/contract';

const CAPACITY = 150_000;
/** scene units per millisecond along the time axis */
const Z_PER_MS = 0.5;

export class SpaceTimeCloud {
  private renderer: THREE.WebGLRenderer;
  private scene = new THREE.Scene();
  private camera: THREE.PerspectiveCamera;
  private controls: OrbitControls;
  private geometry = new THREE.BufferGeometry();
  private positions = new Float32Array(CAPACITY * 3);
  private colours = new Float32Array(CAPACITY * 3);
  private cloud: THREE.Points;
  private clip = new THREE.Plane(new THREE.Vector3(0, 0, 1), 0);
  private frameBox: THREE.LineSegments;
  private head = 0;
  private filled = 0;
  private epochUs = NaN;
  private nowMs = 0;
  private width = 0;
  private height = 0;
  private pendingFrom = -1;
  private pendingTo = -1;
  spanMs = 300;
  /**
   * Points kept per span, adapted to how long frames take: without a GPU
   * (software WebGL) 150k points cost ~150 ms a frame, so the budget halves
   * while frames are slow and grows back while they are fast.
   */
  pointBudget = 60_000;
  /** ring length in use: ~1.5 spans of points, so the GPU only walks points that can be visible */
  private ring = 90_000;
  private lastFrame = 0;
  private slowFrames = 0;
  private fastFrames = 0;
  /** drawing-buffer scale; lowered when even the smallest point budget is slow (software WebGL) */
  private scale = 1;
  private cssW = 1;
  private cssH = 1;
  onRgb: [number, number, number] = [0.35, 0.65, 1];
  offRgb: [number, number, number] = [0.94, 0.53, 0.24];

  constructor(canvas: HTMLCanvasElement) {
    this.renderer = new THREE.WebGLRenderer({ canvas, antialias: false, powerPreference: 'high-performance' });
    this.renderer.localClippingEnabled = true;
    this.renderer.setClearColor(0x05070a);
    this.camera = new THREE.PerspectiveCamera(45, 1, 1, 5000);
    this.controls = new OrbitControls(this.camera, canvas);
    this.controls.enableDamping = true;
    const pos = new THREE.BufferAttribute(this.positions, 3);
    pos.setUsage(THREE.DynamicDrawUsage);
    const col = new THREE.BufferAttribute(this.colours, 3);
    col.setUsage(THREE.DynamicDrawUsage);
    this.geometry.setAttribute('position', pos);
    this.geometry.setAttribute('color', col);
    this.geometry.setDrawRange(0, 0);
    const material = new THREE.PointsMaterial({ size: 1.6, vertexColors: true, sizeAttenuation: false, clippingPlanes: [this.clip] });
    this.cloud = new THREE.Points(this.geometry, material);
    this.cloud.frustumCulled = false;
    this.scene.add(this.cloud);
    this.frameBox = new THREE.LineSegments(new THREE.BufferGeometry(), new THREE.LineBasicMaterial({ color: 0x30363d }));
    this.scene.add(this.frameBox);
  }

  private setGeometry(width: number, height: number): void {
    this.width = width;
    this.height = height;
    const d = this.spanMs * Z_PER_MS;
    const w = width / 2;
    const h = height / 2;
    // sensor frame at "now" and at the far end of the span
    const v: number[] = [];
    for (const z of [0, -d]) {
      v.push(-w, -h, z, w, -h, z, w, -h, z, w, h, z, w, h, z, -w, h, z, -w, h, z, -w, -h, z);
    }
    for (const [x, y] of [[-w, -h], [w, -h], [w, h], [-w, h]]) v.push(x, y, 0, x, y, -d);
    this.frameBox.geometry.dispose();
    this.frameBox.geometry = new THREE.BufferGeometry();
    this.frameBox.geometry.setAttribute('position', new THREE.Float32BufferAttribute(v, 3));
    this.controls.target.set(0, 0, -d / 2);
    this.frameBoxInView();
  }

  reset(): void {
    this.head = 0;
    this.filled = 0;
    this.epochUs = NaN;
    this.geometry.setDrawRange(0, 0);
  }

  /** append a chunk, decimated so the span holds about `pointBudget` points */
  add(c: EventChunk): void {
    const n = c.t.length;
    if (n === 0) return;
    const chunkMs = Math.max(1, (c.t[n - 1] - c.t[0]) / 1000);
    const budget = Math.max(500, Math.round((this.pointBudget * Math.min(chunkMs, this.spanMs)) / this.spanMs));
    if (c.width !== this.width || c.height !== this.height) {
      this.setGeometry(c.width, c.height);
      this.reset();
    }
    if (Number.isNaN(this.epochUs) || c.t0Us + c.t[0] < this.epochUs + this.nowMs * 1000 - 1_000_000) {
      this.reset();
      this.epochUs = c.t0Us + c.t[0];
    }
    const step = n > budget ? n / budget : 1;
    const pos = this.positions;
    const col = this.colours;
    const w2 = this.width / 2;
    const h2 = this.height / 2;
    const base = (c.t0Us - this.epochUs) / 1000;
    const [onR, onG, onB] = this.onRgb;
    const [offR, offG, offB] = this.offRgb;
    let newest = this.nowMs;
    if (this.pendingFrom < 0) this.pendingFrom = this.head;
    for (let f = 0; f < n; f += step) {
      const i = f | 0;
      const k = this.head * 3;
      const tMs = base + c.t[i] / 1000;
      pos[k] = c.x[i] - w2;
      pos[k + 1] = h2 - c.y[i];
      pos[k + 2] = tMs * Z_PER_MS;
      if (c.p[i]) {
        col[k] = onR; col[k + 1] = onG; col[k + 2] = onB;
      } else {
        col[k] = offR; col[k + 1] = offG; col[k + 2] = offB;
      }
      if (tMs > newest) newest = tMs;
      this.head++;
      if (this.head >= this.ring) {
        this.head = 0;
        this.pendingFrom = 0;
        this.pendingTo = this.ring;
      }
      if (this.filled < this.ring) this.filled++;
    }
    this.nowMs = newest;
    this.pendingTo = Math.max(this.pendingTo, this.head);
  }

  /** camera far enough back, along a 3/4 view, that the box's bounding sphere fits the narrower field of view */
  private frameBoxInView(): void {
    if (!this.width) return;
    const d = this.spanMs * Z_PER_MS;
    const radius = 0.5 * Math.hypot(this.width, this.height, d);
    const vfov = (this.camera.fov * Math.PI) / 180;
    const hfov = 2 * Math.atan(Math.tan(vfov / 2) * this.camera.aspect);
    const dist = (radius / Math.sin(Math.min(vfov, hfov) / 2)) * 1.05;
    const dir = new THREE.Vector3(0.55, 0.35, 0.76).normalize();
    this.camera.position.copy(this.controls.target).addScaledVector(dir, dist);
    this.camera.far = dist * 4;
    this.camera.updateProjectionMatrix();
    this.controls.update();
  }

  private setBudget(points: number): void {
    this.pointBudget = points;
    this.ring = Math.min(CAPACITY, Math.round(points * 1.5));
    if (this.head >= this.ring) this.head = 0;
    this.filled = Math.min(this.filled, this.ring);
    this.geometry.setDrawRange(0, this.filled);
  }

  resize(width: number, height: number): void {
    this.cssW = Math.max(1, width);
    this.cssH = Math.max(1, height);
    this.applySize();
    this.frameBoxInView();
  }

  private applySize(): void {
    this.renderer.setPixelRatio(this.scale * (globalThis.devicePixelRatio || 1));
    this.renderer.setSize(this.cssW, this.cssH, false);
    this.camera.aspect = this.cssW / this.cssH;
    this.camera.updateProjectionMatrix();
  }

  render(): void {
    const now = performance.now();
    const dt = now - this.lastFrame;
    this.lastFrame = now;
    if (dt > 40 && dt < 1000) {
      this.fastFrames = 0;
      if (++this.slowFrames >= 3) {
        this.slowFrames = 0;
        if (this.pointBudget > 5_000) this.setBudget(Math.max(5_000, this.pointBudget >> 1));
        else if (this.scale > 0.35) {
          this.scale /= 1.5;
          this.applySize();
        }
      }
    } else if (dt < 20) {
      this.slowFrames = 0;
      if (++this.fastFrames >= 60 && this.pointBudget < CAPACITY) {
        this.setBudget(Math.min(CAPACITY / 1.5, Math.round(this.pointBudget * 1.25)));
        this.fastFrames = 0;
      }
    }
    if (this.pendingFrom >= 0) {
      const pos = this.geometry.getAttribute('position') as THREE.BufferAttribute;
      const col = this.geometry.getAttribute('color') as THREE.BufferAttribute;
      const from = this.pendingTo <= this.pendingFrom ? 0 : this.pendingFrom;
      const count = this.pendingTo <= this.pendingFrom ? this.ring : this.pendingTo - this.pendingFrom;
      pos.clearUpdateRanges();
      col.clearUpdateRanges();
      pos.addUpdateRange(from * 3, count * 3);
      col.addUpdateRange(from * 3, count * 3);
      pos.needsUpdate = true;
      col.needsUpdate = true;
      this.pendingFrom = -1;
      this.pendingTo = -1;
      this.geometry.setDrawRange(0, this.filled);
    }
    // newest events at z = 0: slide the cloud back, clip what is older than the span
    const zNow = this.nowMs * Z_PER_MS;
    this.cloud.position.z = -zNow;
    this.clip.constant = this.spanMs * Z_PER_MS; // keeps world z >= -span
    this.controls.update();
    this.renderer.render(this.scene, this.camera);
  }

  dispose(): void {
    this.controls.dispose();
    this.geometry.dispose();
    this.renderer.dispose();
  }
}

export function webglAvailable(): boolean {
  try {
    const c = document.createElement('canvas');
    return !!(c.getContext('webgl2') ?? c.getContext('webgl'));
  } catch {
    return false;
  }
}
