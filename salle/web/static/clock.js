/* The server's clock on this device: every answer that carries `heure_serveur` sets the offset, and
   `repetition` shows or hides the rehearsal banners ([data-repetition]). Times written the server's way. */
"use strict";

const Clock = (() => {
  let offset = 0; // server clock minus this device's clock, in ms
  let repetition = false;
  let heard = null; // the server's time (heure_serveur) in the last answer this device got

  Api.onAnswer((data) => {
    if (data && data.heure_serveur) {
      offset = new Date(data.heure_serveur).getTime() - Date.now();
      heard = data.heure_serveur;
    }
    if (data && typeof data.repetition === "boolean" && data.repetition !== repetition) {
      repetition = data.repetition;
      document.querySelectorAll("[data-repetition]").forEach((el) => { el.hidden = !repetition; });
    }
  });

  const now = () => new Date(Date.now() + offset);
  const pad = (n) => String(n).padStart(2, "0");
  // the server's own way of writing a time (its local time, no offset): the fields of a Date set by the server
  const localIso = (d) => `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`
    + `T${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
  const hhmm = (iso) => (iso ? iso.slice(11, 16).replace(":", " h ") : "—");

  return { now, localIso, hhmm, get repetition() { return repetition; }, get heard() { return heard; } };
})();
