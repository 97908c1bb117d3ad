"""Every answer of the rules in full: its code, the rule that decided it, the French sentence the surveillant reads,
the time from which the action is allowed and the data the API passes on (R1, R3–R5, R7–R9, R15–R19, R22, R25).

The scenario tests beside this file check each limit at the second; these check the words: a surveillant acts on
the sentence, so a changed word, rule id or field is a changed behaviour.
"""

from dataclasses import replace
from datetime import timedelta

import pytest

from salle import rules
from tests.rules.facts import (A01, APRES_MIDI, B12, CANDIDAT, CLOSE, END, M1, MATIN, MONTREUIL, S, TT_END, at, presence)
from tests.rules.facts import arrival

WHO = {"candidat": "ATP27-00042"}
NAME = "LEFÈVRE Camille"
TIERS_TEMPS = replace(CANDIDAT, tiers_temps=True)
PIECES = replace(CANDIDAT, pieces_manquantes="Copie du diplôme")
OFFLINE = (" Entré(e) à 8 h 59 selon la tablette hors ligne, avant la fermeture des portes : le responsable de salle "
           "est alerté pour confirmer.")


def verdict(code, rule, message, allowed_from=None, **data):
    return rules.Verdict(code, message, rule, allowed_from, data)


ARRIVALS = {
    "inconnu": (arrival(candidat=None), at(8, 45), verdict(
        "inconnu", "R4", "Numéro inconnu pour ce concours : accès refusé. Orientez la personne vers l'accueil.")),
    "non_convoque": (arrival(candidat=replace(CANDIDAT, epreuves=("E2",))), at(8, 45), verdict(
        "non_convoque", "R4", f"{NAME} n'est pas convoqué(e) à l'épreuve « Écrit du matin » : accès refusé.", **WHO)),
    "deja_present_a_sa_place_d_entree": (arrival(entered_at=at(8, 41), entered_place="D7"), at(8, 50), verdict(
        "deja_present", "R8", f"{NAME} est déjà entré(e) dans cette salle à 8 h 41, place D7 : rien à faire.", **WHO)),
    "deja_present": (arrival(entered_at=at(8, 41)), at(8, 50), verdict(
        "deja_present", "R8", f"{NAME} est déjà entré(e) dans cette salle à 8 h 41, place C4 : rien à faire.", **WHO)),
    "deja_present_ailleurs": (arrival(entered_at=at(8, 41), entered_salle=M1, entered_site=MONTREUIL), at(8, 50),
                              verdict("deja_present", "R4", f"Convocation déjà utilisée : {NAME} est déjà entré(e) à "
                                      "8 h 41, Amphithéâtre M1 — Maison des examens, 12 avenue de la Résistance, "
                                      "93100 Montreuil, place C4. Ne laissez pas entrer : gardez la personne à la "
                                      "porte, le responsable est alerté.", **WHO, ailleurs=True, entre_salle="M1",
                                      entre_site="MONTREUIL")),
    "portes_fermees": (arrival(), at(9, 1), verdict(
        "portes_fermees", "R3", f"Portes fermées depuis 9 h 00 : {NAME} n'est pas admis(e) à composer, quel que soit "
        "le motif du retard. Refus enregistré.", **WHO)),
    "mauvais_site": (arrival(door_salle=M1), at(8, 45), verdict(
        "mauvais_site", "R1", f"Mauvais site : {NAME} est convoqué(e) à Centre de gestion — siège, 1 rue Lucienne "
        "Gérain, 93500 Pantin. Il (elle) ne peut pas composer ici.", **WHO, site="PANTIN")),
    "mauvais_site_sans_adresse": (arrival(door_salle=M1, candidat_site=None), at(8, 45), verdict(
        "mauvais_site", "R1", f"Mauvais site : {NAME} est convoqué(e) à PANTIN. Il (elle) ne peut pas composer ici.",
        **WHO, site="PANTIN")),
    "mauvaise_salle": (arrival(door_salle=A01), at(8, 45), verdict(
        "mauvaise_salle", "R1", "Aller en Salle B12, bâtiment B, 1er étage — place C4.", **WHO, salle="B12")),
    "mauvaise_salle_sans_acces": (arrival(door_salle=A01, candidat_salle=replace(B12, access="")), at(8, 45), verdict(
        "mauvaise_salle", "R1", "Aller en Salle B12 — place C4.", **WHO, salle="B12")),
    "mauvaise_salle_inconnue": (arrival(door_salle=A01, candidat_salle=None), at(8, 45), verdict(
        "mauvaise_salle", "R1", "Aller en B12 — place C4.", **WHO, salle="B12")),
    "pieces_produites_au_debut_enregistre": (
        arrival(candidat=PIECES, doors_close_at=at(9, 15), started_at=at(9, 5), pieces_produites_at=at(9, 5)),
        at(9, 5), verdict("pieces_manquantes", "R7", "Pièces manquantes (Copie du diplôme) non produites avant le "
                          "début de l'épreuve (9 h 05) : accès refusé.", **WHO)),
    "pieces_produites_avant_le_debut_enregistre": (
        arrival(candidat=PIECES, doors_close_at=at(9, 15), started_at=at(9, 5), pieces_produites_at=at(9, 4, 59)),
        at(9, 4, 59), verdict("admis", "R5", "Admis(e) : place C4 (carte nationale d'identité).", **WHO)),
    "pieces_manquantes": (arrival(candidat=PIECES), at(8, 45), verdict(
        "pieces_manquantes", "R7", "Pièces manquantes : Copie du diplôme. Si le candidat les produit, confirmez "
        "« pièces produites » ; sinon l'accès est refusé.", **WHO)),
    "apercu": (arrival(piece_identite=None), at(8, 45), verdict(
        "admis", "R5", f"{NAME}, place C4 : vérifiez la pièce d'identité avec photo.", **WHO, a_confirmer=True)),
    "apercu_tiers_temps_du_debut_enregistre": (
        arrival(candidat=TIERS_TEMPS, piece_identite=None, started_at=at(8, 55)), at(8, 56), verdict(
            "admis", "R5", f"{NAME}, place C4 : vérifiez la pièce d'identité avec photo. Tiers-temps : fin à 12 h 55.",
            **WHO, a_confirmer=True)),
    "sans_piece": (arrival(piece_identite="aucune"), at(8, 45), verdict(
        "admis", "R5", "Admis(e) sans pièce d'identité : place C4. Le responsable de salle est alerté et fera un "
        "contrôle d'identité spécifique.", **WHO, alerte=True)),
    "admis": (arrival(piece_identite="passeport"), at(8, 45), verdict(
        "admis", "R5", "Admis(e) : place C4 (passeport).", **WHO)),
    "admis_hors_ligne": (arrival(seen_at=CLOSE - S), at(9, 12), verdict(
        "admis", "R3", "Admis(e) : place C4 (carte nationale d'identité)." + OFFLINE, **WHO, hors_ligne=True,
        entre_a="2027-03-18T08:59:59")),
    "admis_hors_ligne_tiers_temps_sans_piece": (
        arrival(candidat=TIERS_TEMPS, seen_at=CLOSE - S, piece_identite="aucune"), at(9, 12), verdict(
            "admis", "R5", "Admis(e) sans pièce d'identité : place C4. Le responsable de salle est alerté et fera un "
            "contrôle d'identité spécifique. Tiers-temps : fin à 13 h 00." + OFFLINE, **WHO, hors_ligne=True,
            entre_a="2027-03-18T08:59:59", alerte=True)),
}


@pytest.mark.parametrize("facts, now, expected", ARRIVALS.values(), ids=ARRIVALS.keys())
def test_arrival_answer_in_full(facts, now, expected):
    assert rules.check_arrival(facts, now) == expected


COMMON = replace(MATIN, sujet_commun=True)
SHORT = replace(APRES_MIDI, sujet_commun=False)
EXITS = {
    "oral": (presence(epreuve=replace(MATIN, kind="oral")), at(9, 30), verdict(
        "sortie_autorisee", "R25", "Sortie enregistrée.")),
    "non_commencee": (presence(started_at=None), at(9, 30), verdict(
        "epreuve_non_commencee", "R9", "L'épreuve n'a pas commencé : pas de sortie définitive avant l'ouverture des "
        "sujets. Prévenez le responsable de salle.")),
    "salle_liberee": (presence(released=True), END, verdict(
        "sortie_autorisee", "R22", "Sortie autorisée : la salle est libérée.")),
    "signal": (presence(), END, verdict(
        "attendre_signal", "R22", "Fin de l'épreuve : les candidats sortent une fois toutes les copies ramassées et "
        "recomptées, au signal du responsable.")),
    "quinze_dernieres_minutes": (presence(), END - timedelta(minutes=15), verdict(
        "quinze_dernieres_minutes", "R17", "Aucune sortie dans les quinze dernières minutes (fin à 12 h 05).", END)),
    "epreuve_courte": (presence(epreuve=SHORT, started_at=at(14, 2)), at(14, 40), verdict(
        "epreuve_courte", "R15", "Aucune sortie anticipée pour une épreuve de 1 h 30 ou moins : sortie à la fin de "
        "l'épreuve (15 h 32).", at(15, 32))),
    "sujet_commun": (presence(epreuve=COMMON), at(10), verdict(
        "sujet_commun", "R18", "Sujet commun : aucune sortie avant 10 h 35 (1 h 30 après le début).", at(10, 35))),
    "copie_non_remise": (presence(emarge=False), at(11), verdict(
        "copie_non_remise", "R16", "Sortie anticipée seulement après remise de la copie et émargement avec le nombre "
        "de copies.")),
    "identite_non_verifiee": (presence(identite_verifiee=False), at(11), verdict(
        "identite_non_verifiee", "R8", "Vérifiez l'identité du candidat avant d'autoriser sa sortie.")),
    "sortie_anticipee": (presence(), at(11), verdict(
        "sortie_autorisee", "R16", "Sortie anticipée autorisée : copie remise et émargement fait.")),
    "non_present": (presence(status=None), at(11), verdict(
        "non_present", "R8", "Ce candidat n'est pas enregistré comme présent dans cette salle.")),
    "deja_sorti": (presence(status="sorti"), at(11), verdict(
        "deja_sorti", "R16", "Ce candidat est déjà sorti définitivement.")),
    "aux_toilettes": (presence(status="toilettes"), at(11), verdict(
        "aux_toilettes", "R19", "Ce candidat est aux toilettes : enregistrez d'abord son retour.")),
}


@pytest.mark.parametrize("facts, now, expected", EXITS.values(), ids=EXITS.keys())
def test_exit_answer_in_full(facts, now, expected):
    assert rules.check_exit(facts, now) == expected


TOILETTES = {
    "accompagnateur_requis": (presence(), "", at(10), verdict(
        "accompagnateur_requis", "R19", "Indiquez le surveillant qui accompagne le candidat.")),
    "quinze_dernieres_minutes_du_tiers_temps": (presence(tiers_temps=True), "Nadia", TT_END - timedelta(minutes=15),
                                                verdict("quinze_dernieres_minutes", "R17", "Plus de toilettes dans "
                                                        "les quinze dernières minutes (fin à 13 h 05).")),
    "accompagne": (presence(), " Nadia ", at(10), verdict(
        "toilettes_autorisees", "R19", "Toilettes : accompagné(e) par Nadia. Le temps passé dehors n'est pas "
        "récupéré.")),
    "non_present": (presence(status=None), "Nadia", at(10), verdict(
        "non_present", "R8", "Ce candidat n'est pas enregistré comme présent dans cette salle.")),
    "deja_sorti": (presence(status="sorti"), "Nadia", at(10), verdict(
        "deja_sorti", "R16", "Ce candidat est déjà sorti définitivement.")),
}


@pytest.mark.parametrize("facts, accompagnateur, now, expected", TOILETTES.values(), ids=TOILETTES.keys())
def test_toilettes_answer_in_full(facts, accompagnateur, now, expected):
    assert rules.check_toilettes(facts, accompagnateur, now) == expected


DOORS = {
    "fermees_a_la_main": ((CLOSE, at(8, 55), at(9, 20), "Retard", at(8, 56)), verdict(
        "portes_deja_fermees", "R3", "Les portes sont fermées depuis 8 h 55 : l'heure ne peut plus être changée.")),
    "fermees_a_l_heure": ((CLOSE, None, at(9, 20), "Retard", CLOSE), verdict(
        "portes_deja_fermees", "R3", "Les portes sont fermées depuis 9 h 00 : l'heure ne peut plus être changée.")),
    "motif_requis": ((CLOSE, None, at(9, 20), None, at(8, 50)), verdict(
        "motif_requis", "R3", "Indiquez le motif du changement : il figurera au procès-verbal.")),
    "deplacee": ((CLOSE, None, at(9, 20), "Retard du RER B", at(8, 50)), verdict(
        "fermeture_deplacee", "R3", "Fermeture des portes déplacée à 9 h 20.")),
}


@pytest.mark.parametrize("args, expected", DOORS.values(), ids=DOORS.keys())
def test_door_time_answer_in_full(args, expected):
    assert rules.check_move_doors(*args) == expected


def test_verdict_as_the_api_sends_it():
    refused = verdict("quinze_dernieres_minutes", "R17", "Aucune sortie.", at(12, 5), candidat="ATP27-00042")
    assert refused.to_dict() == {"verdict": "quinze_dernieres_minutes", "ok": False, "message": "Aucune sortie.",
                                 "regle": "R17", "autorise_a_partir_de": "2027-03-18T12:05:00",
                                 "candidat": "ATP27-00042"}
    assert verdict("admis", "R5", "Admis(e).").to_dict() == {
        "verdict": "admis", "ok": True, "message": "Admis(e).", "regle": "R5", "autorise_a_partir_de": None}


@pytest.mark.parametrize("code", ["admis", "sortie_autorisee", "toilettes_autorisees", "fermeture_deplacee",
                                  "emargement_enregistre", "incident_enregistre", "recomptage_enregistre",
                                  "salle_liberee"])
def test_the_answers_that_let_the_action_happen_are_ok(code):
    assert verdict(code, "", "").ok


@pytest.mark.parametrize("code", [*rules.SCAN_VERDICTS[1:], *rules.EXIT_REFUSALS, "portes_deja_fermees",
                                  "heure_passee", "motif_requis", "deja_emarge", "fin_non_atteinte",
                                  "heures_invalides", "recomptage_requis", "deja_liberee"])
def test_refusals_are_not_ok(code):
    assert not verdict(code, "", "").ok
