"""Names search reads across languages beyond the knowledge base, and the dictionary that splits
Chinese queries into words.

The knowledge base's gazetteer holds materials, countries and companies. News about them also
names people (特朗普 is Trump), mines (芒廷帕斯 is Mountain Pass), towns and agencies; those live in
people_places.yaml, each entry with a source id from the knowledge base's sources, and are
searched as an OR of their names (no entity token: ingest does not link them, so a store built
before an entry was added still finds it).

Chinese queries come without spaces. `segment` splits a run longest-match first over every
Chinese name the search knows (knowledge base, people_places.yaml, glossary), so 稀土价格 is read
as 稀土 + 价格 and 美国国防部 stays whole; what no dictionary word covers is cut into pairs of
characters (a Chinese word is most often two), which keeps each piece searchable as a phrase of
the index's own bigrams. jieba was measured for indexing (docs/evidence.md) and is not needed
here: the words that matter in this domain are the dictionary's, and the rest is left to bigrams.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from importlib import resources

import yaml

from critmin.evidence.tokens import is_cjk
from critmin.kb import KnowledgeBase
from critmin.kb.gazetteer import normalise

#: Longest dictionary word tried when segmenting (names such as 美国商务部工业与安全局 are long).
MAX_WORD = 12
#: Characters that carry no meaning of their own in a query (的 in 稀土的价格); dropped when left
#: over between dictionary words.
STOP_CHARACTERS = frozenset("的了和与及在是对把被从向将等之也而或其")


@dataclass(frozen=True)
class NamedThing:
    """A person, place, mine, agency or organisation with its names in both languages."""

    kind: str
    en: str
    zh: str
    aliases: tuple[str, ...]
    source: str
    same_as: str | None = None
    """The knowledge-base entity (company or agency id) whose names this entry extends."""

    @property
    def names(self) -> list[str]:
        return [self.en, self.zh, *self.aliases]


@cache
def people_places() -> tuple[NamedThing, ...]:
    """The entries of people_places.yaml, in file order."""
    text = (resources.files("critmin.evidence") / "people_places.yaml").read_text("utf-8")
    return tuple(NamedThing(kind=str(e["kind"]), en=str(e["en"]), zh=str(e["zh"]),
                            aliases=tuple(str(a) for a in e.get("aliases", [])), source=str(e["source"]),
                            same_as=e.get("same_as")) for e in yaml.safe_load(text))


@cache
def _index() -> dict[str, NamedThing]:
    index: dict[str, NamedThing] = {}
    for thing in people_places():
        for name in thing.names:
            index.setdefault(normalise(name), thing)
    return index


def named_thing(phrase: str) -> NamedThing | None:
    """The entry one of whose names the phrase is, if any."""
    key = normalise(phrase)
    return _index().get(key) if key and (not key.isascii() or len(key) >= 2) else None


def extra_names(entity_id: str) -> list[str]:
    """Names people_places.yaml adds to a knowledge-base entity (`Ministry of Commerce` for MOFCOM)."""
    return [name for thing in people_places() if thing.same_as == entity_id for name in thing.names]


_DICTIONARIES: dict[int, frozenset[str]] = {}


def chinese_words(kb: KnowledgeBase, glossary_words: tuple[str, ...]) -> frozenset[str]:
    """Every Chinese name and glossary word search knows, for segmenting queries (built once per
    knowledge base)."""
    words = _DICTIONARIES.get(id(kb))
    if words is None:
        names: list[str] = [*glossary_words]
        for table in (kb.materials, kb.countries, kb.companies):
            for entity in table.values():
                names += [entity.names.zh, *entity.aliases]
        names += [name for thing in people_places() for name in thing.names]
        keys = (normalise(n) for n in names if n)
        words = frozenset(k for k in keys if k and all(is_cjk(c) for c in k))
        _DICTIONARIES[id(kb)] = words
    return words


def segment(run: str, words: frozenset[str]) -> list[tuple[str, bool]]:
    """A run of Chinese characters as (piece, in the dictionary) pairs, longest match first.

    Characters no dictionary word covers are kept together and cut into pairs (a trailing odd
    character joins the last pair), a lone one is kept as it is unless it is a stop character.
    """
    pieces: list[tuple[str, bool]] = []
    unknown = ""
    i = 0
    while i < len(run):
        for width in range(min(MAX_WORD, len(run) - i), 0, -1):
            if run[i:i + width] in words:
                pieces += _unknown_pieces(unknown)
                unknown = ""
                pieces.append((run[i:i + width], True))
                i += width
                break
        else:
            unknown += run[i]
            i += 1
    pieces += _unknown_pieces(unknown)
    return pieces


def _unknown_pieces(text: str) -> list[tuple[str, bool]]:
    if not text:
        return []
    if len(text) == 1:
        return [] if text in STOP_CHARACTERS else [(text, False)]
    if len(text) <= 3:
        return [(text, False)]
    cuts = list(range(0, len(text) - 1, 2))
    pieces = [text[c:c + 2] for c in cuts]
    if len(text) % 2:
        pieces[-1] += text[-1]
    return [(p, False) for p in pieces]
