/* The console's « Vérification du matin » panel (issue 17): POST /api/v1/verification and its French checklist,
   one tap away in its tab (it no longer pushes the tabs below the fold at 1366×768). */
"use strict";

(() => {
  const MARK = { ok: "✔", attention: "!", a_corriger: "✘" };

  function show(out, data) {
    const list = el("ul", {}, (data.points || []).map((p) => el("li", {},
      `${MARK[p.etat] || "?"} ${p.point} : ${p.detail}`, p.a_faire ? [el("br"), `→ ${p.a_faire}`] : [])));
    out.replaceChildren(el("p", {}, data.resume ? `${data.resume} (vérifié en ${data.duree_s} s)` : ""), list);
  }

  async function verify(out, buttons, imprimer) {
    buttons.forEach((b) => { b.disabled = true; });
    out.replaceChildren(el("p", {}, "Vérification en cours (moins de 30 s)…"));
    try {
      const r = await Api.request("POST", "/api/v1/verification", { imprimer, attendre_scan: 0 });
      if (r.status === 200) show(out, r.data);
      else out.replaceChildren(el("p", {}, Api.errorText(r)));
    } catch (e) {
      out.replaceChildren(el("p", {}, Api.errorText(null)));
    } finally {
      buttons.forEach((b) => { b.disabled = false; });
    }
  }

  const out = el("div", { id: "verification-resultat", "aria-live": "polite" });
  const run = el("button", {}, "Vérifier le site (ticket d'essai)");
  const quiet = el("button", {}, "Vérifier sans imprimer");
  run.addEventListener("click", () => verify(out, [run, quiet], true));
  quiet.addEventListener("click", () => verify(out, [run, quiet], false));
  $("verification").replaceChildren(el("div", { class: "row" }, run, quiet), out);
})();
