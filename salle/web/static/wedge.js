/* Keyboard-wedge scanners (USB or Bluetooth scanners that type like a keyboard), wherever the focus is.
   A scan is told from typing by its speed: its keys come a few milliseconds apart, a person's a hundred or more.
   It may end with Enter, with Tab, or with nothing (many cheap scanners): a pause ends it then. A scanner set up
   to send a prefix is recognised by the prefix (a setting of the tablet), whatever its speed.
   A scan always wins: its characters never stay in a question, a button or a form — they are taken back out of
   whatever field received them — and its Enter or Tab never activates anything. Slow typing ended by Enter in
   the scan field is text (a search). */
"use strict";

const Wedge = (() => {
  const KEY = "salle.douchette";
  // prefix sent by the scanner (none by default); median milliseconds between a scanner's keys at most: scanners
  // send a key every 1-10 ms, a busy tablet may space them to 20-40 ms; the fastest typists stay above 80 ms
  // fin: how a code ends — "auto" (Enter, Tab, or a pause when the scanner sends neither), "terminateur" (Enter or
  // Tab only), "pause" (nothing). In "auto", once a scan ended with Enter or Tab the tablet knows its scanner sends
  // one (`fin_vue`), and a pause no longer ends a scan: a busy tablet that delivers keys late cannot cut it short.
  const DEFAULTS = { prefixe: "", ecart: 50, fin: "auto", fin_vue: false };
  const MIN_LENGTH = 4;    // shorter bursts are not codes
  const SPLIT_MS = 200;    // a longer silence starts a new burst
  const PAUSE_MS = 250;    // a fast burst followed by this much silence is a scan without terminator
  const TRAIL_MS = 500;    // an Enter or Tab this soon after a scan ended by a pause is that scan's terminator
  const HOLD_MS = SPLIT_MS; // characters held out of the page are given back after this silence if no scan ends

  const settings = () => ({ ...DEFAULTS, ...JSON.parse(localStorage.getItem(KEY) || "{}") });
  const saveSettings = (s) => localStorage.setItem(KEY, JSON.stringify({ ...settings(), ...s }));

  const TEXT_INPUTS = ["text", "search", "number", "tel", "email", "password", "url", ""];
  const editable = (node) => !!node && (node.isContentEditable || node.tagName === "TEXTAREA"
    || (node.tagName === "INPUT" && TEXT_INPUTS.includes(node.type)));

  function median(values) {
    const s = [...values].sort((a, b) => a - b);
    return s.length ? s[Math.floor(s.length / 2)] : Infinity;
  }

  class Reader {
    /* field: the scan field, where stray characters go; onScan(code) for a scan; onText(text) for slow
       typing ended by Enter in the scan field. */
    constructor(field, { onScan, onText }) {
      this.field = field; this.onScan = onScan; this.onText = onText;
      this.burst = null; this.timer = null; this.endedAt = -Infinity; this.swallowed = new Set();
      this.cut = null; // the last scan a pause ended: {chars, times, at}, to take back if the pause was not one
      this.enabled = true;
      this.last = []; // the last bursts judged: {length, median, scan}: shown by the scanner's settings
      window.addEventListener("keydown", (e) => this.keydown(e), true);
      window.addEventListener("keyup", (e) => {
        if (this.swallowed.delete(e.code || e.key)) { e.preventDefault(); e.stopPropagation(); }
      }, true);
    }

    swallow(e) {
      e.preventDefault(); e.stopPropagation();
      this.swallowed.add(e.code || e.key);
    }

    keydown(e) {
      if (!this.enabled || e.ctrlKey || e.altKey || e.metaKey || e.isComposing) return;
      const t = e.timeStamp;
      if (e.key.length === 1) return this.character(e, t);
      if (e.key !== "Enter" && e.key !== "Tab") return;
      const b = this.burst;
      if (b && (b.prefixed || this.isScan(b, t))) {
        this.swallow(e);
        if (!settings().fin_vue) saveSettings({ fin_vue: true });
        return this.finish();
      }
      if (b) this.release(b); // not a scan: the characters held back go where they were typed, before the Enter
      if (t - this.endedAt < TRAIL_MS) { this.swallow(e); this.endedAt = -Infinity; return; } // a late terminator
      if (e.key === "Enter" && e.target === this.field && this.field.value.trim()) {
        this.swallow(e);
        const text = this.field.value.trim();
        this.field.value = ""; this.burst = null;
        this.onText(text);
      }
      // otherwise a person's Enter or Tab on a control: theirs
    }

    character(e, t) {
      const s = settings();
      let b = this.burst;
      if (!b || t - b.times[b.times.length - 1] > SPLIT_MS) {
        if (b) this.release(b);
        b = this.burst = { chars: [], times: [], touched: new Map(), prefixed: false, matched: 0, received: [],
                           held: "", into: null, fast: true };
        const cut = this.cut;
        // A key pressed before the pause that ended the last scan was judged, at the scanner's pace after its
        // last key: there was no pause, the keys reached the page late (a busy tablet, a stalled link). The scan
        // goes on from where it was cut, and its end gives the whole code.
        if (cut && t < cut.at && t - cut.times[cut.times.length - 1] <= s.ecart) {
          b.chars = [...cut.chars]; b.times = [...cut.times]; b.prefixed = cut.prefixed;
        }
        this.cut = null;
      }
      if (s.prefixe && !b.prefixed) { // a configured prefix: what follows it is the scanner's, whatever the speed
        if (e.key === s.prefixe[b.matched]) {
          this.swallow(e);
          b.matched += 1;
          if (b.matched === s.prefixe.length) { b.prefixed = true; b.chars = []; b.times = []; }
          this.arm(b);
          return;
        }
        if (b.matched) this.giveBack(e.target, s.prefixe.slice(0, b.matched)); // a person typed it: theirs
        b.matched = 0;
      }
      const gap = b.times.length ? t - b.times[b.times.length - 1] : null;
      b.chars.push(e.key); b.times.push(t); b.received.push(performance.now());
      if (b.prefixed) { this.swallow(e); this.arm(b); return; }
      // From the burst's second key, while every key has come at a scanner's pace, the character is held out of
      // the page: a scan then changes nothing on screen before its verdict (each character typed into a field
      // costs a frame, and the verdict waited behind them). A key at a person's pace gives them all back.
      if (gap !== null && b.fast && gap <= s.ecart) {
        this.swallow(e);
        // The first character went into an empty field: it is taken back now, with the second key, rather than
        // at the scan's end: the Enter then changes nothing on screen, and no frame holds its answer back.
        if (b.chars.length === 2 && b.into && b.touched.get(b.into) === "" && b.into.value === b.chars[0]) {
          b.into.value = "";
          b.held = b.chars[0];
        }
        b.held += e.key;
        this.arm(b);
        return;
      }
      if (gap !== null) { b.fast = false; this.release(b); }
      let target = e.target;
      if (!editable(target)) { // typed on a button, a canvas, the page: it belongs in the scan field
        this.swallow(e);
        target = this.field;
        if (!b.touched.has(target)) b.touched.set(target, target.value);
        target.value += e.key;
        if (document.activeElement !== target) target.focus();
      } else if (!b.touched.has(target)) {
        b.touched.set(target, target.value);
      }
      if (!b.into) b.into = target;
      this.arm(b);
    }

    /* The characters held back of a burst that is not (or not yet known as) a scan, put where its first went. */
    release(b) {
      if (!b.held) return;
      const node = b.into && b.into.isConnected ? b.into : this.field;
      if (!b.touched.has(node)) b.touched.set(node, node.value);
      try { // at the caret, where the first went and the next will go
        node.setRangeText(b.held, node.selectionStart, node.selectionEnd, "end");
      } catch (err) { node.value += b.held; } // fields without a caret (number, email)
      b.held = "";
      node.dispatchEvent(new Event("input", { bubbles: true }));
    }

    giveBack(target, text) {
      const node = editable(target) ? target : this.field;
      node.value += text;
    }

    /* A burst is a scan when its keys came at a scanner's pace: the median gap, so that one hiccup of a busy
       tablet (a gap of 100 ms and more, measured) does not turn a scan into typing. */
    isScan(b, t) {
      if (b.chars.length < MIN_LENGTH || t - b.times[b.times.length - 1] > SPLIT_MS) return false;
      const gaps = b.times.slice(1).map((x, k) => x - b.times[k]);
      const m = median(gaps), scan = m <= settings().ecart;
      this.last = [{ length: b.chars.length, median: Math.round(m), max: Math.round(Math.max(...gaps)), scan },
                   ...this.last].slice(0, 10);
      return scan;
    }

    /* Whether a pause ends a scan on this tablet (see DEFAULTS.fin). */
    pauseEnds() {
      const s = settings();
      return s.fin === "pause" || (s.fin === "auto" && !s.fin_vue);
    }

    arm(b) {
      clearTimeout(this.timer);
      if (!b.prefixed && !this.pauseEnds()) {
        // Held characters never stay hidden: a silence with no scan ended gives them back (a fast typist's two
        // keys). The burst stays open: a scan's late keys still join it and its end takes them out again.
        if (b.held) this.timer = setTimeout(() => { if (this.burst === b) this.release(b); }, HOLD_MS);
        return;
      }
      // Keys that reach the page late (a busy tablet delivers them in spurts) must not be taken for a pause: wait
      // three times the longest wait between two keys of this burst, and never less than PAUSE_MS.
      const r = b.received, spurts = r.slice(1).map((x, k) => x - r[k]);
      const wait = Math.max(b.prefixed ? 2 * PAUSE_MS : PAUSE_MS, 3 * Math.max(0, ...spurts));
      this.timer = setTimeout(() => {
        // Not a scan (yet): the burst stays open, so keys delivered late still join it by their time stamps; a
        // person's characters stay where they typed them.
        if (this.burst !== b || !(b.prefixed || this.isScan(b, b.times[b.times.length - 1]))) {
          if (this.burst === b) this.release(b);
          return;
        }
        this.cut = { chars: b.chars, times: b.times, prefixed: b.prefixed, at: performance.now() };
        this.finish(); this.endedAt = this.cut.at;
      }, wait);
    }

    finish() {
      const b = this.burst;
      clearTimeout(this.timer);
      this.burst = null;
      if (!b) return;
      const code = b.chars.join("");
      for (const [node, before] of b.touched) { // the scanner's characters leave every field
        if (node.value !== before) node.value = before;
      }
      if (code.trim()) this.onScan(code.trim());
    }
  }

  return { Reader, settings, saveSettings, DEFAULTS };
})();
