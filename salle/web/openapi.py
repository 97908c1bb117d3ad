"""The OpenAPI 3.1 description of /api/v1 (served at /api/v1/openapi.json), gathered from the blueprints: each
route declares its operation where it is defined (ApiBlueprint.endpoint), each request body is the JSON Schema
of its pydantic model (salle.commands), so the document cannot drift from the code."""

from __future__ import annotations

import re

from .. import __version__
from .http import ApiBlueprint, Operation

S = {"type": "string"}
ERROR = {"$ref": "#/components/responses/Erreur"}
FILES = ("application/pdf", "text/csv", "application/zip")

PATH_PARAMETERS = {
    "numero": "Numéro d'inscription du candidat",
    "personnel": "Identifiant du personnel (P001…), voir /api/v1/personnel",
    "seq": "Numéro de l'alerte ou du rapport (numéro d'événement du journal)",
    "job": "Identifiant de l'impression",
}
QUERY_PARAMETERS = {
    "epreuve": "Code d'épreuve ; par défaut celle en cours",
    "site": "Code du site ; par défaut celui du responsable, tous pour un admin",
    "remplie": "1 : la feuille remplie d'après le journal (copie d'archive)",
    "q": "Nom (sans accents ni casse) ou numéro, 2 caractères au moins",
    "apres": "Numéro de la dernière lecture déjà vue (0 : toutes)",
    "lecteur": "Nom du lecteur dans devices.toml",
    "toutes": "1 : aussi les alertes traitées",
}

SCHEMAS = {
    "Document": {"type": "object", "description": "Document OpenAPI 3.1"},
    "Reponse": {"type": "object", "required": ["repetition", "heure_serveur"],
                "properties": {"repetition": {"type": "boolean"}, "heure_serveur": S}},
    "Erreur": {"type": "object", "required": ["erreur", "repetition"], "properties": {
        "repetition": {"type": "boolean"},
        "erreur": {"type": "object", "required": ["code", "message"], "properties": {
            "code": S, "message": S, "details": {"type": "object"}}}}},
    "Connexion": {"type": "object", "required": ["token", "personnel"], "properties": {
        "token": S, "personnel": {"type": "object"}, "repetition": {"type": "boolean"},
        "secours": {"type": ["string", "null"], "description": "Le portable de secours du site, où les tablettes "
                    "vont d'elles-mêmes si ce serveur ne répond plus"}}},
    "Verdict": {"type": "object", "required": ["verdict", "ok", "message", "enregistre"], "description": (
        "La réponse de toute commande. ok : faux quand le règlement refuse (rien n'est enregistré, sauf un "
        "refus que le règlement veut au procès-verbal : enregistre le dit)."), "properties": {
        "verdict": {**S, "description": "Code stable de la décision (admis, portes_fermees, deja_emarge…)"},
        "ok": {"type": "boolean"}, "message": {**S, "description": "Ce qu'il faut dire ou faire, en français"},
        "regle": {**S, "description": "La règle du règlement appliquée (R1…R27)"},
        "enregistre": {"type": "boolean"}, "rejoue": {"type": "boolean"},
        "autorise_a_partir_de": {"type": ["string", "null"]}, "candidat": {"type": ["object", "null"]},
        "repetition": {"type": "boolean"}}},
    "EtatSalle": {"type": "object", "required": ["salle", "attendus", "presents", "absents", "portes"],
                  "properties": {"salle": S, "attendus": {"type": "integer"}, "presents": {"type": "integer"},
                                 "absents": {"type": "integer"}, "toilettes": {"type": "integer"},
                                 "sortis": {"type": "integer"}, "refuses_retard": {"type": "integer"},
                                 "refuses": {"type": "integer"}, "sans_emargement": {"type": "integer"},
                                 "fin": S, "liberee_a": {"type": ["string", "null"]}, "portes": {"type": "object"},
                                 "repetition": {"type": "boolean"}}},
}

DESCRIPTION = (
    "Toutes les réponses portent « repetition » (vrai en mode répétition) et « heure_serveur ». Toute commande "
    "répond 200 avec un verdict (schéma Verdict) : un refus du règlement y est « ok: false », jamais une erreur "
    "HTTP. Les erreurs HTTP disent que la requête n'a pas pu être jugée : 400 requête invalide (rien "
    "d'enregistré), 401 non connecté, 403 rôle ou salle interdits, 404 inconnu, 409 pas de session chargée, pas "
    "d'épreuve aujourd'hui ou identifiant de requête déjà servi pour une autre action, 429 trop de tentatives, "
    "503 fichier du jour impossible à écrire. Elles portent « erreur » : un code stable et un message en "
    "français.")


def document(blueprints: list[ApiBlueprint]) -> dict:
    schemas = dict(SCHEMAS)
    paths: dict[str, dict] = {}
    for bp in blueprints:
        for (path, method), op in bp.operations.items():
            paths.setdefault(path, {})[method] = _operation(path, op, schemas)
    return {
        "openapi": "3.1.0",
        "info": {"title": "Salle — API du jour d'examen", "version": __version__, "description": DESCRIPTION},
        "servers": [{"url": "/"}],
        "security": [{"jeton": []}],
        "paths": dict(sorted(paths.items())),
        "components": {
            "securitySchemes": {"jeton": {"type": "http", "scheme": "bearer",
                                          "description": "Jeton reçu de /api/v1/auth/login"}},
            "responses": {"Erreur": {"description": "Erreur, message en français", "content": {"application/json": {
                "schema": {"$ref": "#/components/schemas/Erreur"}}}}},
            "schemas": schemas,
        },
    }


def _operation(path: str, op: Operation, schemas: dict) -> dict:
    if op.response in FILES:
        ok = {"description": "Le fichier", "content": {op.response: {"schema": {
            "type": "string", "contentMediaType": op.response}}}}
    else:
        ok = {"description": "OK", "content": {"application/json": {
            "schema": {"$ref": f"#/components/schemas/{op.response}"}}}}
    out = {"summary": op.summary, "description": f"Rôles : {op.who}.",
           "responses": {"200": ok, **{str(s): ERROR for s in (400, 401, 403, 404, 409, 503, *op.statuses)}}}
    parameters = [_parameter(name, "path", PATH_PARAMETERS.get(name)) for name in _path_names(path)]
    parameters += [_parameter(name, "query", QUERY_PARAMETERS[name]) for name in op.query]
    if parameters:
        out["parameters"] = parameters
    if op.request is not None or op.body is not None:
        out["requestBody"] = {"required": True, "content": {"application/json": {
            "schema": _request_schema(op.request or op.body, schemas)}}}
    if op.public:
        out["security"] = []
    return out


def _path_names(path: str) -> list[str]:
    return re.findall(r"{(\w+)}", path)


def _parameter(name: str, where: str, description: str | None) -> dict:
    out = {"name": name, "in": where, "required": where == "path", "schema": S}
    if description:
        out["description"] = description
    return out


def _request_schema(model, schemas: dict) -> dict:
    schema = model.model_json_schema(ref_template="#/components/schemas/{model}")
    schemas.update(schema.pop("$defs", {}))
    _untitle(schema)
    if model.__doc__ and "description" not in schema and not model.__doc__.startswith(model.__name__):
        schema["description"] = model.__doc__.strip().split("\n")[0]
    return schema


def _untitle(schema) -> None:
    """pydantic's titles repeat the field names: left out."""
    if isinstance(schema, dict):
        schema.pop("title", None)
        for value in schema.values():
            _untitle(value)
    elif isinstance(schema, list):
        for value in schema:
            _untitle(value)

