/**
 * Space-time point cloud: the ring of recent events (space-time-ring.ts) as
 * three.js Points, seen through the orbit camera (space-time-orbit.ts).
 * Positions and colours live in one preallocated BufferGeometry updated in
 * place; only the written range is uploaded. Points older than `spanMs` are
 * cut by a clipping plane that moves with time, so nothing is ever re-sorted
 * or rewritten. Renders into an OffscreenCanvas in space-time-worker.ts; no
 * DOM is touched here.
 */
import * as THREE from 'three';
import { Orbit } from './space-time-orbit';
import { CAPACITY, MIN_BUDGET, SpaceTimeRing, Z_PER_MS, type EventColumns } from './space-time-ring';

export class SpaceTimeCloud {
  readonly orbit = new Orbit();
  private readonly ring = new SpaceTimeRing();
  private renderer: THREE.WebGLRenderer;
  private scene = new THREE.Scene();
  private camera = new THREE.PerspectiveCamera(45, 1, 1, 5000);
  private geometry = new THREE.BufferGeometry();
  private cloud: THREE.Points;
  private clip = new THREE.Plane(new THREE.Vector3(0, 0, 1), 0);
  private frameBox: THREE.LineSegments;
  private eye: [number, number, number] = [0, 0, 0];
  private lastFrame = 0;
  private slowFrames = 0;
  private fastFrames = 0;
  /** drawing-buffer scale; lowered when even the smallest point budget is slow (software WebGL) */
  private scale = 1;
  private cssW = 1;
  private cssH = 1;
  private dpr = 1;

  constructor(canvas: OffscreenCanvas | HTMLCanvasElement) {
    this.renderer = new THREE.WebGLRenderer({ canvas, antialias: false, powerPreference: 'high-performance' });
    this.renderer.localClippingEnabled = true;
    this.renderer.setClearColor(0x05070a);
    const pos = new THREE.BufferAttribute(this.ring.positions, 3);
    pos.setUsage(THREE.DynamicDrawUsage);
    const col = new THREE.BufferAttribute(this.ring.colours, 3);
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

  get spanMs(): number {
    return this.ring.spanMs;
  }

  set spanMs(ms: number) {
    if (ms === this.ring.spanMs) return;
    this.ring.spanMs = ms;
    this.buildFrameBox();
  }

  /** the sensor frame at "now" and at the far end of the span, and the camera aimed at it */
  private buildFrameBox(): void {
    const { width, height } = this.ring;
    if (!width) return;
    const d = this.ring.spanMs * Z_PER_MS;
    const w = width / 2;
    const h = height / 2;
    const v: number[] = [];
    for (const z of [0, -d]) {
      v.push(-w, -h, z, w, -h, z, w, -h, z, w, h, z, w, h, z, -w, h, z, -w, h, z, -w, -h, z);
    }
    for (const [x, y] of [[-w, -h], [w, -h], [w, h], [-w, h]]) v.push(x, y, 0, x, y, -d);
    this.frameBox.geometry.dispose();
    this.frameBox.geometry = new THREE.BufferGeometry();
    this.frameBox.geometry.setAttribute('position', new THREE.Float32BufferAttribute(v, 3));
    this.orbit.frame(width, height, d, this.camera.fov, this.camera.aspect);
  }

  add(c: EventColumns): void {
    if (this.ring.add(c)) {
      this.geometry.setDrawRange(0, 0);
      this.buildFrameBox();
    }
  }

  resize(cssWidth: number, cssHeight: number, devicePixelRatio: number): void {
    this.cssW = Math.max(1, cssWidth);
    this.cssH = Math.max(1, cssHeight);
    this.dpr = devicePixelRatio || 1;
    this.applySize();
    this.buildFrameBox();
  }

  /** drag of (dx, dy) CSS pixels */
  rotate(dx: number, dy: number): void {
    this.orbit.rotate(dx, dy, this.cssH);
  }

  private applySize(): void {
    this.renderer.setPixelRatio(this.scale * this.dpr);
    // false: an OffscreenCanvas has no style to set; the page sizes the element
    this.renderer.setSize(this.cssW, this.cssH, false);
    this.camera.aspect = this.cssW / this.cssH;
    this.camera.updateProjectionMatrix();
  }

  /**
   * Points kept per span, adapted to how long frames take: without a GPU
   * (software WebGL) 150k points cost ~150 ms a frame, so the budget halves
   * while frames are slow (then the drawing buffer shrinks) and grows back
   * while they are fast.
   */
  private adapt(now: number): void {
    const dt = now - this.lastFrame;
    this.lastFrame = now;
    const ring = this.ring;
    if (dt > 40 && dt < 1000) {
      this.fastFrames = 0;
      if (++this.slowFrames >= 3) {
        this.slowFrames = 0;
        if (ring.pointBudget > MIN_BUDGET) ring.setBudget(Math.max(MIN_BUDGET, ring.pointBudget >> 1));
        else if (this.scale > 0.35) {
          this.scale /= 1.5;
          this.applySize();
        }
      }
    } else if (dt < 20) {
      this.slowFrames = 0;
      if (++this.fastFrames >= 60 && ring.pointBudget < CAPACITY / 1.5) {
        ring.setBudget(Math.min(CAPACITY / 1.5, Math.round(ring.pointBudget * 1.25)));
        this.fastFrames = 0;
      }
    }
  }

  render(now: number): void {
    this.adapt(now);
    const dirty = this.ring.takeDirty();
    if (dirty) {
      const pos = this.geometry.getAttribute('position') as THREE.BufferAttribute;
      const col = this.geometry.getAttribute('color') as THREE.BufferAttribute;
      pos.clearUpdateRanges();
      col.clearUpdateRanges();
      pos.addUpdateRange(dirty.from * 3, dirty.count * 3);
      col.addUpdateRange(dirty.from * 3, dirty.count * 3);
      pos.needsUpdate = true;
      col.needsUpdate = true;
    }
    this.geometry.setDrawRange(0, this.ring.filled);
    // newest events at z = 0: slide the cloud back, clip what is older than the span
    this.cloud.position.z = -this.ring.nowMs * Z_PER_MS;
    this.clip.constant = this.ring.spanMs * Z_PER_MS; // keeps world z >= -span
    this.orbit.position(this.eye);
    this.camera.position.set(this.eye[0], this.eye[1], this.eye[2]);
    const [tx, ty, tz] = this.orbit.target;
    this.camera.lookAt(tx, ty, tz);
    // past the far side of the box from wherever the camera is
    const far = this.orbit.radius + Math.hypot(this.ring.width, this.ring.height, this.ring.spanMs * Z_PER_MS);
    if (this.camera.far !== far) {
      this.camera.far = far;
      this.camera.updateProjectionMatrix();
    }
    this.renderer.render(this.scene, this.camera);
  }

  dispose(): void {
    this.geometry.dispose();
    this.frameBox.geometry.dispose();
    this.renderer.dispose();
  }
}
