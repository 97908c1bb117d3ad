/* Salle — shared by the tablet and the console: the API (cache: "no-store"), client ids, the offline queue,
   the server clock, the signature pad, live updates. Vanilla JS, no build step. */
"use strict";

const Salle = (() => {
  const TOKEN = "salle.token", WHO = "salle.personnel";
  let offset = 0; // server clock minus this device's clock, in ms
  let repetition = false;

  function uuid() { // crypto.randomUUID needs a secure context; a LAN address over http is not one
    if (window.crypto && crypto.randomUUID && window.isSecureContext) return crypto.randomUUID();
    const b = crypto.getRandomValues(new Uint8Array(16));
    b[6] = (b[6] & 0x0f) | 0x40; b[8] = (b[8] & 0x3f) | 0x80;
    const h = [...b].map((x) => x.toString(16).padStart(2, "0")).join("");
    return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
  }

  const token = () => localStorage.getItem(TOKEN);
  const personnel = () => JSON.parse(localStorage.getItem(WHO) || "null");

  function noteServer(data) {
    if (data && data.heure_serveur) offset = new Date(data.heure_serveur).getTime() - Date.now();
    if (data && typeof data.repetition === "boolean" && data.repetition !== repetition) {
      repetition = data.repetition;
      document.querySelectorAll("[data-repetition]").forEach((el) => { el.hidden = !repetition; });
    }
  }

  /* One request. Resolves {status, data} for any HTTP answer; rejects (TypeError) only when the network fails. */
  async function api(method, path, body) {
    const headers = { "Accept": "application/json" };
    if (token()) headers.Authorization = `Bearer ${token()}`;
    const init = { method, headers, cache: "no-store" };
    if (body instanceof FormData) init.body = body;
    else if (body !== undefined) { headers["Content-Type"] = "application/json"; init.body = JSON.stringify(body); }
    const r = await fetch(path, init);
    let data = {};
    try { data = await r.json(); } catch (e) { data = { erreur: { message: `Réponse illisible du serveur (${r.status}).` } }; }
    noteServer(data);
    if (r.status === 401 && token()) { logout(false); }
    return { status: r.status, data };
  }

  async function login(code, device) {
    const { status, data } = await api("POST", "/api/v1/auth/login", { code, device });
    if (status !== 200) throw new Error(data.erreur ? data.erreur.message : "Connexion impossible.");
    localStorage.setItem(TOKEN, data.token);
    localStorage.setItem(WHO, JSON.stringify(data.personnel));
    return data.personnel;
  }

  /* Sign this device out. `server`: also tell the server, so the token stops working there (not when the
     server has just refused it). */
  async function logout(server = true) {
    const t = token();
    if (server && t) {
      try { await fetch("/api/v1/auth/logout", { method: "POST", headers: { Authorization: `Bearer ${t}` }, cache: "no-store" }); } catch (e) { /* offline: the token is forgotten here anyway */ }
    }
    localStorage.removeItem(TOKEN); localStorage.removeItem(WHO);
    location.reload();
  }

  const now = () => new Date(Date.now() + offset);
  const pad = (n) => String(n).padStart(2, "0");
  // the server's own way of writing a time (its local time, no offset): the fields of a Date set by the server
  const localIso = (d) => `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
  const hhmm = (iso) => (iso ? iso.slice(11, 16).replace(":", " h ") : "—");
  const errorMessage = (data) => (data && data.erreur ? data.erreur.message : "Erreur inattendue.");
  const serverDown = (status) => status >= 502 && status <= 504; // could not record (disk, restart): nothing was

  function el(tag, attrs = {}, ...children) { // text only through textContent: nothing typed reaches HTML
    const node = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs)) {
      if (k === "class") node.className = v;
      else if (k === "style") node.style.cssText = v; // CSSOM, which the Content-Security-Policy allows (not an attribute)
      else if (k.startsWith("on")) node.addEventListener(k.slice(2), v);
      else if (v !== false && v !== null && v !== undefined) node.setAttribute(k, v === true ? "" : v);
    }
    for (const c of children.flat()) node.append(c instanceof Node ? c : document.createTextNode(String(c ?? "")));
    return node;
  }

  /* Every write goes through this queue, persisted in localStorage, replayed in order when the network is back.
     Each action keeps its client_id, so a replay after a cut is recorded once. An answer 502-504 (the server
     could not record: disk trouble, restart) keeps the action queued like a network cut: nothing was recorded. */
  class Queue {
    constructor(key, onResult, onChange) {
      this.key = key; this.onResult = onResult; this.onChange = onChange;
      this.online = true; this.serverDown = false; this.busy = false;
      window.addEventListener("online", () => this.flush());
      setInterval(() => { if (this.items().length) this.flush(); }, 2000);
    }
    items() { return JSON.parse(localStorage.getItem(this.key) || "[]"); }
    save(items) { localStorage.setItem(this.key, JSON.stringify(items)); this.onChange(this); }
    push(path, body, label, context) {
      const action = { path, body: { client_id: uuid(), device_time: new Date().toISOString(), ...body }, label,
                       context: context || {}, at: Date.now() };
      this.save([...this.items(), action]);
      return this.flush();
    }
    async flush() {
      if (this.busy) return;
      this.busy = true;
      try {
        for (let items = this.items(); items.length; items = this.items()) {
          const action = items[0];
          let answer;
          try { answer = await api("POST", action.path, action.body); } catch (e) {
            this.online = false; this.serverDown = false; this.onChange(this); return; // network down: keep it, try again later
          }
          if (serverDown(answer.status)) { // the server could not record it: keep it, try again later
            this.online = false; this.serverDown = true; this.onChange(this); return;
          }
          this.online = true; this.serverDown = false;
          this.save(this.items().filter((a) => a.body.client_id !== action.body.client_id));
          this.onResult(action, answer);
        }
      } finally { this.busy = false; this.onChange(this); }
    }
  }

  /* Signature pad: pointer events -> vector strokes [[{x, y, t}, …], …] drawn as they come. */
  class SignaturePad {
    constructor(canvas) {
      this.canvas = canvas; this.ctx = canvas.getContext("2d"); this.strokes = []; this.current = null;
      this.ctx.lineWidth = 2.5; this.ctx.lineCap = "round"; this.ctx.strokeStyle = "#0b1f4d";
      canvas.style.touchAction = "none";
      canvas.addEventListener("pointerdown", (e) => { canvas.setPointerCapture(e.pointerId); this.start = this.start || e.timeStamp; this.current = []; this.strokes.push(this.current); this.add(e); });
      canvas.addEventListener("pointermove", (e) => { if (this.current) this.add(e); });
      const end = () => { this.current = null; };
      canvas.addEventListener("pointerup", end); canvas.addEventListener("pointercancel", end);
    }
    add(e) {
      const r = this.canvas.getBoundingClientRect();
      const p = { x: Math.round((e.clientX - r.left) * this.canvas.width / r.width), y: Math.round((e.clientY - r.top) * this.canvas.height / r.height), t: Math.round(e.timeStamp - this.start) };
      const last = this.current[this.current.length - 1];
      this.current.push(p);
      this.ctx.beginPath();
      this.ctx.moveTo((last || p).x, (last || p).y); this.ctx.lineTo(p.x + (last ? 0 : 0.5), p.y); this.ctx.stroke();
    }
    clear() { this.strokes = []; this.start = null; this.ctx.clearRect(0, 0, this.canvas.width, this.canvas.height); }
    isEmpty() { return !this.strokes.some((s) => s.length); }
    value() { return this.strokes.filter((s) => s.length); }
  }

  /* A short sound per verdict colour (Web Audio: no file to load) and a vibration pattern where the device has
     one; muted with the tablet's « Son » switch (kept on the device). */
  const TONES = { ok: [[880, 0.12]], warn: [[660, 0.12], [880, 0.12]], bad: [[330, 0.35]], info: [[740, 0.08]] };
  const BUZZ = { ok: [60], warn: [60, 80, 60], bad: [300], info: [30] };
  let audio = null;
  const muted = () => localStorage.getItem("salle.son") === "non";
  // The audio context is made at the first touch or key (browsers start sound only after a gesture), never on a
  // verdict's path: making one costs tens of milliseconds.
  const wake = () => { try { audio = audio || new (window.AudioContext || window.webkitAudioContext)(); } catch (e) { /* none */ } };
  window.addEventListener("pointerdown", wake, { once: true, capture: true });
  window.addEventListener("keydown", wake, { once: true, capture: true });
  function signal(kind) {
    if (muted() || !TONES[kind]) return;
    setTimeout(() => { // after the verdict is painted
      if (audio) {
        let t = audio.currentTime;
        for (const [freq, length] of TONES[kind]) {
          const osc = audio.createOscillator(), gain = audio.createGain();
          osc.frequency.value = freq; gain.gain.setValueAtTime(0.15, t); gain.gain.exponentialRampToValueAtTime(0.001, t + length);
          osc.connect(gain).connect(audio.destination); osc.start(t); osc.stop(t + length); t += length + 0.04;
        }
      }
      if (navigator.vibrate) navigator.vibrate(BUZZ[kind]);
    }, 0);
  }
  function setMuted(value) { localStorage.setItem("salle.son", value ? "non" : "oui"); }

  function live(handlers) {
    if (!window.io) return null;
    const socket = io({ auth: { token: token() }, transports: ["websocket", "polling"] });
    for (const [name, fn] of Object.entries(handlers)) socket.on(name, fn);
    // Cut by the server (this device was signed out): ask who we are; a 401 brings the sign-in back.
    socket.on("disconnect", (reason) => { if (reason === "io server disconnect") api("GET", "/api/v1/me").catch(() => {}); });
    socket.on("connect_error", (err) => {
      if (err && err.data && ["jeton_invalide", "jeton_expire", "non_authentifie"].includes(err.data.code)) logout(false);
    });
    // Under load the server batches what piled up into one "evenements" message (a list, oldest first).
    if (handlers.evenement) socket.on("evenements", (list) => list.forEach(handlers.evenement));
    return socket;
  }

  return { uuid, api, login, logout, token, personnel, now, localIso, hhmm, errorMessage, serverDown, el, Queue, SignaturePad, live,
           signal, muted, setMuted,
           get repetition() { return repetition; } };
})();
