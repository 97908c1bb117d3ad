"""Aménagements beyond time (R24: « aides humaines et techniques », « fractionnement des épreuves »), as the
registration system's « Aménagements » column writes them, read into structured data: human aids, technical aids,
a separate room, an accessible room, fractionnement. Extra time is salle.model.TempsMajore."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

MAX_ITEMS = 10
MAX_ITEM = 100
HUMAINE, TECHNIQUE = "aide humaine", "aide technique"
SALLE_A_PART, SALLE_ACCESSIBLE, FRACTIONNEMENT = "salle à part", "salle accessible", "fractionnement"
# Words that tell what an item is, compared without case or accents (« Secrétaire » == « secretaire »).
HUMAN_WORDS = ("secretaire", "lecteur", "scripteur", "interprete", "lsf", "codeur", "lpc", "assistant",
               "accompagnat", "auxiliaire", "aide humaine", "preneur de notes")
TECHNICAL_WORDS = ("ordinateur", "loupe", "agrandi", "a3", "braille", "synthese vocale", "logiciel", "table adaptee",
                   "fauteuil", "eclairage", "calculatrice", "materiel", "aide technique", "pupitre", "casque",
                   "clavier", "plan incline", "siege", "micro", "dictaphone", "correcteur")
SEPARATE_WORDS = ("salle a part", "salle isolee", "salle separee", "salle particuliere", "salle individuelle",
                  "salle dediee", "seul en salle", "salle seule")
ACCESS_WORDS = ("rez-de-chaussee", "rez de chaussee", "pmr", "acces fauteuil", "ascenseur", "salle accessible",
                "plain-pied", "plain pied")
SPLIT_WORDS = ("fractionnement", "fractionnee", "fractionne")
EXPECTED = ("attendu : des aménagements séparés par « ; » — une aide humaine (secrétaire, lecteur, scripteur, "
            "interprète LSF…), une aide technique (ordinateur, loupe, sujet agrandi, braille…), "
            "une salle accessible (rez-de-chaussée, accès PMR…), « salle à part » ou « fractionnement » ; ou « aide "
            "humaine : … », « aide technique : … »")


@dataclass(frozen=True)
class Amenagements:
    """R24: what a candidat was granted beforehand besides extra time."""

    aides_humaines: tuple[str, ...] = ()
    aides_techniques: tuple[str, ...] = ()
    salle_a_part: bool = False
    salle_accessible: tuple[str, ...] = ()  # how: « rez-de-chaussée », « accès PMR »…
    fractionnement: bool = False
    autres: tuple[str, ...] = ()  # a day file from before this reading: its free text, never lost

    def __bool__(self) -> bool:
        return any((self.aides_humaines, self.aides_techniques, self.salle_a_part, self.salle_accessible,
                    self.fractionnement, self.autres))

    @property
    def text(self) -> str:
        """The stored form, read back by parse(): « aide humaine : secrétaire ; salle à part »."""
        parts = [f"{HUMAINE} : {a}" for a in self.aides_humaines] + [f"{TECHNIQUE} : {a}" for a in
                                                                      self.aides_techniques]
        parts += [SALLE_A_PART] if self.salle_a_part else []
        parts += [f"{SALLE_ACCESSIBLE} : {a}" for a in self.salle_accessible]
        parts += [FRACTIONNEMENT] if self.fractionnement else []
        return " ; ".join(parts + list(self.autres))

    def public(self) -> dict:
        """As the surveillant's tablet and the jury's page read it."""
        return {"aides_humaines": list(self.aides_humaines), "aides_techniques": list(self.aides_techniques),
                "salle_a_part": self.salle_a_part, "salle_accessible": list(self.salle_accessible),
                "fractionnement": self.fractionnement, "autres": list(self.autres)}


def _plain(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def _has(plain: str, words) -> bool:
    return any(re.search(rf"(?<![a-z0-9]){re.escape(w)}", plain) for w in words)


def _items(text: str) -> list[str]:
    items = []
    for part in re.split(r"[;\n\r|]+", text or ""):
        part = re.sub(r"^\s*(?:et|\+|-|•)\s+", "", part.strip().replace("\u00a0", " ")).strip(" .,")
        if part:
            items.append(part)
    return items


def parse(text: str, strict: bool = True) -> Amenagements:
    """The « Aménagements » column: items separated by « ; » (or one a line). ValueError naming the first item not
    understood, in French, when `strict` (the import); else that item is kept as it is (a day file from before)."""
    items = _items(text)
    if strict and len(items) > MAX_ITEMS:
        raise ValueError(f"plus de {MAX_ITEMS} aménagements")
    human, technical, access, others = [], [], [], []
    flags = {"salle_a_part": False, "fractionnement": False}
    lists = {"humaine": human, "technique": technical, "accessible": access}
    for item in items:
        plain = _plain(item)
        named = re.fullmatch(r"(?:aides?\s+(humaine|technique)s?|salle\s+(accessible))\s*:\s*(.*)", plain, flags=re.S)
        if strict and len(item) > MAX_ITEM:
            raise ValueError(f"aménagement « {item[:40]}… » trop long (plus de {MAX_ITEM} caractères)")
        if named and not named.group(3).strip():
            if strict:
                raise ValueError(f"« {item} » : précisez l'aide (par exemple « aide humaine : secrétaire »)")
            others.append(item)
        elif named:
            lists[named.group(1) or named.group(2)].append(item[item.index(":") + 1:].strip())
        elif _has(plain, SEPARATE_WORDS):
            flags["salle_a_part"] = True
        elif _has(plain, ACCESS_WORDS):
            access.append(item)
        elif _has(plain, SPLIT_WORDS):
            flags["fractionnement"] = True
        elif _has(plain, HUMAN_WORDS):
            human.append(item)
        elif _has(plain, TECHNICAL_WORDS):
            technical.append(item)
        elif strict:
            raise ValueError(f"aménagement « {item} » non reconnu")
        else:
            others.append(item)
    return Amenagements(tuple(dict.fromkeys(human)), tuple(dict.fromkeys(technical)),
                        salle_accessible=tuple(dict.fromkeys(access)), autres=tuple(others), **flags)
