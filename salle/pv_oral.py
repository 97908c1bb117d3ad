"""The procès-verbal of an oral épreuve, one part per jury: planned and actual times, arrivals and lates with the
jury's decisions (R28), reports, absents, the subject numbers drawn with their witness (R30), abandons (R25) and
renunciations (R32) with their signatures, then the journal's hash head and the signature blocks (salle.pv)."""

from __future__ import annotations

from .journal import verify_chain
from .model import Epreuve, Jury
from .errors import Introuvable
from .pv import NBSP, Document, _names, _pv_closing, _t, build_pv, date_fr, render
from .rules import (FRAUD_DECISIONS, ORAL_INCIDENTS, ORAL_STATES, oral_state, passage_end, preparation_end,
                    sujet_manquant)
from .state import queries, reports

STATE_WORDS = dict(zip(ORAL_STATES, ("attendu (non venu)", "présent", "en retard, sans décision", "en préparation",
                                     "en passage", "passage terminé", "absent", "abandon", "reporté",
                                     "renonciation")))


def build_any_pv(day, epreuve_code: str, site_code: str | None = None, chain: tuple | None = None) -> bytes:
    """The PV of any épreuve: a written one per site (salle.pv), an oral per jury."""
    epreuve = day.session.epreuve(epreuve_code)
    if epreuve is None:
        raise Introuvable(f"Épreuve « {epreuve_code} » inconnue.", code="epreuve_inconnue")
    if epreuve.written:
        return build_pv(day, epreuve_code, site_code, chain)
    return build_oral_pv(day, epreuve, None, chain)


def build_oral_pv(day, epreuve: Epreuve, jury_code: str | None = None, chain: tuple | None = None) -> bytes:
    """The PV of an oral (of one jury, or all)."""
    session = day.session
    jurys = [j for j in session.jurys_of(epreuve.code) if not jury_code or j.code == jury_code]
    staff = _names(day)
    chain = chain or verify_chain(day.db_path)
    first, last = epreuve.dates

    def draw(pdf: Document) -> None:
        pdf.add_page()
        pdf.h1(f"Procès-verbal de l'épreuve orale\n{epreuve.label}")
        pdf.para(f"{session.concours.label} — {session.concours.organisateur}")
        days = date_fr(first, weekday=True) + (f" au {date_fr(last, weekday=True)}" if last != first else "")
        pdf.para(f"Épreuve {epreuve.code}, orale, du {days} : préparation {epreuve.preparation}{NBSP}min, passage "
                 f"{epreuve.passage}{NBSP}min ; {len(epreuve.sujets)} sujets numérotés.")
        for jury in jurys:
            _jury(pdf, day, epreuve, jury, staff)
        sites = list({session.salle(j.salle).site: session.site(session.salle(j.salle).site) for j in jurys}.values())
        _pv_closing(pdf, day, sites, chain)

    return render(f"Procès-verbal — {epreuve.label} — {date_fr(first)}", day.clock.rehearsal, draw)


def _jury(pdf: Document, day, epreuve: Epreuve, jury: Jury, staff: dict) -> None:
    db = day.journal.reader()
    pdf.h2(f"{jury.name} — {day.session.salle(jury.salle).display}"
           + (f" — membres : {', '.join(jury.membres)}" if jury.membres else ""))
    rows, signed, returned, missing = [], [], [], []
    for p, c in queries.oral_passages(db, day.session, epreuve, jury.code):
        o = queries.oral_facts(db, day.session, epreuve, c)
        row = queries.oral_row(db, epreuve.code, c.numero) or {}
        arrival = _t(o.arrived_at) if o.arrived_at else "—"
        if o.late:
            arrival += " (retard)"
        decision = ""
        if row.get("decision_at"):
            decision = f"{row.get('decision') or 'reporte'}, {_t(row['decision_at'])} par " \
                       f"{staff.get(row['decision_by'], row['decision_by'])}"
        sujet = f"n° {o.sujet} ({row.get('tirage_mode')}, {_t(o.tirage_at)}, témoin {row.get('temoin')})" \
            if o.sujet else "—"
        if o.sujet_rendu_at:
            sujet += f" ; rendu {_t(o.sujet_rendu_at)}"
            returned.append(f"{c.numero} : sujet n° {o.sujet} rendu à {_t(o.sujet_rendu_at)}, reçu par "
                            f"{staff.get(row.get('sujet_rendu_by'), row.get('sujet_rendu_by'))}")
        elif sujet_manquant(o):
            sujet += " ; NON RENDU"
            missing.append(f"{c.numero} ({c.display_name}) : sujet n° {o.sujet} tiré à {_t(o.tirage_at)}, passage "
                           f"clos ({STATE_WORDS[oral_state(o)]}) sans remise du sujet enregistrée")
        passage = f"{_t(o.passage_debut)}–{_t(o.passage_fin)} (fin prévue {_t(passage_end(o))})" \
            if o.passage_debut else "—"
        rows.append([c.numero, c.display_name + _amenagements(c, epreuve),
                     _t(p.at) + (f" → {_t(o.convoque_a)}" if o.reporte else ""),
                     arrival, decision, sujet, _t(preparation_end(o)) if o.tirage_at else "—", passage,
                     STATE_WORDS[oral_state(o)]])
        if o.abandon_at or o.renonce_at:
            signed.append((c, o))
    pdf.grid(["N°", "Candidat", "Convoqué(e)", "Arrivée", "Décision du jury", "Sujet tiré",
              "Fin de préparation", "Passage", "Issue"], rows, (18, 26, 16, 16, 24, 26, 16, 24, 16), size=7)
    _returns(pdf, returned, missing)
    reported = reports.events_of(db, epreuve.code, None, "decision_retard")
    moves = [e for e in reported if e["data"].get("decision") == "reporte" and e["salle"] == jury.salle]
    if moves:
        pdf.h2("Reports pour force majeure")
        for e in moves:
            d = e["data"]
            pdf.para(f"{e['candidat']} : de {_t(d.get('avant'))} au {_t(d.get('nouvelle_heure'))} "
                     f"({d.get('nouvelle_heure', '')[:10]}), décidé à {_t(e['server_time'])} par "
                     f"{staff.get(e['actor'], e['actor'])} ; motif : {d.get('motif')}", size=9)
    _auditeurs_and_incidents(pdf, db, epreuve, jury, staff)
    for c, o in signed:
        _signature(pdf, day, epreuve, c, o)


def _amenagements(c, epreuve: Epreuve) -> str:
    """R24: what the candidat was granted, under their name: the extra time, the aids, the room."""
    granted = [t.label for t in (c.majoration(epreuve.code),) if t] + [c.amenagements_detail.text]
    return "".join(f"\n({g})" for g in granted if g)


def _returns(pdf: Document, returned: list[str], missing: list[str]) -> None:
    """R31: « le candidat remet le sujet à la fin » — each return by whom and when; a missing one flagged."""
    if returned:
        pdf.h2("Remise des sujets")
        for line in returned:
            pdf.para(line, size=9)
    if missing:
        pdf.h2("Sujets non rendus — à signaler")
        for line in missing:
            pdf.para(line, size=9, bold=True)


def _auditeurs_and_incidents(pdf: Document, db, epreuve: Epreuve, jury: Jury, staff: dict) -> None:
    """R29: the auditeurs admitted to each passage; R31, R33, R23: the incidents, a fraud with the jury's ruling."""
    mine = [e for e in reports.events_of(db, epreuve.code, None, "auditeurs_admis", "incident_oral")
            if e["salle"] == jury.salle]
    auditeurs = [e for e in mine if e["type"] == "auditeurs_admis"]
    if auditeurs:
        pdf.h2("Auditeurs")
        for e in auditeurs:
            d = e["data"]
            pdf.para(f"{e['candidat']} : {d['nombre']} auditeur(s) admis à {_t(e['server_time'])} par "
                     f"{staff.get(e['actor'], e['actor'])}, avec l'accord du candidat"
                     + (", sur demande écrite" if d.get("demande_ecrite") else "") + ".", size=9)
    incidents = [e for e in mine if e["type"] == "incident_oral"]
    if incidents:
        pdf.h2("Incidents et fraudes")
        for e in incidents:
            d = e["data"]
            label = ORAL_INCIDENTS[d["type"]][0]
            ruling = f" — décision du jury : {FRAUD_DECISIONS[d['decision']]}" if d.get("decision") else ""
            pdf.para(f"{e['candidat']}, {_t(e['server_time'])}, {label}{ruling} ({staff.get(e['actor'], e['actor'])}) "
                     f": {d['texte']}", size=9)


def _signature(pdf: Document, day, epreuve: Epreuve, c, o) -> None:
    """R25: « abandon » signed on the émargement; R32: the fiche d'entretien countersigned (or the refusal)."""
    kind = "abandon_oral" if o.abandon_at else "renonciation"
    event = next(e for e in reports.events_of(day.journal.reader(), epreuve.code, None, kind)
                 if e["candidat"] == c.numero)
    title = "Abandon, signé" if o.abandon_at else "Renonciation notée sur la fiche d'entretien"
    pdf.para(f"{title} — {c.display_name} ({c.numero}) à {_t(event['server_time'])}", size=9, bold=True)
    if event["data"].get("refus_de_signer"):
        pdf.para("Le candidat a refusé de contresigner.", size=9)
    else:
        pdf.strokes(event["data"].get("signature") or [], pdf.l_margin, pdf.get_y() + 1, 60, 24)
        pdf.set_y(pdf.get_y() + 28)
