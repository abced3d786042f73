/**
 * A small orbit camera for the 3D cloud, in place of three's OrbitControls
 * (which needs a DOM element, and the cloud renders in a worker): the camera
 * sits on a sphere around a target. Dragging turns it (a drag across the
 * view's height is half a turn), the wheel moves it closer or further, a
 * double click goes back to the home view that frames the whole box.
 * Pure math, y up, three.js's spherical convention.
 */

/** the home view looks at the box from the front right, slightly above */
const HOME_DIR = [0.55, 0.35, 0.76] as const;
/** keep off the poles, where the view would flip */
const EPS = 0.01;

export class Orbit {
  /** azimuth around y, radians (0 = looking down −z from +z) */
  theta = 0;
  /** polar angle from +y, radians */
  phi = Math.PI / 2;
  radius = 1;
  readonly target = [0, 0, 0];
  private home = { theta: 0, phi: Math.PI / 2, radius: 1 };

  constructor() {
    const [x, y, z] = HOME_DIR;
    const r = Math.hypot(x, y, z);
    this.home.theta = Math.atan2(x, z);
    this.home.phi = Math.acos(y / r);
    this.reset();
  }

  /**
   * Aim at a box of `w × h × d` (sensor plane at z = 0, time going back to
   * z = −d) and set the home distance so its bounding sphere fits the
   * narrower field of view. The current zoom is kept relative to home.
   */
  frame(w: number, h: number, d: number, vfovDeg: number, aspect: number): void {
    const radius = 0.5 * Math.hypot(w, h, d);
    const vfov = (vfovDeg * Math.PI) / 180;
    const hfov = 2 * Math.atan(Math.tan(vfov / 2) * aspect);
    const dist = (radius / Math.sin(Math.min(vfov, hfov) / 2)) * 1.05;
    const zoom = this.radius / this.home.radius;
    this.home.radius = dist;
    this.radius = dist * zoom;
    this.target[0] = 0;
    this.target[1] = 0;
    this.target[2] = -d / 2;
  }

  reset(): void {
    this.theta = this.home.theta;
    this.phi = this.home.phi;
    this.radius = this.home.radius;
  }

  /** a drag of (dx, dy) CSS pixels in a view `viewHeight` pixels tall */
  rotate(dx: number, dy: number, viewHeight: number): void {
    const h = Math.max(1, viewHeight);
    this.theta -= (2 * Math.PI * dx) / h;
    this.phi = Math.min(Math.PI - EPS, Math.max(EPS, this.phi - (Math.PI * dy) / h));
  }

  /** wheel deltaY in pixels: positive moves away; between 1/20 and 5× the home distance */
  zoom(deltaY: number): void {
    const r = this.radius * Math.exp(deltaY * 0.001);
    this.radius = Math.min(this.home.radius * 5, Math.max(this.home.radius / 20, r));
  }

  /** the camera position */
  position(out: [number, number, number] | Float64Array): void {
    const s = Math.sin(this.phi) * this.radius;
    out[0] = this.target[0] + s * Math.sin(this.theta);
    out[1] = this.target[1] + Math.cos(this.phi) * this.radius;
    out[2] = this.target[2] + s * Math.cos(this.theta);
  }
}
