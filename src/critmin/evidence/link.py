"""Entity linking: find the knowledge base's materials, countries and companies in text.

One Aho-Corasick automaton over every name and alias (English matched case-insensitively on
word boundaries, Chinese anywhere) finds all mentions in a single pass, longest name first, so
氧化镝 links to Dy once rather than as 氧化 + 镝. Short Latin names (element symbols, ISO
codes such as `IN`, `IT`, `CAN`) collide with ordinary words and are linked only from an
explicit list of safe abbreviations. Organisations the knowledge base lacks are still recorded
from name patterns (`... Group`, `...公司`), without an id.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from typing import NamedTuple

import ahocorasick

from critmin.kb import KnowledgeBase

#: Short Latin names that are safe to link despite their length.
SHORT_NAMES_LINKED = {"US", "U.S.", "UK", "EU", "USA", "PRC", "DRC", "UAE", "REE", "REEs", "REO",
                      "APT", "ITO", "GaN", "GaAs", "CdTe", "NdFeB", "NdPr", "SmCo", "TSMC", "ASML",
                      "NXP", "DoD", "BIS", "DFC", "WTO", "IEA", "SQM", "TDK", "GM", "VAC",
                      "USGS", "ACEA", "GACC", "MOFCOM", "Dy2O3", "Tb4O7", "Nd2O3", "Pr6O11"}
#: Latin names that are common words as well; never linked from running text.
AMBIGUOUS = {"china", "chad", "guinea", "jordan", "georgia", "turkey", "niger", "apple", "moly",
             "tin", "ire", "apt"}

_ORG_EN = re.compile(
    r"\b((?:[A-Z][A-Za-z&\-]+ ){0,4}[A-Z][A-Za-z&\-]+) (Inc\.?|Corp\.?|Corporation|Group|Ltd\.?|Limited|"
    r"Holdings|Technologies|Technology|Semiconductor|Materials|Metals|Resources|Mining|Magnetics)\b")
#: Cheap pre-checks: a paragraph without one of these suffixes cannot hold an organisation name,
#: and most paragraphs have none, so the costlier name patterns run only where they can match.
_ORG_EN_SUFFIX = re.compile(
    r"(?:Inc|Corp|Corporation|Group|Ltd|Limited|Holdings|Technologies|Technology|Semiconductor|Materials|"
    r"Metals|Resources|Mining|Magnetics)\b")
_ORG_ZH_SUFFIX = re.compile(r"(?:公司|集团|科技|半导体|矿业|稀土)(?![\u4e00-\u9fff])")
_ORG_ZH = re.compile(
    r"[\u4e00-\u9fff]{2,8}?(?:股份有限公司|有限公司|公司|集团|科技|半导体|矿业|稀土)(?![\u4e00-\u9fff])")


class Mention(NamedTuple):
    """A name found in text: what it is, which id it links to (None if unknown), where."""

    kind: str
    """material, country, company, government, organisation."""
    entity_id: str | None
    name: str
    """The text as written."""
    start: int
    end: int


class Linker:
    """Finds knowledge-base entities in text; build once per knowledge base (`linker_for`)."""

    def __init__(self, kb: KnowledgeBase) -> None:
        self._automaton = ahocorasick.Automaton()
        entries: dict[str, tuple[str, str, bool]] = {}
        self._exact: dict[str, set[str]] = {}

        def add(name: str, kind: str, entity_id: str) -> None:
            stripped = name.strip()
            latin = stripped.isascii()
            if not stripped or (latin and stripped.casefold() in AMBIGUOUS and stripped != "China"):
                return
            if latin and len(stripped) <= 3 and stripped not in SHORT_NAMES_LINKED:
                return
            # abbreviations keep their case, so `us` the pronoun never links to the USA
            exact = latin and (stripped in SHORT_NAMES_LINKED or stripped.isupper())
            key = stripped.lower() if latin else stripped
            if len(key) != len(stripped):
                return
            entries.setdefault(key, (kind, entity_id, latin))
            if exact:
                self._exact.setdefault(key, set()).add(stripped)

        for m in kb.materials.values():
            for name in (m.names.en, m.names.zh, m.id, *m.aliases):
                add(name, "material", m.id)
        for c in kb.countries.values():
            for name in (c.names.en, c.names.zh, c.id, *c.aliases):
                add(name, "country", c.id)
        for company in kb.companies.values():
            for name in (company.names.en, company.names.zh, *company.aliases):
                add(name, company.kind, company.id)
        for key, (kind, entity_id, latin) in entries.items():
            self._automaton.add_word(key, (key, kind, entity_id, latin))
        self._automaton.make_automaton()

    def mentions(self, text: str) -> list[Mention]:
        """Every linked mention in text, then unknown organisations, in order of position."""
        lowered = text.lower()
        if len(lowered) != len(text):
            lowered = text
        found: list[Mention] = []
        exact = self._exact
        for end_index, (key, kind, entity_id, latin) in self._automaton.iter_long(lowered):
            end = end_index + 1
            start = end - len(key)
            if exact and key in exact and text[start:end] not in exact[key]:
                continue
            if latin and not _on_word_boundaries(text, start, end):
                continue
            found.append(Mention(kind, entity_id, text[start:end], start, end))
        # spans already taken, kept sorted and non-overlapping (the automaton's longest matches do
        # not overlap, nor do the names added below), so an overlap test is a bisection: testing
        # every taken span for every name made a long paragraph quadratic
        starts = [m.start for m in found]
        ends = [m.end for m in found]
        for suffix, pattern in ((_ORG_EN_SUFFIX, _ORG_EN), (_ORG_ZH_SUFFIX, _ORG_ZH)):
            if suffix.search(text) is None:
                continue
            for match in pattern.finditer(text):
                start, end = match.span()
                at = bisect_right(starts, start)
                if (at and ends[at - 1] > start) or (at < len(starts) and starts[at] < end):
                    continue
                starts.insert(at, start)
                ends.insert(at, end)
                found.append(Mention("organisation", None, match.group(0), start, end))
        found.sort(key=lambda m: m.start)
        return found


def _on_word_boundaries(text: str, start: int, end: int) -> bool:
    before = text[start - 1] if start > 0 else " "
    after = text[end] if end < len(text) else " "
    return not (before.isalnum() and before.isascii()) and not (after.isalnum() and after.isascii())


_LINKERS: dict[int, Linker] = {}


def linker_for(kb: KnowledgeBase) -> Linker:
    """The linker of a knowledge base, built once (the automaton takes a moment)."""
    linker = _LINKERS.get(id(kb))
    if linker is None:
        linker = _LINKERS[id(kb)] = Linker(kb)
    return linker
