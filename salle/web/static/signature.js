/* Signature pad: pointer events -> vector strokes [[{x, y, t}, …], …] drawn as they come. */
"use strict";

class SignaturePad {
  constructor(canvas) {
    this.canvas = canvas; this.ctx = canvas.getContext("2d"); this.strokes = []; this.current = null;
    this.ctx.lineWidth = 2.5; this.ctx.lineCap = "round"; this.ctx.strokeStyle = "#0b1f4d";
    canvas.style.touchAction = "none";
    canvas.addEventListener("pointerdown", (e) => {
      canvas.setPointerCapture(e.pointerId);
      this.start = this.start || e.timeStamp; this.current = []; this.strokes.push(this.current); this.add(e);
    });
    canvas.addEventListener("pointermove", (e) => { if (this.current) this.add(e); });
    const end = () => { this.current = null; };
    canvas.addEventListener("pointerup", end); canvas.addEventListener("pointercancel", end);
  }
  add(e) {
    const r = this.canvas.getBoundingClientRect();
    const p = { x: Math.round((e.clientX - r.left) * this.canvas.width / r.width),
                y: Math.round((e.clientY - r.top) * this.canvas.height / r.height),
                t: Math.round(e.timeStamp - this.start) };
    const last = this.current[this.current.length - 1];
    this.current.push(p);
    this.ctx.beginPath();
    this.ctx.moveTo((last || p).x, (last || p).y); this.ctx.lineTo(p.x + (last ? 0 : 0.5), p.y); this.ctx.stroke();
  }
  clear() { this.strokes = []; this.start = null; this.ctx.clearRect(0, 0, this.canvas.width, this.canvas.height); }
  isEmpty() { return !this.strokes.some((s) => s.length); }
  value() { return this.strokes.filter((s) => s.length); }
}
