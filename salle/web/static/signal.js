/* A short sound per verdict colour (Web Audio: no file to load) and a vibration pattern where the device has
   one; muted with the tablet's « Son » switch (kept on the device). */
"use strict";

const Signal = (() => {
  const TONES = { ok: [[880, 0.12]], warn: [[660, 0.12], [880, 0.12]], bad: [[330, 0.35]], info: [[740, 0.08]] };
  const BUZZ = { ok: [60], warn: [60, 80, 60], bad: [300], info: [30] };
  let audio = null;
  const AFTER_PAINT_MS = 30;
  const muted = () => localStorage.getItem("salle.son") === "non";
  function setMuted(value) { localStorage.setItem("salle.son", value ? "non" : "oui"); }

  // The audio context is made at the first touch or key (browsers start sound only after a gesture), never on a
  // verdict's path: making one costs tens of milliseconds.
  const wake = () => {
    try {
      audio = audio || new (window.AudioContext || window.webkitAudioContext)();
      audio.suspend().catch(() => {});
    } catch (e) { /* none */ }
  };
  window.addEventListener("pointerdown", wake, { once: true, capture: true });
  window.addEventListener("keydown", wake, { once: true, capture: true });

  // Between sounds the context is suspended: a running one renders silence on its own thread all day long
  // (measured at the door: it took the CPU the next scan's answer needed, and a tablet's battery).
  let quiet = null;
  function tones(kind) {
    const start = audio.currentTime;
    let t = start;
    for (const [freq, length] of TONES[kind]) {
      const osc = audio.createOscillator(), gain = audio.createGain();
      osc.frequency.value = freq;
      gain.gain.setValueAtTime(0.15, t); gain.gain.exponentialRampToValueAtTime(0.001, t + length);
      osc.connect(gain).connect(audio.destination); osc.start(t); osc.stop(t + length); t += length + 0.04;
    }
    clearTimeout(quiet);
    quiet = setTimeout(() => audio.suspend().catch(() => {}), (t - start) * 1000 + 100);
  }

  function play(kind) {
    if (muted() || !TONES[kind]) return;
    // After the verdict is painted, and a little after: waking the audio costs a few milliseconds of the page's
    // time that the next scan's answer may need; 30 ms are not heard.
    requestAnimationFrame(() => setTimeout(() => {
      if (audio) audio.resume().then(() => tones(kind), () => {});
      if (navigator.vibrate) navigator.vibrate(BUZZ[kind]);
    }, AFTER_PAINT_MS));
  }

  return { play, muted, setMuted };
})();
