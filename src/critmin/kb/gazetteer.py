"""Names to ids: every way a user or a document names a material or a country.

Users type `dy`, `Dysprosium`, `镝`, `氧化镝` or `Dy2O3` and mean one thing; documents write
`U.S.`, `美国` or `United States`. The gazetteer folds case, width and punctuation so all of
these meet the same key, and suggests the nearest names when nothing matches.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Protocol

_SEPARATORS = re.compile(r"[\s.\-_'’`·()/,]+")


def normalise(name: str) -> str:
    """The comparison key of a name: NFKC, case-folded, without spaces or punctuation."""
    folded = unicodedata.normalize("NFKC", name).casefold().strip()
    return _SEPARATORS.sub("", folded)


def _variants(key: str) -> Iterable[str]:
    """Forms a typed name may take: as typed, then without an English plural ending."""
    yield key
    if key.isascii() and len(key) > 3:
        if key.endswith("ies"):
            yield key[:-3] + "y"
        if key.endswith("es"):
            yield key[:-2]
        if key.endswith("s"):
            yield key[:-1]


class _Names(Protocol):
    @property
    def en(self) -> str: ...
    @property
    def zh(self) -> str: ...


class Named(Protocol):
    """Anything with an id, English/Chinese names and aliases (materials, countries)."""

    @property
    def id(self) -> str: ...
    @property
    def names(self) -> _Names: ...
    @property
    def aliases(self) -> list[str]: ...


@dataclass
class Gazetteer:
    """A case- and punctuation-insensitive index from names to ids of one kind."""

    kind: str
    _index: dict[str, str] = field(default_factory=dict)
    _display: dict[str, str] = field(default_factory=dict)
    collisions: list[tuple[str, str, str]] = field(default_factory=list)

    def add(self, entity_id: str, names: Iterable[str]) -> None:
        """Register names for an id; a name already taken by another id is a collision."""
        for name in names:
            key = normalise(name)
            if not key:
                continue
            existing = self._index.get(key)
            if existing is not None and existing != entity_id:
                self.collisions.append((name, existing, entity_id))
                continue
            self._index[key] = entity_id
            self._display.setdefault(key, name)

    def lookup(self, name: str) -> str | None:
        """The id a name stands for, or None."""
        for key in _variants(normalise(name)):
            found = self._index.get(key)
            if found is not None:
                return found
        return None

    def suggest(self, name: str, limit: int = 5) -> list[str]:
        """Known names closest to `name`, best first, for 'did you mean' messages."""
        key = normalise(name)
        if not key:
            return []
        close = difflib.get_close_matches(key, list(self._index), n=limit * 3, cutoff=0.6)
        contains = [k for k in self._index
                    if min(len(k), len(key)) >= 3 and (key in k or k in key)]
        seen: set[str] = set()
        out: list[str] = []
        for candidate in [*close, *sorted(contains, key=len)]:
            entity = self._index[candidate]
            if entity in seen:
                continue
            seen.add(entity)
            shown = self._display[candidate]
            out.append(shown if normalise(shown) == normalise(entity) else f"{shown} ({entity})")
            if len(out) >= limit:
                break
        return out

    def names(self) -> dict[str, str]:
        """Every registered display name with the id it resolves to."""
        return {self._display[k]: v for k, v in self._index.items()}


def gazetteer_for(kind: str, records: Iterable[Named]) -> Gazetteer:
    """Index records by id, English and Chinese name and every alias."""
    gazetteer = Gazetteer(kind)
    for record in records:
        gazetteer.add(record.id, [record.id, record.names.en, record.names.zh, *record.aliases])
    return gazetteer
