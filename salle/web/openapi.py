"""The OpenAPI 3.1 description of /api/v1, served at /api/v1/openapi.json."""

from __future__ import annotations

from .. import __version__
from ..model import PIECES_IDENTITE
from ..rules import EXIT_REFUSALS, SCAN_VERDICTS

ERROR = {"$ref": "#/components/responses/Erreur"}


def _op(summary: str, roles: str, request: dict | None = None, response: str = "Reponse", params=(), auth=True):
    op = {
        "summary": summary,
        "description": f"Rôles : {roles}.",
        "responses": {"200": {"description": "OK", "content": {"application/json": {
            "schema": {"$ref": f"#/components/schemas/{response}"}}}},
            "400": ERROR, "401": ERROR, "403": ERROR, "404": ERROR, "409": ERROR, "503": ERROR},
    }
    if params:
        op["parameters"] = [{"$ref": f"#/components/parameters/{p}"} for p in params]
    if request:
        op["requestBody"] = {"required": True, "content": {"application/json": {"schema": request}}}
    if not auth:
        op["security"] = []
    return op


def _with_429(op: dict) -> dict:
    op["responses"]["429"] = ERROR
    return op


def _obj(required=(), **props):
    return {"type": "object", "required": list(required), "properties": props}


S = {"type": "string"}
CLIENT_ID = {"type": "string", "pattern": "^[A-Za-z0-9._:-]{8,100}$",
             "description": "Identifiant fabriqué par le client (UUID) : une requête répétée reçoit la première "
                            "réponse et n'enregistre rien de plus."}
PIECE = {"type": "string", "enum": list(PIECES_IDENTITE)}


def openapi_document() -> dict:
    scan = _obj(("code", "client_id"), code={**S, "description": "Texte lu sur le code-barres de la convocation"},
                client_id=CLIENT_ID, piece_identite={**PIECE, "description": "Pièce d'identité présentée (R5). "
                "Absente : un candidat admissible est seulement prévisualisé, rien n'est enregistré."},
                pieces_produites={"type": "boolean", "description": "Pièces manquantes produites (R7)"},
                heure_constatee={**S, "description": "Hors ligne : heure (du serveur, sans fuseau) à laquelle le "
                                 "surveillant a vérifié la convocation ; R3 est jugée à cette heure, une entrée "
                                 "admise ainsi après la fermeture alerte le responsable."},
                device_time={**S, "format": "date-time"}, epreuve=S)
    movement = _obj(("numero", "client_id"), numero=S, client_id=CLIENT_ID, piece_identite=PIECE,
                    accompagnateur=S, device_time={**S, "format": "date-time"}, epreuve=S)
    paths = {
        "/api/v1/health": {"get": _op("État du serveur et tête du journal", "tous", auth=False)},
        "/api/v1/openapi.json": {"get": _op("Ce document", "tous", response="Document", auth=False)},
        "/api/v1/auth/login": {"post": _with_429(_op(
            "Connexion avec le code personnel. Échecs limités par appareil et par code, attente croissante (429) ; "
            "un code juste tapé après des échecs répétés est verrouillé (403)", "tous",
            _obj(("code",), code=S, device=S), "Connexion", auth=False))},
        "/api/v1/auth/logout": {"post": _op("Déconnecter cet appareil : son jeton cesse de valoir, y compris pour le "
                                            "direct", "admin, responsable, surveillant, kiosk")},
        "/api/v1/personnel": {"get": _op("Personnel et appareils connectés", "admin (tous), responsable (son site)")},
        "/api/v1/personnel/{personnel}/deconnexion": {"post": _op(
            "Déconnecter tous les appareils d'une personne (tablette perdue), avec un motif journalisé",
            "admin, responsable (surveillants et bornes de son site)",
            _obj(("motif", "client_id"), motif=S, client_id=CLIENT_ID), params=("personnel",))},
        "/api/v1/personnel/{personnel}/deverrouillage": {"post": _op(
            "Débloquer un code verrouillé après des connexions refusées", "admin, responsable (surveillants et "
            "bornes de son site)", _obj(("client_id",), client_id=CLIENT_ID), params=("personnel",))},
        "/api/v1/me": {"get": _op("Qui suis-je", "admin, responsable, surveillant, kiosk")},
        "/api/v1/session": {"get": _op("Concours, épreuves, sites et salles visibles", "tous les rôles")},
        "/api/v1/clock": {
            "get": _op("Heure du serveur (simulée en répétition)", "tous les rôles"),
            "put": _op("Régler l'horloge (répétition seulement)", "admin",
                       _obj(("maintenant",), maintenant={**S, "format": "date-time"})),
        },
        "/api/v1/salles": {"get": _op("Salles visibles et leur état", "admin, responsable, surveillant",
                                      params=("epreuve",))},
        "/api/v1/salles/{salle}": {"get": _op("État d'une salle", "admin, responsable du site, surveillant de la salle",
                                              params=("salle", "epreuve"), response="EtatSalle")},
        "/api/v1/salles/{salle}/candidats": {"get": _op("Candidats d'une salle et leur statut", "admin, responsable "
                                                        "du site, surveillant de la salle", params=("salle", "epreuve"))},
        "/api/v1/salles/{salle}/candidats/{numero}": {"get": _op(
            "Fiche d'un candidat : où il en est, et pour chaque action (toilettes, sortie, émargement) si elle est "
            "possible maintenant, sinon à partir de quand ; rien n'est enregistré", "admin, responsable du site, "
            "surveillant de la salle", params=("salle", "numero", "epreuve"))},
        "/api/v1/salles/{salle}/scans": {"post": _op("Scan d'une convocation à la porte (R1, R3, R4, R5, R7, R8)",
                                                     "admin, responsable du site, surveillant de la salle", scan,
                                                     "Verdict", ("salle",))},
        "/api/v1/salles/{salle}/sorties": {"post": _op("Sortie définitive (R8, R15–R18, R22, R24)", "admin, "
                                                       "responsable du site, surveillant de la salle", movement,
                                                       "Verdict", ("salle",))},
        "/api/v1/salles/{salle}/toilettes": {"post": _op("Départ aux toilettes accompagné (R17, R19)", "admin, "
                                                         "responsable du site, surveillant de la salle", movement,
                                                         "Verdict", ("salle",))},
        "/api/v1/salles/{salle}/toilettes/retour": {"post": _op("Retour des toilettes (R19)", "admin, responsable du "
                                                                "site, surveillant de la salle", movement, "Verdict",
                                                                ("salle",))},
        "/api/v1/appareils": {"get": _op("Lecteurs et relais de porte : en ligne ou non (devices.toml)",
                                         "admin, responsable (son site)")},
        "/api/v1/verification": {"post": _op(
            "Vérification du matin : fichier du jour, horloge, disque, chaque appareil (ticket d'essai, papier, "
            "lecteurs, relais), tablettes et bornes connectées ; une liste en français, prêt ou quoi corriger",
            "admin, responsable (son site)",
            _obj((), imprimer={"type": "boolean", "description": "Imprimer un ticket d'essai (défaut : oui)"},
                 attendre_scan={"type": "number", "minimum": 0, "maximum": 20,
                                "description": "Secondes à attendre qu'un lecteur lise un code (défaut : 0)"}))},
        "/api/v1/appareils/lectures": {"get": _op(
            "Codes lus par les lecteurs de porte du serveur, depuis le numéro de lecture « apres » (les 500 "
            "derniers ; « salle devices test-scan » pendant que le serveur tient les ports)",
            "admin, responsable (son site)", params=("apres", "lecteur"))},
        "/api/v1/epreuves/{epreuve}/sites/{site}/fermeture": {"post": _op(
            "Déplacer l'heure de fermeture des portes avant qu'elle passe, avec un motif (R3)", "admin, responsable "
            "du site", _obj(("heure", "motif", "client_id"), heure={**S, "example": "09:15"}, motif=S,
                            client_id=CLIENT_ID), params=("epreuve_path", "site"))},
        "/api/v1/epreuves/{epreuve}/sites/{site}/portes-fermees": {"post": _op(
            "Prononcer la fermeture des portes maintenant (R3)", "admin, responsable du site",
            _obj(("client_id",), client_id=CLIENT_ID), params=("epreuve_path", "site"))},
        "/api/v1/epreuves/{epreuve}/sites/{site}/debut": {"post": _op(
            "Enregistrer l'ouverture des sujets (R9)", "admin, responsable du site",
            _obj(("client_id",), client_id=CLIENT_ID), params=("epreuve_path", "site"))},
    }
    paths.update(kiosk_paths())  # issue 7
    doc = {
        "openapi": "3.1.0",
        "info": {"title": "Salle — API du jour d'examen", "version": __version__,
                 "description": "Toutes les réponses portent « repetition » (vrai en mode répétition) et "
                                "« heure_serveur ». Les erreurs portent « erreur » : un code stable et un message "
                                "en français."},
        "servers": [{"url": "/"}],
        "security": [{"jeton": []}],
        "paths": paths,
        "components": {
            "securitySchemes": {"jeton": {"type": "http", "scheme": "bearer",
                                          "description": "Jeton reçu de /api/v1/auth/login"}},
            "parameters": {
                "salle": {"name": "salle", "in": "path", "required": True, "schema": S},
                "site": {"name": "site", "in": "path", "required": True, "schema": S},
                "numero": {"name": "numero", "in": "path", "required": True, "schema": S,
                           "description": "Numéro d'inscription du candidat"},
                "personnel": {"name": "personnel", "in": "path", "required": True, "schema": S,
                              "description": "Identifiant du personnel (P001…), voir /api/v1/personnel"},
                "epreuve_path": {"name": "epreuve", "in": "path", "required": True, "schema": S},
                "apres": {"name": "apres", "in": "query", "required": False, "schema": S,
                          "description": "Numéro de la dernière lecture déjà vue (0 : toutes)"},
                "lecteur": {"name": "lecteur", "in": "query", "required": False, "schema": S,
                            "description": "Nom du lecteur dans devices.toml"},
                "epreuve": {"name": "epreuve", "in": "query", "required": False, "schema": S,
                            "description": "Code d'épreuve ; par défaut celle en cours"},
            },
            "responses": {"Erreur": {"description": "Erreur, message en français", "content": {"application/json": {
                "schema": {"$ref": "#/components/schemas/Erreur"}}}}},
            "schemas": {
                "Document": {"type": "object", "description": "Document OpenAPI 3.1"},
                "Reponse": {"type": "object", "required": ["repetition", "heure_serveur"],
                            "properties": {"repetition": {"type": "boolean"}, "heure_serveur": S}},
                "Erreur": _obj(("erreur", "repetition"), repetition={"type": "boolean"},
                               erreur=_obj(("code", "message"), code=S, message=S)),
                "Connexion": _obj(("token", "personnel"), token=S, personnel={"type": "object"},
                                  repetition={"type": "boolean"}),
                "Verdict": _obj(("verdict", "ok", "message", "enregistre"),
                                verdict={"type": "string", "enum": [*SCAN_VERDICTS, *EXIT_REFUSALS, "sortie_autorisee",
                                                                    "toilettes_autorisees", "retour_enregistre"]},
                                ok={"type": "boolean"}, message=S, regle=S, enregistre={"type": "boolean"},
                                rejoue={"type": "boolean"}, autorise_a_partir_de={"type": ["string", "null"]},
                                candidat={"type": ["object", "null"]}, repetition={"type": "boolean"}),
                "EtatSalle": _obj(("salle", "attendus", "presents", "absents", "portes"), salle=S,
                                  attendus={"type": "integer"}, presents={"type": "integer"},
                                  absents={"type": "integer"}, toilettes={"type": "integer"},
                                  sortis={"type": "integer"}, refuses_retard={"type": "integer"},
                                  refuses={"type": "integer"}, sans_emargement={"type": "integer"},
                                  fin=S, liberee_a={"type": ["string", "null"]},
                                  portes={"type": "object"}, repetition={"type": "boolean"}),
            },
        },
    }
    # --- issue 5 (the salle at work): paths of salle.web.api_salle ---
    from .api_salle import openapi_extend

    openapi_extend(doc, _op, _obj, S, CLIENT_ID)
    from .api_documents import openapi_extend as documents_paths

    documents_paths(doc, _op)
    return doc


# --- kiosk (issue 7): the accueil borne's paths ------------------------------------------------------------


def kiosk_paths() -> dict:
    lookup = {"oneOf": [_obj(("nom", "date_naissance"), nom={**S, "maxLength": 100, "description":
                                                            "Nom de naissance ou nom d'usage (accents, casse, "
                                                            "tirets et espaces indifférents)"},
                             date_naissance={**S, "example": "1990-02-28", "description": "aaaa-mm-jj ou jj/mm/aaaa"}),
                        _obj(("numero",), numero={**S, "description": "Numéro d'inscription complet, ou ses seuls "
                                                                      "chiffres après le préfixe du concours"})]}
    job = {"name": "job", "in": "path", "required": True, "schema": S}
    return {
        "/api/v1/kiosk/recherches": {"post": {**_op(
            "Trouver sa convocation : un seul candidat, « plusieurs » ou « introuvable » (R6, R1, R3, R27). "
            "Limité par borne (429).", "kiosk", lookup), "responses": {
                **_op("", "")["responses"], "429": ERROR}}},
        "/api/v1/kiosk/impressions": {"post": _op(
            "Imprimer la convocation de remplacement (R6, R26) ; refusé portes fermées (R3, 409)", "kiosk",
            _obj(("numero", "client_id"), numero=S, client_id=CLIENT_ID))},
        "/api/v1/kiosk/impressions/{job}": {"get": {**_op("État d'une impression de cette borne", "kiosk"),
                                                    "parameters": [job]}},
        "/api/v1/kiosk/impressions/{job}/reimprimer": {"post": {**_op(
            "Réimprimer une convocation (échec ou perte)", "admin, responsable du site"), "parameters": [job]}},
        "/api/v1/sites/{site}/convocations-imprimees": {"get": _op(
            "Convocations imprimées à la borne, par candidat, réimpressions signalées", "admin, responsable du site",
            params=("site",))},
    }
