"""The shape of a command's input, declared once: a pydantic model per request.

The web layer turns a JSON body into one of these (`Model.parse(body)`) before any command sees it; a wrong
type, a missing field or a value out of range becomes a French 400 (`Invalide`) naming the field, and nothing
is recorded. The same declaration gives the request's JSON Schema to the OpenAPI document (salle.web.openapi).

A field's French refusal is declared next to it with `Fr("message", code)` in its `Annotated` metadata; a
`{valeur}` in the message is replaced by the value sent (cut to 40 characters). Checks that need the day (a time
within the épreuve, a candidat that exists) stay in the commands.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Any, ClassVar, Literal

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, StringConstraints, ValidationError

from ..clock import local_naive
from ..errors import Invalide
from ..model import PIECES_IDENTITE


@dataclass(frozen=True)
class Fr:
    """What a person reads when this field is wrong."""

    message: str
    code: str = "requete_invalide"


class Request(BaseModel):
    """A command's input: JSON types only (strict: no "1" for 1, no true for 1), unknown keys ignored."""

    model_config = ConfigDict(strict=True, extra="ignore", frozen=True)
    invalid: ClassVar[Fr] = Fr("Requête invalide : rien n'a été enregistré.")

    @classmethod
    def parse(cls, data: dict) -> Any:
        try:
            return cls.model_validate(data)
        except ValidationError as exc:
            raise cls._french(exc) from None

    @classmethod
    def _french(cls, exc: ValidationError) -> Invalide:
        error = exc.errors(include_url=False)[0]
        name = error["loc"][0] if error["loc"] else None
        info = cls.model_fields.get(name) if isinstance(name, str) else None
        fr = next((m for m in info.metadata if isinstance(m, Fr)), None) if info else None
        if fr is None:
            fr = Fr(f"Champ « {name} » invalide : rien n'a été enregistré.") if name else cls.invalid
        value = error.get("input")
        shown = value if isinstance(value, str) else "" if value is None else str(value)
        return Invalide(fr.message.replace("{valeur}", shown[:40]), code=fr.code)


# --- the fields many requests share ----------------------------------------------------------------------


ClientId = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9._:-]{8,100}$"), Field(
    description="Identifiant fabriqué par le client (UUID) : une requête répétée reçoit la première réponse et "
                "n'enregistre rien de plus."), Fr(
    "Identifiant de requête (client_id) manquant ou invalide : 8 à 100 lettres, chiffres ou « - _ . : ».",
    "client_id_invalide")]

Numero = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=64),
                   Field(description="Numéro d'inscription du candidat"),
                   Fr("Numéro du candidat manquant.", "numero_manquant")]

EpreuveCode = Annotated[str | None, Field(description="Code d'épreuve ; par défaut celle en cours"),
                        Fr("Code d'épreuve invalide.", "epreuve_inconnue")]

Piece = Literal[tuple(PIECES_IDENTITE)]


def iso_datetime(value, message: str, code: str = "requete_invalide") -> datetime | None:
    """An ISO 8601 date and time sent by a device (« Z » accepted) in the server's local time (an offset is
    converted to it), or None; else `message`, in French."""
    if value is None:
        return None
    if not isinstance(value, str) or len(value) > 40:
        raise Invalide(message, code=code)
    try:
        return local_naive(datetime.fromisoformat(value.replace("Z", "+00:00")))
    except (ValueError, OverflowError) as exc:  # OverflowError: an offset that takes it past year 1 or 9999
        raise Invalide(message, code=code) from exc


def _device_time(value):
    iso_datetime(value, "« device_time » doit être une date ISO 8601.")
    return value


DeviceTime = Annotated[Any, AfterValidator(_device_time), Field(
    default=None, json_schema_extra={"type": "string", "format": "date-time"},
    description="Heure de l'appareil au moment de l'action (journalisée, jamais utilisée pour décider)")]


def text(what: str, limit: int, code: str = "texte_invalide", required: bool = True, description: str = ""):
    """A free text of at most `limit` characters (stripped); required: not blank."""
    message = f"{what} : texte manquant ou trop long ({limit} caractères au plus)."
    constraints = StringConstraints(strip_whitespace=True, min_length=1 if required else 0, max_length=limit)
    if required:
        return Annotated[str, constraints, Field(description=description or what), Fr(message, code)]
    return Annotated[str, BeforeValidator(lambda v: "" if v is None else v), constraints,
                     Field(default="", description=description or what), Fr(message, code)]


# --- signatures (R11, R20) ---------------------------------------------------------------------------------

MAX_STROKES = 200
MAX_POINTS = 5000
SIGNATURE_BOX = 10000  # coordinates are canvas pixels: anything beyond is not a signature


def strokes(what: str, optional: bool = False):
    """Vector strokes [[{x, y, t}, …], …] checked and compacted to [[[x, y, t], …], …] (R20: the signature
    « atteste de la remise »; R11: the candidate's countersignature). Optional: nothing drawn is None."""

    def check(value):
        if optional and not value and not isinstance(value, (int, float)):
            return None
        bad = Invalide(f"{what} manquante ou invalide : tracez-la dans le cadre (traits de points x, y, t).",
                       code="signature_invalide")
        if not isinstance(value, list) or not value or len(value) > MAX_STROKES:
            raise bad
        out, total = [], 0
        for stroke in value:
            if not isinstance(stroke, list) or not stroke:
                raise bad
            total += len(stroke)
            if total > MAX_POINTS:
                raise Invalide(f"{what} trop longue ({MAX_POINTS} points au plus).", code="signature_invalide")
            points = []
            for point in stroke:
                if not isinstance(point, dict):
                    raise bad
                xyt = [point.get("x"), point.get("y"), point.get("t", 0)]
                if not all(isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v) for v in xyt):
                    raise bad
                if not (0 <= xyt[0] <= SIGNATURE_BOX and 0 <= xyt[1] <= SIGNATURE_BOX and xyt[2] >= 0):
                    raise bad
                points.append([round(xyt[0], 1), round(xyt[1], 1), round(xyt[2])])
            out.append(points)
        return out

    point = {"type": "object", "required": ["x", "y"], "properties": {
        "x": {"type": "number"}, "y": {"type": "number"}, "t": {"type": "number"}}}
    return Annotated[Any, BeforeValidator(check), Field(
        json_schema_extra={"type": "array", "items": {"type": "array", "items": point}},
        description=f"{what} : traits de points {{x, y, t}} en pixels du cadre"), Fr(
        f"{what} manquante ou invalide : tracez-la dans le cadre (traits de points x, y, t).", "signature_invalide")]
