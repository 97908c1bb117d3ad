"""`salle export --depuis … --site …` and `salle consolider --depuis …`: a site's journal read from NATS (its own
stream, or the siège's copy), checked link by link, into the same archive as from its day file (issue 15)."""

from __future__ import annotations

import json
import subprocess
import sys
import zipfile

from salle.export import export_day
from salle.reseau import sujets
from salle.reseau.natsd import SITE_USER, NatsServer
from tests.helpers.api import admit
from tests.helpers.day import candidats
from tests.helpers.sites import forged_next, nats_attempts, site_stream
from tests.helpers.waiting import wait_for


def salle(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "salle", *args], capture_output=True, text=True, timeout=120)


def contents(archive) -> dict:
    """What must be equal between two exports of one journal: the journal, its head, the candidats, the sheets."""
    with zipfile.ZipFile(archive) as z:
        manifest = json.loads(z.read("manifest.json"))
        kept = {name: z.read(name) for name in z.namelist() if name.endswith((".jsonl", ".csv", ".toml"))}
    return {"evenements": manifest["evenements"], "tete_chaine": manifest["tete_chaine"],
            "chaine_integre": manifest["chaine_integre"], **kept}


def exported(folder) -> list:
    return sorted(folder.glob("*.zip")) if folder.exists() else []


def scans_everywhere(network) -> None:
    for site, salle_, role in (("PANTIN", "A01", "surveillant"), ("MONTREUIL", "M1", "surveillant_m1")):
        server = network.sites[site]
        admit(server.client(role), salle_, candidats(server.day, salle_, 3))
    wait_for(lambda: all(network.siege.replicas[s].stored == server.day.journal.head_seq
                         for s, server in network.sites.items()), 30, "the siège caught up")


def test_the_archive_from_the_sites_stream_or_the_sieges_copy_equals_the_one_from_its_day_file(network, tmp_path):
    scans_everywhere(network)
    pantin = network.sites["PANTIN"]
    wait_for(lambda: len(site_stream(network.nats["PANTIN"].url, "PANTIN")) == pantin.day.journal.head_seq,
             30, "Pantin's stream caught up")
    from_file = contents(export_day(pantin.day, tmp_path / "fichier"))
    for name, url in (("flux", network.nats["PANTIN"].url), ("siege", network.hub.url)):
        run = salle("export", "--depuis", url, "--site", "PANTIN", "-o", str(tmp_path / name))
        assert run.returncode == 0, run.stderr
        assert "relu et vérifié" in run.stdout and "chaîne vérifiée" in run.stderr
        (archive,) = exported(tmp_path / name)
        assert contents(archive) == from_file, name
    assert "la copie du siège" in run.stderr and network.hub.local_password not in run.stderr + run.stdout
    record = tmp_path / "concours.sqlite"  # both sites from the siège's copy, then Pantin's day-file export again
    run = salle("consolider", "--depuis", network.hub.url, "--site", "PANTIN", "--site", "MONTREUIL", "--sortie",
                str(record))
    assert run.returncode == 0 and "2 archive(s) ajoutée(s)" in run.stdout, run.stderr
    assert len(exported(tmp_path)) == 2, "the archives consolidated, kept beside the record"
    run = salle("consolider", str(exported(tmp_path / "fichier")[0]), "--sortie", str(record))
    assert run.returncode == 0 and "1 archive(s) déjà consolidée(s), inchangée(s)" in run.stdout, run.stdout


def test_a_broken_chain_in_the_stream_and_bad_sources_are_refused_in_french_nothing_written(network, tmp_path):
    scans_everywhere(network)
    pantin = network.sites["PANTIN"]
    url = network.nats["PANTIN"].url
    out = tmp_path / "exports"
    for args, said in ((["--depuis", url], "--depuis et --site vont ensemble"),
                       (["--depuis", "nats://127.0.0.1:1", "--site", "PANTIN"], "ne répond pas (injoignable)"),
                       (["--depuis", url, "--site", "NOISY"], "Aucun flux du site NOISY sur"),
                       (["--depuis", url, "--site", "NOISY", "--concours", "ATP27"],
                        "ne contient aucun événement du site NOISY")):
        run = salle("export", *args, "-o", str(out))
        assert run.returncode == 2 and said in run.stderr and "Erreur" in run.stderr, (args, run.stderr)
        assert "Rien n'a été écrit" in run.stderr or "--depuis et --site" in run.stderr
    last = pantin.day.journal.one("SELECT * FROM events ORDER BY seq DESC LIMIT 1")
    forged = forged_next(last, payload='{"verdict": "admis"}', hash=last["hash"])  # content altered, hash left
    nats_attempts(url, publishes=[(sujets.subject("ATP27", "PANTIN"), forged, {sujets.SITE_HEADER: "PANTIN"})])
    wait_for(lambda: len(site_stream(url, "PANTIN")) == last["seq"] + 1, 30, "the forgery in Pantin's stream")
    run = salle("export", "--depuis", url, "--site", "PANTIN", "-o", str(out))
    assert run.returncode == 2, run.stdout
    assert f"message n° {last['seq'] + 1} : Événement n° {last['seq'] + 1}" in run.stderr
    assert "son contenu a été modifié après son enregistrement" in run.stderr and "Rien n'a été écrit" in run.stderr
    record = tmp_path / "concours.sqlite"
    run = salle("consolider", "--depuis", url, "--site", "PANTIN", "--sortie", str(record))
    assert run.returncode == 2 and "son contenu a été modifié" in run.stderr and "Rien n'a été consolidé" in run.stderr
    assert not exported(out) and not record.exists() and not list(tmp_path.glob(".salle-flux-*")), "nothing written"


def test_a_nats_server_asking_for_a_password_is_named_so_and_nothing_is_written(tmp_path):
    """A wrong or missing password (a site's nats-server on the network, as Salle configures it), and a refused
    port, each answered in French (a refused address now in 0.8 s instead of the command's 10 s bound: nats-py tried
    it again and again, see salle/reseau/connexion.py)."""
    server = NatsServer(tmp_path / "nats", "PANTIN", "PANTIN", client_password="juste").start()
    try:
        out = tmp_path / "exports"
        for url, said in ((server.address, "mot de passe refusé ou demandé"),
                          (NatsServer.with_password(server.address, SITE_USER, "faux"), "mot de passe refusé ou demandé"),
                          ("nats://127.0.0.1:1", "injoignable")):
            run = salle("export", "--depuis", url, "--site", "PANTIN", "-o", str(out))
            assert run.returncode == 2 and f"ne répond pas ({said}). Rien n'a été écrit." in run.stderr, run.stderr
            assert "faux" not in run.stderr  # the password typed is never repeated
        assert not exported(out)
    finally:
        server.stop()
