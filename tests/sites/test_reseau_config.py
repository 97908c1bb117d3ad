"""The session file's [reseau] section: this server's site and its NATS server, checked with French messages."""

from __future__ import annotations

import pytest

from salle import demo
from salle.session_file import SessionFileError, parse_session


def with_reseau(text: str) -> str:
    return demo.session_toml() + "\n[reseau]\n" + text


def test_a_session_without_reseau_runs_alone():
    assert parse_session(demo.session_toml()).reseau is None


def test_reseau_can_have_salle_serve_start_the_sites_nats_server_linked_to_the_siege():
    reseau = parse_session(with_reseau('site = "PANTIN"\nnats = "nats://127.0.0.1:4222"\ndemarrer = true\n'
                                       'siege = "nats-leaf://10.0.0.1:7422"\n')).reseau
    assert reseau.demarrer and reseau.siege == "nats-leaf://10.0.0.1:7422"


def test_the_sites_nats_server_may_run_on_the_standby_reached_over_the_network():
    """`demarrer` with another address than this laptop's: the computer of that address runs it (the standby, a
    third box), so that the site's stream outlives the main laptop; reached over the network, it asks a password."""
    reseau = parse_session(with_reseau('site = "PANTIN"\nnats = "nats://10.0.0.12:4300"\ndemarrer = true\n')).reseau
    assert (reseau.nats_host, reseau.nats_port, reseau.nats_shared) == ("10.0.0.12", 4300, True)
    local = parse_session(with_reseau('site = "PANTIN"\nnats = "nats://127.0.0.1"\ndemarrer = true\n')).reseau
    assert (local.nats_host, local.nats_port, local.nats_shared) == ("127.0.0.1", 4222, False)


def test_reseau_names_the_site_and_its_nats_server():
    reseau = parse_session(with_reseau('site = "MONTREUIL"\nnats = "nats://127.0.0.1:4222"\n')).reseau
    assert (reseau.site, reseau.nats) == ("MONTREUIL", "nats://127.0.0.1:4222")


@pytest.mark.parametrize("text, key, words", [
    ('nats = "nats://127.0.0.1:4222"\n', "reseau.site", "clé manquante"),
    ('site = "LYON"\nnats = "nats://127.0.0.1:4222"\n', "reseau.site", "site « LYON » inconnu"),
    ('site = "PANTIN"\n', "reseau.nats", "clé manquante"),
    ('site = "PANTIN"\nnats = "http://127.0.0.1:4222"\n', "reseau.nats", "adresse du serveur NATS attendue"),
    ('site = "PANTIN"\nnats = "nats://a b"\n', "reseau.nats", "adresse du serveur NATS attendue"),
    ('site = "PANTIN"\nnats = "nats://127.0.0.1:4222"\nsiege = "nats-leaf://10.0.0.1:7422"\n', "reseau.siege",
     "ajoutez « demarrer = true »"),
    ('site = "PANTIN"\nnats = "nats://127.0.0.1:4222"\ndemarrer = true\nsiege = "http://x"\n', "reseau.siege",
     "adresse de liaison du siège attendue"),
    ('site = "PANTIN"\nnats = "tls://10.0.0.2:4222"\ndemarrer = true\n', "reseau.nats", "nats://hôte:port attendu"),
    ('site = "PANTIN"\nnats = "nats://127.0.0.1:4222"\ndemarrer = "oui"\n', "reseau.demarrer", "true ou false"),
])
def test_a_wrong_reseau_section_is_refused_naming_the_key(text, key, words):
    with pytest.raises(SessionFileError) as err:
        parse_session(with_reseau(text))
    assert f"« {key} »" in str(err.value) and words in str(err.value)


def test_reseau_names_the_standby_laptop_and_when_a_write_is_acknowledged():
    reseau = parse_session(with_reseau('site = "PANTIN"\nnats = "nats://127.0.0.1:4222"\n'
                                       'secours = "http://10.0.0.2:8000/"\nacquittement = "secours"\n')).reseau
    assert (reseau.secours, reseau.acquittement) == ("http://10.0.0.2:8000", "secours")
    assert parse_session(with_reseau('site = "PANTIN"\nnats = "nats://127.0.0.1:4222"\n')).reseau.acquittement == \
        "local"


@pytest.mark.parametrize("text, words", [
    ('secours = "10.0.0.2:8000"', "adresse du portable de secours attendue"),
    ('acquittement = "partout"', "« local » ou « secours » attendu"),
    ('acquittement = "secours"', "demande l'adresse du portable de secours"),
])
def test_a_wrong_standby_setting_is_refused_in_french(text, words):
    with pytest.raises(SessionFileError) as refused:
        parse_session(with_reseau(f'site = "PANTIN"\nnats = "nats://127.0.0.1:4222"\n{text}\n'))
    assert words in str(refused.value)
