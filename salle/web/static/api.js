/* Salle's API from the browser, for the tablet, the console and the borne: requests with the sign-in's token
   (cache: "no-store"), commands answered by a verdict, client ids, the offline queue, downloads, the move to the
   site's standby laptop once it is promoted, and the French words for what went wrong. Vanilla JS, no build step. */
"use strict";

const Api = (() => {
  const settings = {
    tokenKey: "salle.token", // the borne keeps its own
    onUnauthorized: null,    // (path) => …: the server no longer knows this device's token
  };
  const listeners = [];      // (data) => …: every answer read, e.g. the server clock (clock.js)

  function configure(options) { Object.assign(settings, options); }
  function onAnswer(fn) { listeners.push(fn); }
  function noteAnswer(data) { listeners.forEach((fn) => fn(data)); } // an answer that came another way (Live)
  const token = () => localStorage.getItem(settings.tokenKey);
  const saveToken = (value) => localStorage.setItem(settings.tokenKey, value);
  const forgetToken = () => localStorage.removeItem(settings.tokenKey);
  const AUTH = "/api/v1/auth/"; // signing in or out: a 401 there is an answer, not a lost sign-in

  /* The site's standby laptop (its address, given at sign-in) and the server this page talks to: "" (the one it
     was loaded from) until the main stops answering and the standby says it is promoted (issue 15). The token
     and the queue stay in this page's storage; the standby knows the token from the journal it copied. */
  const STANDBY = "salle.secours", BASE = "salle.serveur";
  const base = () => localStorage.getItem(BASE) || "";
  const moveListeners = [];
  function onMove(fn) { moveListeners.push(fn); }
  function setStandby(address) {
    if (address) localStorage.setItem(STANDBY, address); else localStorage.removeItem(STANDBY);
    localStorage.removeItem(BASE); // signed in here: this page's own server
  }

  /* The main did not answer: whether the standby is promoted, and then talk to it from now on. */
  async function moveToStandby() {
    const standby = localStorage.getItem(STANDBY);
    if (!standby || base() === standby) return false;
    try {
      const r = await fetch(`${standby}/api/v1/secours`, { cache: "no-store" });
      if (!r.ok || !(await r.json()).promu) return false;
    } catch (e) { return false; }
    localStorage.setItem(BASE, standby);
    moveListeners.forEach((fn) => fn(standby));
    return true;
  }

  function uuid() { // crypto.randomUUID needs a secure context; a LAN address over http is not one
    if (window.crypto && crypto.randomUUID && window.isSecureContext) return crypto.randomUUID();
    const b = crypto.getRandomValues(new Uint8Array(16));
    b[6] = (b[6] & 0x0f) | 0x40; b[8] = (b[8] & 0x3f) | 0x80;
    const h = [...b].map((x) => x.toString(16).padStart(2, "0")).join("");
    return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
  }

  const authorization = () => (token() ? { Authorization: `Bearer ${token()}` } : {});

  /* One request. Resolves {status, data} for any HTTP answer; rejects (TypeError) only when the network fails.
     An answer that is not JSON becomes an `erreur` with the code « reponse_illisible ». */
  async function request(method, path, body) {
    const headers = { "Accept": "application/json", ...authorization() };
    const init = { method, headers, cache: "no-store" };
    if (body instanceof FormData) init.body = body;
    else if (body !== undefined) { headers["Content-Type"] = "application/json"; init.body = JSON.stringify(body); }
    let r;
    try { r = await fetch(base() + path, init); } catch (e) {
      // The server this page talks to does not answer: its standby, once promoted, answers instead (a page
      // reloaded while the main was dead starts with a read; a write goes through the queue, which moves too).
      if (await moveToStandby()) return request(method, path, body);
      throw e;
    }
    let data;
    try { data = await r.json(); } catch (e) {
      data = { erreur: { code: "reponse_illisible", message: `Réponse illisible du serveur (${r.status}).` } };
    }
    noteAnswer(data);
    if (r.status === 401 && token() && !path.startsWith(AUTH) && settings.onUnauthorized) settings.onUnauthorized(path);
    return { status: r.status, data };
  }

  /* A command (a write the rules judge). Resolves to its verdict {ok, verdict, message, regle,
     autorise_a_partir_de, enregistre, rejoue, …data}: a refusal is `ok: false`. A request the server could not
     judge (bad input, sign-in, not found, too many, its own trouble) resolves to {ok: false, verdict: <error
     code>, message, http: <status>}: `http` is set only then. Rejects only when the network fails. */
  async function command(method, path, body) {
    const { status, data } = await request(method, path, body);
    if (status >= 200 && status < 300) return data;
    const e = data.erreur || {};
    return { ok: false, enregistre: false, verdict: e.code || `http_${status}`, message: e.message || "",
             http: status };
  }

  /* The server could not record (disk, restart): nothing was; try again later, as after a network cut. */
  const serverDown = (answer) => !!answer && answer.http >= 502 && answer.http <= 504;

  /* What went wrong, in French, for whom reads it. `answer`: a verdict from command(), or a {status, data} from
     request(), or null when the network failed. The staff read the server's own words; the borne has its own. */
  const STAFF = {
    reseau: "Serveur injoignable : vérifiez le réseau.",
    serveur: null, // the server's trouble (5xx): its own message says what to do
    illisible: (status) => `Réponse illisible du serveur (${status}).`,
    autre: "Erreur inattendue.",
  };
  function errorText(answer, words = STAFF) {
    if (!answer) return words.reseau;
    const status = answer.http || answer.status;
    const e = answer.data ? answer.data.erreur || {} : { code: answer.verdict, message: answer.message };
    if (status >= 500 && words.serveur) return words.serveur;
    if (e.code === "reponse_illisible") return words.illisible(status);
    return e.message || words.autre;
  }

  /* A document the server names (Content-Disposition). Resolves {ok: true, blob, name} or {ok: false, message};
     rejects only when the network fails. */
  async function file(path) {
    const r = await fetch(base() + path, { headers: authorization(), cache: "no-store" });
    if (!r.ok) {
      const data = await r.json().catch(() => ({}));
      return { ok: false, message: data.erreur ? data.erreur.message : `Erreur ${r.status}.` };
    }
    const m = /filename="([^"]+)"/.exec(r.headers.get("Content-Disposition") || "");
    return { ok: true, blob: await r.blob(), name: m ? m[1] : "document" };
  }

  /* The same, saved on this device under its own name. Resolves like file(). */
  async function download(path) {
    const f = await file(path);
    if (!f.ok) return f;
    const url = URL.createObjectURL(f.blob);
    const a = document.createElement("a");
    a.href = url; a.download = f.name;
    document.body.append(a); a.click(); a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 10000);
    return f;
  }

  /* Every write of the tablet goes through this queue, persisted in localStorage, replayed in order when the
     network is back. Each action keeps its client_id, so a replay after a cut is recorded once. An answer 502-504
     (the server could not record: disk trouble, restart) keeps the action queued like a network cut.
     onResult(action, verdict, replayed) gets each answer as command() resolves it; `replayed`: the action waited
     (a try that failed, or queued by an earlier page), so its answer comes late, whatever the clock says. */
  class Queue {
    constructor(key, onResult, onChange) {
      this.key = key; this.onResult = onResult; this.onChange = onChange;
      this.online = true; this.serverDown = false; this.busy = false;
      this.pushed = new Set(); // the client ids this page pushed and has no answer for yet
      window.addEventListener("online", () => this.flush());
      setInterval(() => { if (this.items().length) this.flush(); }, 2000);
      /* A reload while actions wait could lose them: with the server gone the page would not load again, and a page
         opened at the standby's address has another storage. The browser asks first (its own words). */
      window.addEventListener("beforeunload", (e) => {
        if (this.items().length) { e.preventDefault(); e.returnValue = ""; }
      });
    }
    /* What the page learnt another way: the server did not answer a read (a page opened from the tablet's copy
       while the server is down), or answered again (the live connection is back: what waits goes now). */
    unreachable() { this.online = false; this.onChange(this); }
    tried(action) { // a try that failed: its answer, when it comes, is a replay's
      action.tries = (action.tries || 0) + 1;
      this.save(this.items().map((a) => (a.body.client_id === action.body.client_id ? action : a)));
    }
    reached() { this.online = true; this.serverDown = false; this.onChange(this); return this.flush(); }
    items() { return JSON.parse(localStorage.getItem(this.key) || "[]"); }
    save(items) { localStorage.setItem(this.key, JSON.stringify(items)); this.onChange(this); }
    push(path, body, label, context) {
      const action = { path, body: { client_id: uuid(), device_time: new Date().toISOString(), ...body }, label,
                       context: context || {} };
      this.pushed.add(action.body.client_id);
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
          // The main gone and the standby promoted, request() has already moved there and replayed it.
          try { answer = await command("POST", action.path, action.body); } catch (e) {
            this.tried(action);
            this.online = false; this.serverDown = false; this.onChange(this); return; // network down: later
          }
          if (serverDown(answer)) { // the server could not record it: keep it, try again later
            this.tried(action);
            // fenced, or unsure whether the standby was promoted while it was down: to the standby if it was
            if (["secours_promu", "principal_incertain"].includes(answer.verdict) && await moveToStandby()) continue;
            this.online = false; this.serverDown = true; this.onChange(this); return;
          }
          this.online = true; this.serverDown = false;
          this.save(this.items().filter((a) => a.body.client_id !== action.body.client_id));
          const mine = this.pushed.delete(action.body.client_id);
          this.onResult(action, answer, !!action.tries || !mine);
        }
      } finally { this.busy = false; this.onChange(this); }
    }
  }

  /* A page's reload that pushes and clicks ask for at once. Run concurrently, an older answer could arrive last
     and put back what an act just changed (the jury's page kept « Commencer le passage » after the passage began).
     One run at a time; calls made while it runs share one more run after it, which starts after them and so reads
     everything they were made for. The promise a call gets resolves once that run is done. */
  function coalesced(run) {
    let running = null, next = null;
    const start = () => {
      running = Promise.resolve().then(run).catch(() => { /* offline: what is shown stays */ })
        .finally(() => { running = null; });
      return running;
    };
    return function call() {
      if (!running) return start();
      if (!next) next = running.then(() => { next = null; return start(); });
      return next;
    };
  }

  return { configure, onAnswer, noteAnswer, token, saveToken, forgetToken, uuid, request, command, serverDown,
           errorText, base, standby: () => localStorage.getItem(STANDBY), setStandby, moveToStandby, onMove,
           file, download, coalesced, Queue };
})();
