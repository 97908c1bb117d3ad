"""`salle bilan`: the day in pictures, from the concours' record, to staff the doors better next time — arrivals per
minute at each site and at each salle against the door closing, presence rate per site, salle and épreuve, late
refusals, borne prints, incidents per type, time to release each salle. One PDF; the plots (matplotlib, drawn without
pyplot's global state) use black, greys, line styles, markers and hatches only: readable printed in black and white."""

from __future__ import annotations

import io
from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta

from ..pv import Document, date_fr, render
from .consolidation import SAT
from .record import Record

STYLES = [("-", "o"), ("--", "s"), (":", "^"), ("-.", "D"), ("-", "x"), ("--", "v"), (":", "P"), ("-.", "*"),
          ("-", "<"), ("--", ">")]
GREYS = ["0.15", "0.45", "0.7", "0.3", "0.55", "0.85"]
HATCHES = ["", "//", "..", "xx", "\\\\", "--"]


def _dt(iso: str | None) -> datetime | None:
    return datetime.fromisoformat(iso) if iso else None


def _minutes(delta: timedelta) -> int:
    return round(delta.total_seconds() / 60)


@dataclass
class Rate:
    what: str  # « PANTIN », « PANTIN / A01 »
    epreuve: str
    convoques: int
    presents: int
    refuses_retard: int

    @property
    def rate(self) -> float:
        return self.presents / self.convoques if self.convoques else 0.0


def rates(record: Record) -> list[Rate]:
    """Per épreuve, each site then each of its salles: convoked, present, refused late."""
    counts: dict[tuple, Counter] = defaultdict(Counter)
    for r in record.query("SELECT epreuve, site, salle, statut, COUNT(*) AS n FROM resultats GROUP BY 1, 2, 3, 4"):
        for key in ((r["epreuve"], r["site"]), (r["epreuve"], f"{r['site']} / {r['salle']}")):
            counts[key]["convoques"] += r["n"]
            counts[key]["presents"] += r["n"] if r["statut"] in SAT else 0
            counts[key]["retard"] += r["n"] if r["statut"] == "refuse_retard" else 0
    return [Rate(what, epreuve, c["convoques"], c["presents"], c["retard"])
            for (epreuve, what), c in sorted(counts.items())]


def arrivals(record: Record, epreuve: str) -> dict[str, Counter]:
    """Per site, admissions per minute (« HH:MM » → count)."""
    out: dict[str, Counter] = defaultdict(Counter)
    for r in record.query("SELECT site, arrivee FROM presences WHERE epreuve = ?", [epreuve]):
        if r["arrivee"]:
            out[r["site"]][r["arrivee"][11:16]] += 1
    return out


def door_pace(record: Record, epreuve) -> list[dict]:
    """Per salle: admissions, first and last, the busiest minute, the share admitted in the last 10 minutes before
    the planned closing, and the late refusals at its door: where the doors need more hands next time."""
    late = Counter((r["site"], r["salle"]) for r in record.query(
        "SELECT site, salle FROM refus WHERE epreuve = ? AND verdict = 'portes_fermees'", [epreuve.code]))
    per_salle: dict[tuple, list[str]] = defaultdict(list)
    for r in record.query("SELECT site, salle, arrivee FROM presences WHERE epreuve = ? AND arrivee IS NOT NULL",
                          [epreuve.code]):
        per_salle[(r["site"], r["salle"])].append(r["arrivee"])
    rush_from = (epreuve.doors_close_dt - timedelta(minutes=10)).isoformat()
    out = []
    for (site, salle), times in sorted(per_salle.items()):
        times.sort()
        minute, peak = Counter(t[11:16] for t in times).most_common(1)[0]
        rush = sum(1 for t in times if t >= rush_from)
        out.append({"site": site, "salle": salle, "admis": len(times), "premier": times[0][11:16],
                    "dernier": times[-1][11:16], "pointe": f"{peak} à {minute}", "dix_dernieres": rush / len(times),
                    "retard": late.get((site, salle), 0)})
    return out


def releases(record: Record) -> list[dict]:
    """Per salle and épreuve: minutes from the épreuve's end (its recorded start + duration, else the planned end)
    to the salle's release."""
    durations = {e.code: e.duration for e in record.session.epreuves}
    planned = {e.code: e.end_dt for e in record.session.epreuves}
    started = {(r["epreuve"], r["site"]): r["started_at"] for r in record.query("SELECT * FROM deroulement")}
    out = []
    for f in record.query("SELECT * FROM fins WHERE released_at IS NOT NULL ORDER BY epreuve, site, salle"):
        start = _dt(started.get((f["epreuve"], f["site"])))
        end = start + timedelta(minutes=durations[f["epreuve"]]) if start else planned[f["epreuve"]]
        out.append({**f, "fin": end, "minutes": _minutes(_dt(f["released_at"]) - end)})
    return out


def _png(fig) -> io.BytesIO:
    data = io.BytesIO()
    fig.savefig(data, format="png", dpi=150, bbox_inches="tight")
    data.seek(0)
    return data


def _figure(width: float = 7.5, height: float = 3.4):
    from matplotlib.figure import Figure

    fig = Figure(figsize=(width, height))
    return fig, fig.add_subplot()


def window(epreuve, counters) -> tuple[datetime, datetime]:
    """The time axis of the arrivals: every admission seen, from at least 30 minutes before the planned closing to
    10 minutes after it."""
    day = epreuve.date.isoformat()
    seen = [datetime.fromisoformat(f"{day}T{t}") for counts in counters for t in counts]
    close = epreuve.doors_close_dt
    return (min([*seen, close - timedelta(minutes=30)]) - timedelta(minutes=2),
            max([*seen, close + timedelta(minutes=10)]) + timedelta(minutes=2))


def doors_closed(record: Record, epreuve: str) -> dict[str, datetime]:
    """Per site, when its doors were actually closed."""
    return {r["site"]: _dt(r["doors_closed_at"]) for r in record.query(
        "SELECT site, doors_closed_at FROM deroulement WHERE epreuve = ? AND doors_closed_at IS NOT NULL", [epreuve])}


def arrivals_plot(record: Record, epreuve) -> io.BytesIO | None:
    """Admissions per minute at each site, the planned closing and each site's actual one as vertical lines."""
    per_site = arrivals(record, epreuve.code)
    if not per_site:
        return None
    fig, ax = _figure()
    day = epreuve.date.isoformat()
    for i, (site, counts) in enumerate(sorted(per_site.items())):
        times = sorted(counts)
        style, marker = STYLES[i % len(STYLES)]
        ax.plot([datetime.fromisoformat(f"{day}T{t}") for t in times], [counts[t] for t in times], linestyle=style,
                marker=marker, markersize=3, color="black" if i < 4 else "0.45", linewidth=1, label=site)
    ax.axvline(epreuve.doors_close_dt, color="black", linewidth=2, label="fermeture prévue")
    for site, at in sorted(doors_closed(record, epreuve.code).items()):
        ax.axvline(at, color="0.5", linewidth=1, linestyle="--")
    from matplotlib.dates import DateFormatter

    ax.set_xlim(*window(epreuve, per_site.values()))
    ax.set_ylim(bottom=0)
    ax.xaxis.set_major_formatter(DateFormatter("%H:%M"))
    ax.set_ylabel("admissions par minute")
    ax.set_title(f"{epreuve.code} : arrivées par minute et fermeture des portes", fontsize=10)
    ax.grid(True, color="0.85", linewidth=0.5)
    ax.legend(fontsize=7, ncol=3)
    return _png(fig)


# The salles' small multiples: panels at fixed places, COLUMNS a row, PANEL inches each, a band above each axes for
# the salle's name, which the PDF writes as its own text (searchable, sharp when printed).
COLUMNS, ROWS, PANEL, BAND = 3, 4, (2.5, 1.3), 0.25


def arrivals_per_salle(record: Record, epreuve: str) -> dict[str, dict[str, Counter]]:
    """Per site, per salle where candidats were convoked or admitted, admissions per minute (« HH:MM » → count)."""
    out: dict[str, dict[str, Counter]] = defaultdict(dict)
    for r in record.query("SELECT site, salle FROM resultats WHERE epreuve = ? AND salle IS NOT NULL UNION "
                          "SELECT site, salle FROM presences WHERE epreuve = ? AND salle IS NOT NULL",
                          [epreuve, epreuve]):
        out[r["site"]][r["salle"]] = Counter()
    for r in record.query("SELECT site, salle, arrivee FROM presences WHERE epreuve = ? AND arrivee IS NOT NULL",
                          [epreuve]):
        out[r["site"]][r["salle"]][r["arrivee"][11:16]] += 1
    return {site: dict(sorted(salles.items(), key=lambda kv: kv[0] or "")) for site, salles in
            sorted(out.items(), key=lambda kv: kv[0] or "")}


def salles_plot(salles: list[Counter], epreuve, closed: datetime | None, span: tuple, top: int) -> io.BytesIO:
    """One panel per salle (up to COLUMNS × ROWS), all on the same axes (`span`, 0 to `top`): admissions per minute
    as grey bars, the planned closing a black line, the site's actual closing dashed."""
    from matplotlib.dates import AutoDateLocator, DateFormatter
    from matplotlib.figure import Figure
    from matplotlib.ticker import MaxNLocator

    rows = -(-len(salles) // COLUMNS)
    width, height = COLUMNS * PANEL[0], rows * PANEL[1]
    fig = Figure(figsize=(width, height))
    day = epreuve.date.isoformat()
    for i, counts in enumerate(salles):
        row, column = divmod(i, COLUMNS)
        ax = fig.add_axes(((column * PANEL[0] + 0.35) / width, 1 - ((row + 1) * PANEL[1] - 0.3) / height,
                           (PANEL[0] - 0.45) / width, (PANEL[1] - 0.3 - BAND) / height))
        times = sorted(counts)
        ax.vlines([datetime.fromisoformat(f"{day}T{t}") for t in times], 0, [counts[t] for t in times],
                  color="0.35", linewidth=2.5)
        ax.axvline(epreuve.doors_close_dt, color="black", linewidth=1.2)
        if closed:
            ax.axvline(closed, color="0.5", linewidth=1, linestyle="--")
        if not counts:
            ax.text(0.5, 0.5, "aucune arrivée", transform=ax.transAxes, ha="center", va="center", fontsize=7,
                    color="0.3")
        ax.set_xlim(*span)
        ax.set_ylim(0, top)
        ax.xaxis.set_major_locator(AutoDateLocator(maxticks=4))
        ax.xaxis.set_major_formatter(DateFormatter("%H:%M"))
        ax.yaxis.set_major_locator(MaxNLocator(integer=True, nbins=3))
        ax.tick_params(labelsize=6, length=2)
        ax.grid(True, axis="y", color="0.85", linewidth=0.5)
    data = io.BytesIO()
    fig.savefig(data, format="png", dpi=150)  # no tight box: the panels stay where the names are written
    data.seek(0)
    return data


def salles_panels(pdf: Document, record: Record, epreuve) -> None:
    """The arrivals per minute at each salle against the door closing: per site, a heading then its salles' panels,
    each salle's name written above its panel."""
    per_site = arrivals_per_salle(record, epreuve.code)
    counters = [c for salles in per_site.values() for c in salles.values()]
    if not any(counters):  # nobody admitted yet (the console's bilan before the épreuve): no empty panels
        return
    span = window(epreuve, counters)
    top = max([1, *(n for c in counters for n in c.values())]) + 1
    closed = doors_closed(record, epreuve.code)
    mm = 180 / (COLUMNS * PANEL[0])  # the image is drawn 180 mm wide
    if pdf.get_y() + 20 + PANEL[1] * mm > pdf.page_break_trigger:  # the legend not alone at a page's foot
        pdf.add_page()
    pdf.para(f"Arrivées par minute dans chaque salle (trait plein : fermeture prévue à "
             f"{epreuve.doors_close.strftime('%H:%M')} ; tirets : fermeture effective du site ; même échelle pour "
             "toutes les salles) :", bold=True)
    for site, salles in per_site.items():
        names = list(salles)
        for first in range(0, len(names), COLUMNS * ROWS):
            chunk = names[first:first + COLUMNS * ROWS]
            rows = -(-len(chunk) // COLUMNS)
            if pdf.get_y() + 7 + rows * PANEL[1] * mm > pdf.page_break_trigger:
                pdf.add_page()
            where = record.session.site(site)
            pdf.set_font("DejaVu", "B", 10)
            pdf.cell(0, 7, f"{epreuve.code} — {where.name if where else site} ({site}){' (suite)' if first else ''}",
                     new_x="LMARGIN", new_y="NEXT")
            x, y = pdf.l_margin, pdf.get_y()
            pdf.image(salles_plot([salles[n] for n in chunk], epreuve, closed.get(site), span, top), x=x, y=y,
                      w=180)
            pdf.set_font("DejaVu", "", 8)
            for i, name in enumerate(chunk):
                row, column = divmod(i, COLUMNS)
                salle = record.session.salle(name)
                pdf.set_xy(x + (column * PANEL[0] + 0.35) * mm, y + (row * PANEL[1] + 0.03) * mm)
                pdf.cell((PANEL[0] - 0.45) * mm, BAND * mm, salle.display if salle else name)
            pdf.set_xy(pdf.l_margin, y + rows * PANEL[1] * mm)


def bars(labels: list[str], series: dict[str, list[float]], title: str, unit: str) -> io.BytesIO:
    """Horizontal bars, one group per label, one grey and hatch per series."""
    fig, ax = _figure(7.5, max(2.0, 0.28 * len(labels) * max(1, len(series)) + 1))
    height = 0.8 / max(1, len(series))
    for i, (name, values) in enumerate(series.items()):
        ax.barh([k + i * height for k in range(len(labels))], values, height=height, label=name,
                color=GREYS[i % len(GREYS)], hatch=HATCHES[i % len(HATCHES)], edgecolor="black", linewidth=0.5)
    ax.set_yticks([k + height * (len(series) - 1) / 2 for k in range(len(labels))], labels, fontsize=7)
    ax.invert_yaxis()
    ax.set_xlabel(unit)
    if unit.startswith("%"):
        ax.set_xlim(0, 100)
    else:
        from matplotlib.ticker import MaxNLocator

        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_title(title, fontsize=10)
    if len(series) > 1:
        ax.legend(fontsize=7)
    ax.grid(True, axis="x", color="0.85", linewidth=0.5)
    return _png(fig)


def build_bilan(record: Record) -> bytes:
    session = record.session
    all_rates = rates(record)
    incidents = Counter(r["libelle"] for r in record.query("SELECT libelle FROM incidents"))
    prints = record.query("SELECT site, statut, COUNT(*) AS n FROM impressions GROUP BY 1, 2 ORDER BY 1, 2")
    released = releases(record)

    def draw(pdf: Document) -> None:
        pdf.add_page()
        pdf.h1(f"Bilan de la journée — {session.concours.label}")
        days = sorted({e.date for e in session.epreuves})
        pdf.para(f"{session.concours.organisateur} — {', '.join(date_fr(d, weekday=True) for d in days)} ; "
                 f"{record.query('SELECT COUNT(*) AS n FROM archives')[0]['n']} archive(s) de site consolidée(s).")
        for epreuve in session.epreuves:
            pdf.h2(f"{epreuve.code} — {epreuve.label}")
            rows = [r for r in all_rates if r.epreuve == epreuve.code]
            pdf.grid(["Site / salle", "Convoqués", "Présents", "Taux", "Refusés (retard)"],
                     [[r.what, r.convoques, r.presents, f"{r.rate:.0%}".replace("%", " %"), r.refuses_retard]
                      for r in rows], (60, 30, 30, 25, 35))
            plot = arrivals_plot(record, epreuve)
            if plot:
                if pdf.get_y() > 190:
                    pdf.add_page()
                pdf.image(plot, w=180)
            pace = door_pace(record, epreuve)
            if pace:
                pdf.para(f"Aux portes des salles (fermeture prévue à {epreuve.doors_close.strftime('%H:%M')}) :",
                         bold=True)
                pdf.grid(["Site / salle", "Admis", "Premier", "Dernier", "Minute la plus chargée",
                          "Admis dans les 10 dernières min", "Refusés (retard)"],
                         [[f"{r['site']} / {r['salle']}", r["admis"], r["premier"], r["dernier"], r["pointe"],
                           f"{r['dix_dernieres']:.0%}".replace("%", " %"), r["retard"]] for r in pace],
                         (40, 16, 18, 18, 32, 32, 24))
            salles_panels(pdf, record, epreuve)
        sites = [r for r in all_rates if " / " not in r.what]
        pdf.add_page()
        pdf.h2("Taux de présence par site et par épreuve")
        labels = sorted({r.what for r in sites})
        series = {e.code: [next((r.rate * 100 for r in sites if r.what == s and r.epreuve == e.code), 0)
                           for s in labels] for e in session.epreuves}
        pdf.image(bars(labels, series, "Taux de présence", "% des convoqués"), w=170)
        pdf.h2("Refus pour retard")
        late = {e.code: [sum(r.refuses_retard for r in sites if r.what == s and r.epreuve == e.code) for s in labels]
                for e in session.epreuves}
        pdf.para(", ".join(f"{s} : {sum(v[i] for v in late.values())}" for i, s in enumerate(labels)) or "Aucun.")
        pdf.h2("Convocations imprimées à la borne")
        if prints:
            pdf.grid(["Site", "État", "Impressions"], [[p["site"], p["statut"], p["n"]] for p in prints], (60, 60, 40))
        else:
            pdf.para("Aucune.")
        pdf.h2("Incidents par type")
        if incidents:
            kinds = sorted(incidents)
            pdf.image(bars(kinds, {"incidents": [incidents[k] for k in kinds]}, "Incidents par type", "nombre"),
                      w=150)
        else:
            pdf.para("Aucun.")
        pdf.h2("Temps de libération des salles")
        if released:
            pdf.grid(["Épreuve", "Site", "Salle", "Fin de l'épreuve", "Libérée à", "Minutes après la fin"],
                     [[r["epreuve"], r["site"], r["salle"], r["fin"].strftime("%H:%M"), r["released_at"][11:16],
                       r["minutes"]] for r in released], (20, 35, 25, 35, 30, 35))
            labels = [f"{r['epreuve']} {r['salle']}" for r in released]
            pdf.image(bars(labels, {"minutes": [r["minutes"] for r in released]},
                           "Minutes entre la fin de l'épreuve et la libération de la salle", "minutes"), w=150)
        else:
            pdf.para("Aucune salle libérée n'est consignée.")

    return render(f"Bilan — {session.concours.code}", False, draw)


def bilan_of_day(events: list[dict], session_toml: str) -> bytes:
    """The bilan of one day file as it is now (the console's, after the épreuve): its journal consolidated alone
    into a record in a temporary folder, then drawn."""
    import tempfile
    from pathlib import Path

    from .archives import from_journal
    from .consolidation import consolidate_archives

    with tempfile.TemporaryDirectory(prefix="salle-bilan-") as folder:
        path = Path(folder) / "jour.sqlite"
        consolidate_archives([from_journal(events, session_toml, "fichier du jour")], path)
        with Record(path) as record:
            return build_bilan(record)
