"""Days of two sites on two laptops, worked through the real commands and exported by `salle export`'s own code:
the archives the consolidation reads. Pantin and Montreuil each run the demo session on their own file."""

from __future__ import annotations

import io
import json
import shutil
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from salle import demo
from salle.clock import FixedClock
from salle.commands.arrivals import ScanRequest, scan
from salle.commands.doors import ClientIdRequest, start_epreuve
from salle.commands.emargement import EmargementRequest, emarger
from salle.commands.end import RecountRequest, ReleaseRequest, liberer, recompter
from salle.commands.incidents import FraudDecisionRequest, IncidentRequest, decider_fraude, signaler
from salle.commands.movements import MovementRequest, sortie
from salle.day import Caller, ExamDay
from salle.export import export_day
from salle.importing import import_candidats
from salle.journal import Actor
from tests.helpers.api import SIGNATURE, cid
from tests.helpers.day import at

SESSION = demo.session_toml() + """
[attestation]
autorite = "Centre interdépartemental de gestion de la petite couronne"
signataire = "Marie Dupont"
qualite = "Directrice générale des services"
"""  # the organiser's layout of the attestations de présence (salle/after/attestations.py)
STAFF = {  # the demo's staff ids (P001… in the session file's order)
    "A01": Caller(Actor("P004", "surveillant", "tablette-a01"), "surveillant", salle="A01", site="PANTIN"),
    "B12": Caller(Actor("P005", "surveillant", "tablette-b12"), "surveillant", salle="B12", site="PANTIN"),
    "M1": Caller(Actor("P006", "surveillant", "tablette-m1"), "surveillant", salle="M1", site="MONTREUIL"),
    "PANTIN": Caller(Actor("P002", "responsable", "console"), "responsable", site="PANTIN"),
    "MONTREUIL": Caller(Actor("P003", "responsable", "console"), "responsable", site="MONTREUIL"),
}


@dataclass
class SiteDay:
    """A site's laptop: its file, and what the test made happen there (numéros by what happened to them)."""

    folder: Path
    site: str
    clock: FixedClock
    day: ExamDay = field(init=False)
    seen: dict[str, list[str]] = field(default_factory=dict)

    def __post_init__(self):
        self.folder.mkdir(parents=True, exist_ok=True)
        self.day = ExamDay(self.folder / "salle.db", self.clock)

    def numeros(self, salle: str, n: int, skip: int = 0, pieces_manquantes: bool = False) -> list[str]:
        """`n` numéros of `salle` without tiers-temps, with no pièce missing (or only those missing one)."""
        rows = self.day.journal.query(f"SELECT numero FROM candidats WHERE salle = ? AND pieces_manquantes "
                                      f"{'!=' if pieces_manquantes else '='} '' AND tiers_temps = 0 ORDER BY numero "
                                      "LIMIT ? OFFSET ?", [salle, n, skip])
        return [r["numero"] for r in rows]

    def at(self, hhmm: str) -> None:
        self.clock.set(at(hhmm))

    def scan(self, salle: str, numero: str, epreuve: str = "E1", pieces_produites: bool = False) -> dict:
        return scan(self.day, STAFF[salle], salle, ScanRequest(code=numero, client_id=cid(), piece_identite="cni",
                                                               epreuve=epreuve, pieces_produites=pieces_produites))

    def admit(self, salle: str, numeros: list[str], epreuve: str = "E1") -> None:
        for numero in numeros:
            answer = self.scan(salle, numero, epreuve)
            assert answer["verdict"] == "admis", answer

    def start(self, epreuve: str = "E1") -> None:
        start_epreuve(self.day, STAFF[self.site], epreuve, self.site, ClientIdRequest(client_id=cid()))

    def emarge(self, salle: str, numero: str, copies: int | None = 1, blanche: bool = False,
               epreuve: str = "E1") -> None:
        answer = emarger(self.day, STAFF[salle], salle, EmargementRequest(
            client_id=cid(), numero=numero, copies=None if blanche else copies, copie_blanche=blanche,
            signature=SIGNATURE, epreuve=epreuve))
        assert answer["ok"], answer

    def leave(self, salle: str, numero: str, epreuve: str = "E1") -> None:
        answer = sortie(self.day, STAFF[salle], salle, MovementRequest(client_id=cid(), numero=numero,
                                                                        piece_identite="cni", epreuve=epreuve))
        assert answer["ok"], answer

    def fraud(self, salle: str, numero: str, exclusion: bool) -> int:
        answer = signaler(self.day, STAFF[salle], salle, IncidentRequest(
            client_id=cid(), type="fraude", texte="Téléphone consulté pendant l'épreuve.", numero=numero,
            refus_de_signer=True, heure_faits=self.clock.now().strftime("%H:%M"), epreuve="E1"))
        assert answer["ok"], answer
        seq = self.day.journal.one("SELECT MAX(seq) AS s FROM events WHERE type = 'incident'")["s"]
        decided = decider_fraude(self.day, STAFF[self.site], seq, FraudDecisionRequest(
            client_id=cid(), exclusion=exclusion, decide_par="Mme Durand, présidente du jury"))
        assert decided["ok"], decided
        return seq

    def end_salle(self, salle: str, epreuve: str = "E1") -> None:
        counted = self.day.journal.one("SELECT COALESCE(SUM(copies), 0) AS n FROM presences WHERE salle = ? AND "
                                       "epreuve = ?", [salle, epreuve])["n"]
        recompter(self.day, STAFF[self.site], salle, RecountRequest(client_id=cid(), copies_comptees=counted,
                                                                    epreuve=epreuve))
        answer = liberer(self.day, STAFF[self.site], salle, ReleaseRequest(
            client_id=cid(), motif="Fin de l'épreuve.", epreuve=epreuve))
        assert answer["ok"], answer

    def export(self, directory: Path, name: str) -> Path:
        """`salle export`'s archive, renamed (two exports in one second would share a name)."""
        archive = export_day(self.day, directory)
        target = directory / name
        archive.rename(target)
        return target

    def close(self) -> None:
        self.day.close()


def open_site(folder: Path, site: str, session_text: str | None = None, moved: dict[str, str] | None = None
              ) -> SiteDay:
    """A laptop for `site`, with the demo session (or `session_text`) and the demo's 300 candidats; `moved`: {numéro:
    salle} for candidats this site's file places elsewhere (the registration moved them)."""
    folder.mkdir(parents=True, exist_ok=True)
    demo.candidats_csv(folder / "candidats.csv", 300)
    if moved:
        lines = (folder / "candidats.csv").read_text(encoding="utf-8-sig").splitlines()
        header = lines[0].split(";")
        site_col, salle_col, place_col = (header.index(h) for h in ("Site", "Salle", "Place"))
        for i, line in enumerate(lines):
            cells = line.split(";")
            if cells[0] in moved:
                cells[site_col], cells[salle_col], cells[place_col] = "MONTREUIL", moved[cells[0]], ""
                lines[i] = ";".join(cells)
        (folder / "candidats.csv").write_text("\r\n".join(lines) + "\r\n", encoding="utf-8-sig")
    d = SiteDay(folder, site, FixedClock(at("08:00")))
    d.day.load_session(session_text or SESSION)
    import_candidats(d.day, (folder / "candidats.csv").read_bytes(), "candidats.csv")
    d.at("08:40")
    return d


def pantin_day(folder: Path) -> SiteDay:
    """E1 at Pantin: six admitted in A01 and three in B12, one A01 convocation presented again at B12's door (R4),
    one refused late, one excluded for fraud, one leaving early after handing in her copy, a copie blanche; both
    salles released. E2: two admitted in A01."""
    d = open_site(folder, "PANTIN")
    a01, b12 = d.numeros("A01", 8), d.numeros("B12", 3)
    d.admit("A01", a01[:6])
    d.admit("B12", b12)
    d.at("08:50")
    assert d.scan("B12", a01[4])["verdict"] == "deja_present"  # R4: the same convocation at another door
    d.at("09:00")
    d.start()
    d.at("09:07")
    assert d.scan("A01", a01[6])["verdict"] == "portes_fermees"
    d.at("09:40")
    d.fraud("A01", a01[1], exclusion=True)
    d.at("10:35")
    d.emarge("A01", a01[2], copies=2)
    d.leave("A01", a01[2])
    d.at("12:00")
    d.emarge("A01", a01[0], copies=3)
    d.emarge("A01", a01[3], blanche=True)
    for numero in a01[4:6]:
        d.emarge("A01", numero)
    for numero in b12:
        d.emarge("B12", numero)
    d.at("12:05")
    d.end_salle("A01")
    d.at("12:10")
    d.end_salle("B12")
    d.at("13:40")
    d.admit("A01", a01[:1] + a01[3:4], epreuve="E2")
    d.seen = {"present": [a01[0], a01[2], a01[3], a01[4], a01[5], *b12], "exclu": [a01[1]], "late": [a01[6]],
              "absent": [a01[7]], "e2": [a01[0], a01[3]], "twice": [a01[4]]}
    return d


def montreuil_day(folder: Path, moved: str | None = None) -> SiteDay:
    """E1 at Montreuil: four admitted in M1 (and `moved`, a Pantin candidat this file places in M1), all émargés."""
    d = open_site(folder, "MONTREUIL", moved={moved: "M1"} if moved else None)
    m1 = [n for n in d.numeros("M1", 5) if n != moved][:4]
    d.admit("M1", m1 + ([moved] if moved else []))
    d.at("09:00")
    d.start()
    d.at("12:00")
    for numero in m1:
        d.emarge("M1", numero)
    d.seen = {"present": m1}
    return d


def rewrite(archive: Path, target: Path, change) -> Path:
    """A copy of `archive` whose files pass through `change(name, data) -> data` (the manifest left as it was)."""
    with zipfile.ZipFile(archive) as src, zipfile.ZipFile(target, "w") as dst:
        for info in src.infolist():
            dst.writestr(info.filename, change(info.filename, src.read(info.filename)))
    return target


def tamper_journal(archive: Path, target: Path, rehash: bool = False) -> Path:
    """A copy with one event's verdict changed in its journal; with `rehash`, the manifest's hash of the journal
    updated too (a forger who knows the manifest), so only the hash chain can tell."""
    import hashlib

    journal = io.BytesIO()

    def change(name: str, data: bytes) -> bytes:
        if name == "journal.jsonl":
            data = data.replace(b'"verdict\\": \\"portes_fermees', b'"verdict\\": \\"admis', 1)
            journal.write(data)
        return data

    rewrite(archive, target, change)
    if rehash:
        digest = hashlib.sha256(journal.getvalue()).hexdigest()
        fixed = target.with_name("rehash-" + target.name)

        def manifest(name: str, data: bytes) -> bytes:
            if name == "manifest.json":
                m = json.loads(data)
                m["fichiers"]["journal.jsonl"] = digest
                return json.dumps(m).encode()
            return data

        rewrite(target, fixed, manifest)
        shutil.move(fixed, target)
    return target
