"""Counterparty screening: dated party lists, fuzzy name matching across scripts, the 50% rule.

Compliance officers screen the parties to a shipment before anything else. The lists (MOFCOM's
Unreliable Entity List and export control control list, the U.S. Entity List...) are dated,
sourced data like the measures: one YAML file a list in `data/parties/`, each notice with its
number, date and sources, each entity with its names in English and Chinese. A user can add
today's U.S. Consolidated Screening List file (CSV or JSON) with `read_csl`.

Names are compared after normalisation (`normalise`): NFKC, casefold, punctuation dropped,
legal suffixes (Co., Ltd., Inc., LLC, GmbH, 有限公司, 集团...) removed, and Chinese characters
written in toneless pinyin, so 中国航空工业集团 and "Zhongguo Hangkong Gongye" are the same key.
A trigram index over the keys picks a few candidates per query (the names holding the query's
rarest trigrams), and only those are scored with rapidfuzz: the names without spaces must be
close, and each name's distinctive part (without words common in company names, such as
'technology' or 'trading') must appear in the other, so shared common words cannot make a match.
Screening never compares every pair; it costs tens of microseconds a name against ten thousand
entries.

Pure: lists, date and ownership come in as arguments; nothing is printed.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
import unicodedata
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from operator import itemgetter
from pathlib import Path
from typing import Annotated, Any

from pydantic import Field, StringConstraints, ValidationError, model_validator
from pypinyin import lazy_pinyin
from rapidfuzz import fuzz, process

from critmin.errors import DataError, ProblemsError
from critmin.inputs import InputError, display_path, load_yaml, read_text
from critmin.kb import KnowledgeBase
from critmin.rules.models import (
    CONFIDENCE_RANK,
    OUTCOME_RANK,
    Confidence,
    Confidenced,
    CountryCode,
    MatchKind,
    MeasureResult,
    Outcome,
    Owner,
    Party,
    PartyMatch,
    Record,
    clip,
    weakest,
)

#: A name scoring at least this (0-100) against a listed name is a hit.
HIT_SCORE = 90.0
#: A name scoring at least this, but under HIT_SCORE, is a possible match for a person to review.
REVIEW_SCORE = 75.0
#: Largest party-list file read (the full Consolidated Screening List CSV is about 10 MiB).
MAX_LIST_BYTES = 64 * 1024 * 1024

ListId = Annotated[str, StringConstraints(strip_whitespace=True, pattern=r"^[A-Z0-9][A-Z0-9-]{1,40}$")]
EntityName = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=500)]


# ---------------------------------------------------------------------------------------------
# the list model


class ListSuspension(Record):
    """A period in which a notice's measures (or a rule) are not applied."""

    start: dt.date = Field(alias="from")
    """First day of the suspension."""
    until: dt.date | None = None
    """Last day (inclusive); absent when the source gives no end."""
    by: str
    """The act or statement that suspends it."""
    after: str | None = None
    """What is known after `until` (e.g. nothing was found on an extension): said on later dates."""
    sources: list[str] = Field(min_length=1)
    """Source ids backing the suspension."""

    @model_validator(mode="after")
    def _ordered(self) -> ListSuspension:
        if self.until is not None and self.until < self.start:
            raise ValueError(f"suspension ends ({self.until}) before it starts ({self.start})")
        return self


class PartyEntity(Record):
    """One listed entity: its names in every script the sources give, country, listing dates."""

    names_en: list[EntityName] = Field(default_factory=list)
    """Names in Latin script, the first being the one shown."""
    names_zh: list[EntityName] = Field(default_factory=list)
    """Names in Chinese characters (simplified or traditional, as the source prints them)."""
    aliases: list[EntityName] = Field(default_factory=list)
    """Other names: short forms, former names, abbreviations."""
    country: CountryCode | None = None
    """Country of the entity (ISO-3)."""
    listed: dt.date | None = None
    """First day listed; default: the notice's date."""
    removed: dt.date | None = None
    """First day no longer listed, if removed."""
    outcome: Outcome | None = None
    """Outcome of a hit when it differs from the list's (e.g. an entry with a presumption of denial)."""
    confidence: Confidence = Confidence.HIGH
    """high, medium or low; medium and low need notes saying why."""
    notes: str | None = None
    """How the entry was read, or any caveat a reader needs."""

    @model_validator(mode="after")
    def _named(self) -> PartyEntity:
        if not (self.names_en or self.names_zh):
            raise ValueError("an entity needs names_en or names_zh")
        if self.confidence is not Confidence.HIGH and not (self.notes and self.notes.strip()):
            raise ValueError(f"confidence {self.confidence.value} needs notes giving the reason")
        if self.listed and self.removed and self.removed <= self.listed:
            raise ValueError(f"removed ({self.removed}) is not after listed ({self.listed})")
        return self

    @property
    def names(self) -> list[str]:
        return [*self.names_en, *self.names_zh, *self.aliases]

    @property
    def shown(self) -> str:
        return (self.names_en or self.names_zh)[0]


class Notice(Confidenced):
    """One announcement or rule that put entities on a list."""

    number: str | None = None
    """The notice's number, e.g. MOFCOM Announcement No. 51 of 2025 or 85 FR 83416; absent when not found."""
    date: dt.date | None = None
    """Date of the notice (the day its listings take effect unless an entity says otherwise)."""
    url: str | None = None
    """Where the notice, or the report read, can be found."""
    sources: list[str] = Field(default_factory=list)
    """Source ids backing the notice (bundled lists must give at least one)."""
    suspensions: list[ListSuspension] = Field(default_factory=list)
    """Periods in which the notice's measures are suspended."""
    entities: list[PartyEntity] = Field(min_length=1)
    """The entities it lists (only those the sources name)."""

    @property
    def label(self) -> str:
        if self.number:
            return self.number
        return f"announcement of {self.date}" if self.date else "undated notice"


class AffiliatesRule(Record):
    """Entities owned >= threshold by listed parties are treated as listed (the 50% rule)."""

    covers: list[ListId] = Field(min_length=1)
    """Lists whose parties count toward the aggregate (their restrictions then apply)."""
    threshold: float = Field(gt=0, le=1)
    """Aggregate ownership at or above which an entity is treated as listed (0.5 = 50%)."""
    effective: dt.date
    """First day in force."""
    text: str
    """What the rule says, in a few words."""
    suspensions: list[ListSuspension] = Field(default_factory=list)
    """Periods in which the rule is suspended."""
    sources: list[str] = Field(min_length=1)
    """Source ids backing the rule."""


class PartyList(Record):
    """A restricted-party list as dated data: who keeps it, what a hit means, every notice."""

    id: ListId
    """Unique id, e.g. CN-MOFCOM-UEL."""
    title: str
    """The list's name in English."""
    title_zh: str | None = None
    """The list's name in Chinese."""
    authority: str
    """Who keeps it."""
    jurisdiction: CountryCode
    """ISO-3 code of the country that keeps it."""
    outcome: Outcome
    """Outcome of a hit in force (presumption-of-denial for a prohibition, licence-required...)."""
    effect: str
    """What being listed means, in a few words (said in the trace)."""
    sources: list[str] = Field(default_factory=list)
    """Source ids on the list as a whole."""
    affiliates: AffiliatesRule | None = None
    """The 50% rule, when the list's keeper has one."""
    notices: list[Notice] = Field(min_length=1)
    """The notices that listed its entities."""


# ---------------------------------------------------------------------------------------------
# normalisation

#: Chinese company-form endings, longest first (removed repeatedly from the end of a name).
ZH_SUFFIXES = ("股份有限公司", "有限责任公司", "有限責任公司", "有限公司", "集团", "集團", "股份", "公司")
#: Latin legal-form words, dropped wherever they stand (a name of only such words keeps them).
LEGAL_WORDS = frozenset({
    "co", "company", "corp", "corporation", "inc", "incorporated", "llc", "ltd", "limited", "gmbh",
    "plc", "sa", "ag", "bv", "nv", "pte", "pty", "srl", "spa", "lp", "llp", "kk", "oy", "ab", "the",
})
#: Words too common in company names to identify one: a match needs more than these in common.
GENERIC_WORDS = frozenset({
    "and", "of", "group", "holding", "holdings", "international", "global", "technology", "technologies",
    "tech", "trading", "industries", "industry", "industrial", "systems", "system", "services", "materials",
    "electronics", "electronic", "research", "institute", "china", "america", "american", "usa", "us",
    "optics", "optical", "photonics", "precision", "metals", "metal", "energy", "logistics", "aerospace",
    "defense", "defence", "semiconductor", "semiconductors", "engineering", "manufacturing", "solutions",
    "enterprises", "enterprise", "trade", "import", "export", "development", "investment", "science",
    "sciences", "new", "material", "products", "equipment", "machinery", "resources", "mining",
})
_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
_INITIAL_DOT = re.compile(r"(?<=\b\w)\.(?=\w\b)")
_NON_WORD = re.compile(r"[\W_]+")


@lru_cache(maxsize=65_536)
def normalise(name: str) -> str:
    """A name as matching sees it: words of lower-case Latin letters and digits, one space apart.

    NFKC folds full-width forms; casefold folds case; '&' reads 'and'; dots inside initials
    join them (S.A. -> sa); Chinese company endings are cut from the end and Chinese characters
    become toneless pinyin syllables; legal-form words are dropped.
    """
    ascii_only = name.isascii()
    text = (name if ascii_only else unicodedata.normalize("NFKC", name)).casefold().replace("&", " and ")
    text = _INITIAL_DOT.sub("", text).strip()
    stripped = not ascii_only
    while stripped:
        stripped = False
        core = text.rstrip(" .,·()（）")
        for suffix in ZH_SUFFIXES:
            if core.endswith(suffix) and len(core) > len(suffix):
                text, stripped = core[: -len(suffix)], True
                break
    if not ascii_only and _CJK.search(text):
        text = " ".join(lazy_pinyin(text))
    words = [w for w in _NON_WORD.split(text) if w]
    kept = [w for w in words if w not in LEGAL_WORDS]
    return " ".join(kept or words)


def compact(key: str) -> str:
    """A normalised name without spaces: 'zhong guo hang kong' and 'zhongguo hangkong' agree."""
    return key.replace(" ", "")


def _grams(text: str) -> set[str]:
    if len(text) < 3:
        return {text} if text else set()
    return {text[i : i + 3] for i in range(len(text) - 2)}


# ---------------------------------------------------------------------------------------------
# the index


@dataclass(frozen=True, slots=True)
class Listing:
    """One entity as listed by one notice of one list."""

    party_list: PartyList
    notice: Notice
    entity: PartyEntity

    @property
    def listed(self) -> dt.date | None:
        return self.entity.listed or self.notice.date


@dataclass(frozen=True, slots=True)
class _Status:
    kind: MatchKind | None
    label: str
    note: str | None
    confidence: Confidence
    sources: tuple[str, ...]


def _suspension_status(suspensions: Sequence[ListSuspension], day: dt.date) -> tuple[ListSuspension | None,
                                                                                  ListSuspension | None]:
    """The suspension covering `day`, and an ended one whose aftermath is uncertain."""
    lapsed = None
    for suspension in suspensions:
        if suspension.start <= day and (suspension.until is None or day <= suspension.until):
            return suspension, None
        if suspension.until is not None and day > suspension.until and suspension.after:
            lapsed = suspension
    return None, lapsed


def listing_status(listing: Listing, day: dt.date) -> _Status | None:
    """The listing on `day`: None when not listed that day (before listing or after removal)."""
    listed, removed = listing.listed, listing.entity.removed
    if listed is not None and day < listed:
        return None
    if removed is not None and day >= removed:
        return None
    current, lapsed = _suspension_status(listing.notice.suspensions, day)
    if current is not None:
        until = f"until {current.until}" if current.until else "with no end date reported"
        return _Status(MatchKind.SUSPENDED, "suspended", f"measures suspended from {current.start} {until} "
                       f"by {current.by}", Confidence.HIGH, tuple(current.sources))
    if lapsed is not None:
        return _Status(MatchKind.HIT, "in force (unconfirmed)", lapsed.after, Confidence.LOW,
                       tuple(lapsed.sources))
    return _Status(MatchKind.HIT, "in force", None, Confidence.HIGH, ())


class Screener:
    """Party lists indexed once by trigram; screens names on a date, with the 50% rule.

    The index maps each trigram of a name's compact key to the names containing it. A query
    looks up its trigrams, keeps the rarest few (common trigrams such as 'ion' would pull in
    half the list), and scores only the names they point to with rapidfuzz, keeping those at
    or above REVIEW_SCORE.
    """

    #: Rare trigrams of a query used to gather candidates.
    RARE_GRAMS = 5
    #: Most candidates scored per query.
    MAX_CANDIDATES = 64
    #: A word in more than this share of the listed names (and more than COMMON_FLOOR of them)
    #: is common, like the GENERIC_WORDS: it cannot make two names the same entity on its own.
    COMMON_SHARE = 0.005
    COMMON_FLOOR = 20

    def __init__(self, lists: Sequence[PartyList], *, hit_score: float = HIT_SCORE,
                 review_score: float = REVIEW_SCORE) -> None:
        self.lists = tuple(lists)
        self.by_id = {party_list.id: party_list for party_list in self.lists}
        self.hit_score = hit_score
        self.review_score = review_score
        self.rules: dict[str, AffiliatesRule] = {}
        for party_list in self.lists:
            if party_list.affiliates is not None:
                for covered in party_list.affiliates.covers:
                    self.rules.setdefault(covered, party_list.affiliates)
        self.listings: list[Listing] = []
        self._names: list[str] = []
        self._keys: list[str] = []
        self._compacts: list[str] = []
        self._owner: list[int] = []
        self._from_cjk: list[bool] = []
        seen: set[tuple[int, str]] = set()
        for party_list in self.lists:
            for notice in party_list.notices:
                for entity in notice.entities:
                    number = len(self.listings)
                    self.listings.append(Listing(party_list, notice, entity))
                    for name in entity.names:
                        key = normalise(name)
                        if not key or (number, key) in seen:
                            continue
                        seen.add((number, key))
                        self._names.append(name)
                        self._from_cjk.append(bool(_CJK.search(name)))
                        self._keys.append(key)
                        self._compacts.append(compact(key))
                        self._owner.append(number)
        frequency: dict[str, int] = {}
        for key, from_cjk in zip(self._keys, self._from_cjk, strict=True):
            if from_cjk:  # pinyin syllables are not words: '中国航空' is one name, not four
                continue
            for word in set(key.split()):
                frequency[word] = frequency.get(word, 0) + 1
        floor = max(self.COMMON_FLOOR, self.COMMON_SHARE * len(self._keys))
        self.common = frozenset(GENERIC_WORDS | {w for w, n in frequency.items() if n > floor})
        self._distinct = [compact(key) if from_cjk else self._distinctive(key)
                          for key, from_cjk in zip(self._keys, self._from_cjk, strict=True)]
        postings: dict[str, list[int]] = {}
        for index, text in enumerate(self._compacts):
            for gram in _grams(text):
                postings.setdefault(gram, []).append(index)
        self._postings = {gram: tuple(ids) for gram, ids in postings.items()}
        self._cache: dict[tuple[str, dt.date, str | None], tuple[PartyMatch, ...]] = {}

    def _distinctive(self, key: str) -> str:
        """The compact key without common words (the whole compact key if only common words)."""
        kept = [w for w in key.split() if w not in self.common]
        return "".join(kept) if kept else key.replace(" ", "")

    @property
    def size(self) -> int:
        """Listed entities (an entity listed by two notices counts twice)."""
        return len(self.listings)

    def _candidates(self, text: str) -> list[int]:
        """Names sharing the query's rarest trigrams, rarest first, about MAX_CANDIDATES at most."""
        lists = sorted((self._postings[g] for g in _grams(text) if g in self._postings), key=len)
        found: set[int] = set()
        for ids in lists[: self.RARE_GRAMS]:
            if found and len(found) + len(ids) > 2 * self.MAX_CANDIDATES:
                break
            found.update(ids)
            if len(found) >= self.MAX_CANDIDATES:
                break
        return list(found)

    def scores(self, name: str) -> list[tuple[int, float, str]]:
        """(listing number, score, matched name) for every listing scoring >= the review score."""
        key = normalise(name)
        if not key:
            return []
        text = compact(key)
        candidates = self._candidates(text)
        if not candidates:
            return []
        distinct = self._distinctive(key)
        # first pass, in C: the names without spaces must be close
        firsts = (itemgetter(*candidates)(self._compacts) if len(candidates) > 1
                  else [self._compacts[candidates[0]]])
        passed = [candidates[position] for _, _, position in process.extract(
            text, firsts, scorer=fuzz.ratio, limit=None, score_cutoff=self.review_score)]
        # then a listed name's distinctive part (its words without common ones such as
        # 'technology' or 'trading') must appear, nearly, in the query and the query's in it, so
        # shared common words cannot carry a match; names from Chinese characters are compared
        # whole (pinyin syllables are not words to weigh)
        best: dict[int, tuple[float, str]] = {}
        for index in passed:
            score = max(fuzz.ratio(text, self._compacts[index]),
                        fuzz.token_sort_ratio(key, self._keys[index]))
            if not self._from_cjk[index]:
                score = min(score, fuzz.partial_ratio(text, self._distinct[index]),
                            fuzz.partial_ratio(distinct, self._compacts[index]))
            if score < self.review_score:
                continue
            owner = self._owner[index]
            if owner not in best or score > best[owner][0]:
                best[owner] = (score, self._names[index])
        return [(owner, score, matched) for owner, (score, matched) in best.items()]

    def screen(self, name: str, on: dt.date, *, country: str | None = None,
               role: str | None = None) -> list[PartyMatch]:
        """Every listing `name` matches on `on`, best first: hits, reviews, suspended listings.

        A hit on an entity of another country than `country` is only a possible match (review).
        Listings not yet made or already removed on `on` are left out.
        """
        cache_key = (name, on, country)
        cached = self._cache.get(cache_key)
        if cached is None:
            cached = tuple(self._screen(name, on, country))
            if len(self._cache) > 100_000:
                self._cache.clear()
            self._cache[cache_key] = cached
        if role is None:
            return list(cached)
        return [m.model_copy(update={"role": role}) for m in cached]

    def _screen(self, name: str, on: dt.date, country: str | None) -> list[PartyMatch]:
        out: list[PartyMatch] = []
        for number, score, matched in self.scores(name):
            listing = self.listings[number]
            status = listing_status(listing, on)
            if status is None or status.kind is None:
                continue
            notes: list[str] = []
            kind = status.kind
            entity = listing.entity
            if kind is MatchKind.SUSPENDED and score < self.hit_score:
                continue
            if kind is MatchKind.HIT and score < self.hit_score:
                kind = MatchKind.REVIEW
                notes.append(f"score {score:.0f} is below the hit threshold {self.hit_score:.0f}")
            if country and entity.country and entity.country != country:
                if kind is MatchKind.HIT:
                    kind = MatchKind.REVIEW
                notes.append(f"the listed entity is in {entity.country}, the party in {country}")
            out.append(self._match(name, listing, status, kind, score, matched, notes))
        out.sort(key=lambda m: (-m.score, m.list_id, m.entity))
        return out

    def _match(self, name: str, listing: Listing, status: _Status, kind: MatchKind, score: float,
               matched: str, notes: list[str], via: str | None = None) -> PartyMatch:
        party_list, notice, entity = listing.party_list, listing.notice, listing.entity
        if status.note:
            notes.append(status.note)
        if notice.confidence is not Confidence.HIGH and notice.note:
            notes.append(f"notice: {notice.note}")
        if entity.notes:
            notes.append(entity.notes)
        if kind is MatchKind.HIT:
            outcome = entity.outcome or party_list.outcome
        elif kind is MatchKind.REVIEW:
            outcome = Outcome.CANNOT_DETERMINE
        else:
            outcome = Outcome.NOT_CONTROLLED
        return PartyMatch.trusted(
            query=name, role=None, kind=kind, score=round(score, 1), matched=matched, entity=entity.shown,
            country=entity.country, list_id=party_list.id, list_title=party_list.title, notice=notice.label,
            date=notice.date, listed=listing.listed, removed=entity.removed, status=status.label,
            outcome=outcome, via=via, note="; ".join(notes) or None,
            confidence=weakest(notice.confidence, entity.confidence, status.confidence),
            sources=list(dict.fromkeys([*party_list.sources, *notice.sources, *status.sources])))

    def owned(self, name: str, owners: Sequence[Owner], on: dt.date, *,
              role: str | None = None) -> list[PartyMatch]:
        """The 50% rule: `name` treated as listed when listed owners hold >= the threshold together.

        Each owner is screened; owners that are hits on a list an affiliates rule covers add
        their share to that rule's aggregate (one owner counts once per rule, on its first
        covered list). At or above the threshold on a day the rule is in force, the party is a
        hit on the most restrictive of those lists; on a day it is suspended, a suspended match
        says so. Owners that are only possible matches are named in a review.
        """
        per_rule: dict[int, tuple[AffiliatesRule, list[tuple[Owner, PartyMatch]]]] = {}
        reviews: list[tuple[Owner, PartyMatch]] = []
        for owner in owners:
            counted: set[int] = set()
            for match in self.screen(owner.name, on):
                rule = self.rules.get(match.list_id)
                if rule is None:
                    continue
                if match.kind is MatchKind.REVIEW:
                    reviews.append((owner, match))
                elif match.kind is MatchKind.HIT and id(rule) not in counted:
                    counted.add(id(rule))
                    per_rule.setdefault(id(rule), (rule, []))[1].append((owner, match))
        out: list[PartyMatch] = []
        for rule, held in per_rule.values():
            if on < rule.effective:
                continue
            total = sum(owner.share for owner, _ in held)
            if total + 1e-9 < rule.threshold:
                continue
            shown = ", ".join(f"{owner.name} {owner.share:.0%} ({match.list_id}: {match.entity})"
                              for owner, match in held)
            via = (f"owned {total:.0%} in aggregate by listed parties: {shown} "
                   f"(threshold {rule.threshold:.0%})")
            strictest = max(held, key=lambda pair: (pair[1].outcome == Outcome.PRESUMPTION_OF_DENIAL,
                                                    -CONFIDENCE_RANK[pair[1].confidence]))[1]
            listing = next(item for item in self.listings if item.party_list.id == strictest.list_id
                           and item.entity.shown == strictest.entity)
            current, lapsed = _suspension_status(rule.suspensions, on)
            if current is not None:
                until = f"until {current.until}" if current.until else "with no end date reported"
                status = _Status(MatchKind.SUSPENDED, "suspended", f"the 50% rule is suspended from "
                                 f"{current.start} {until} by {current.by}", Confidence.HIGH,
                                 tuple([*rule.sources, *current.sources]))
            elif lapsed is not None:
                status = _Status(MatchKind.HIT, "in force (unconfirmed)", lapsed.after, Confidence.LOW,
                                 tuple([*rule.sources, *lapsed.sources]))
            else:
                status = _Status(MatchKind.HIT, "in force", None, Confidence.HIGH, tuple(rule.sources))
            score = min(match.score for _, match in held)
            match = self._match(name, listing, status, status.kind or MatchKind.HIT, score,
                                strictest.matched, [rule.text], via=via)
            out.append(match.model_copy(update={"role": role}) if role else match)
        for owner, match in reviews:
            out.append(match.model_copy(update={
                "query": name, "role": role,
                "via": f"owner {owner.name} ({owner.share:.0%}) may be {match.entity}"}))
        return out

    def screen_party(self, name: str, on: dt.date, *, country: str | None = None,
                     owners: Sequence[Owner] = (), role: str | None = None) -> list[PartyMatch]:
        """A party's own matches and those its owners bring under the 50% rule."""
        found = self.screen(name, on, country=country, role=role)
        if owners:
            found += self.owned(name, owners, on, role=role)
        return found


# ---------------------------------------------------------------------------------------------
# reading lists: bundled YAML, user YAML, the U.S. Consolidated Screening List


def bundled_parties_dir() -> Path:
    """The party lists shipped inside the wheel."""
    return Path(str(resources.files("critmin.rules") / "data" / "parties"))


def _loc(loc: tuple[int | str, ...]) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "record"


def parse_party_list(data: Any, name: str) -> PartyList:
    """A party list from parsed YAML/JSON, or a ProblemsError naming `name` and each field."""
    if not isinstance(data, Mapping) or "notices" not in data:
        raise ProblemsError(name, ["not a party list (expected a mapping with id, title, outcome and "
                                   "notices)"])
    try:
        return PartyList.model_validate(data)
    except ValidationError as exc:
        raise ProblemsError(name, [f"field '{_loc(tuple(e['loc']))}': "
                                   f"{' '.join(str(e['msg']).removeprefix('Value error, ').split())}"
                                   for e in exc.errors()]) from None


def _references(name: str, party_list: PartyList, kb: KnowledgeBase) -> list[str]:
    """Source ids and country codes of a bundled list that the knowledge base does not know."""
    problems: list[str] = []
    cited: list[tuple[str, list[str]]] = [("sources", party_list.sources)]
    if party_list.affiliates is not None:
        cited.append(("affiliates.sources", party_list.affiliates.sources))
        cited += [(f"affiliates.suspensions[{i}].sources", s.sources)
                  for i, s in enumerate(party_list.affiliates.suspensions)]
    codes = [("jurisdiction", party_list.jurisdiction)]
    for n, notice in enumerate(party_list.notices):
        if not notice.sources:
            problems.append(f"{name}: notices[{n}].sources: a bundled notice needs at least one source")
        cited.append((f"notices[{n}].sources", notice.sources))
        cited += [(f"notices[{n}].suspensions[{i}].sources", s.sources)
                  for i, s in enumerate(notice.suspensions)]
        codes += [(f"notices[{n}].entities[{e}].country", entity.country)
                  for e, entity in enumerate(notice.entities) if entity.country]
    for field, ids in cited:
        problems += [f"{name}: {field}: unknown source id {sid!r}" for sid in ids if sid not in kb.sources]
    problems += [f"{name}: {field}: unknown country {code!r}" for field, code in codes
                 if code not in kb.countries]
    return problems


def check_party_lists(directory: Path, kb: KnowledgeBase) -> tuple[list[PartyList], list[str]]:
    """Every party list in `directory` and every problem found, without raising."""
    lists: list[PartyList] = []
    problems: list[str] = []
    seen: dict[str, str] = {}
    for path in sorted(p for p in directory.glob("*.yaml") if p.is_file()):
        try:
            party_list = parse_party_list(load_yaml(path.read_text("utf-8"), path.name), path.name)
        except ProblemsError as exc:
            problems += [f"{path.name}: {p}" for p in exc.problems]
            continue
        except InputError as exc:
            problems.append(exc.message)
            continue
        problems += _references(path.name, party_list, kb)
        if party_list.id in seen:
            problems.append(f"{path.name}: id: duplicate list id {party_list.id!r} "
                            f"(also in {seen[party_list.id]})")
        seen[party_list.id] = path.name
        lists.append(party_list)
    if not lists and not problems:
        problems.append(f"{directory}: no party lists (*.yaml)")
    return lists, problems


def load_party_lists(kb: KnowledgeBase, directory: Path | None = None) -> tuple[PartyList, ...]:
    """Validated party lists from `directory` (default: the bundled ones), checked against the KB."""
    lists, problems = check_party_lists(directory or bundled_parties_dir(), kb)
    if problems:
        raise DataError(problems)
    return tuple(lists)


#: The Consolidated Screening List's columns critmin reads (the file has more; they are ignored).
CSL_COLUMNS = ("source", "name", "alt_names", "addresses", "federal_register_notice", "start_date",
               "end_date", "license_policy", "programs", "entity_number", "type")
_CSL_SOURCES = {"EL": "US-BIS-EL", "MEU": "US-BIS-MEU", "DPL": "US-BIS-DPL", "UVL": "US-BIS-UVL",
                "SDN": "US-OFAC-SDN", "SSI": "US-OFAC-SSI", "FSE": "US-OFAC-FSE", "CMIC": "US-OFAC-CMIC",
                "MBS": "US-OFAC-MBS", "PLC": "US-OFAC-PLC", "CAP": "US-OFAC-CAP", "DTC": "US-STATE-DTC",
                "ISN": "US-STATE-ISN"}
#: Outcome of a hit by CSL list: prohibitions and blocking are denials, the rest need a licence.
_CSL_OUTCOMES = {"US-BIS-DPL": Outcome.PRESUMPTION_OF_DENIAL, "US-OFAC-SDN": Outcome.PRESUMPTION_OF_DENIAL,
                 "US-STATE-DTC": Outcome.PRESUMPTION_OF_DENIAL}


def _csl_list_id(source: str) -> str:
    found = re.search(r"\(([A-Z-]{2,8})\)", source)
    code = found.group(1).replace("-", "") if found else ""
    if code in _CSL_SOURCES:
        return _CSL_SOURCES[code]
    slug = re.sub(r"[^A-Z0-9]+", "-", source.upper()).strip("-")[:30] or "UNKNOWN"
    return f"US-CSL-{slug}"


def _split(value: Any) -> list[str]:
    if value is None:
        return []
    if isinstance(value, list):
        return [str(v).strip() for v in value if v is not None and str(v).strip()]
    return [part.strip() for part in str(value).split(";") if part.strip()]


def _csl_date(value: Any, where: str, field: str) -> dt.date | None:
    if value in (None, ""):
        return None
    text = str(value).strip()[:10]
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise ValueError(f"{where}: field '{field}': {clip(value, 40)!r} is not a date "
                         "(YYYY-MM-DD)") from None


def _csl_country(addresses: Any, resolve: Callable[[str], str | None]) -> str | None:
    for address in addresses if isinstance(addresses, list) else _split(addresses):
        code = address.get("country") if isinstance(address, Mapping) else str(address).rsplit(",", 1)[-1]
        if code and str(code).strip():
            found = resolve(str(code).strip())
            if found:
                return found
    return None


def _csl_lists(rows: Iterable[tuple[str, Mapping[str, Any]]], file: str,
               resolve: Callable[[str], str | None]) -> list[PartyList]:
    grouped: dict[str, dict[tuple[str, dt.date | None], list[PartyEntity]]] = {}
    titles: dict[str, str] = {}
    for where, row in rows:
        name = row.get("name")
        if not isinstance(name, str) or not name.strip():
            raise ValueError(f"{where}: field 'name': empty (every entry needs a name)")
        source = row.get("source")
        if not isinstance(source, str) or not source.strip():
            raise ValueError(f"{where}: field 'source': empty (the list the entry is on)")
        listed = _csl_date(row.get("start_date"), where, "start_date")
        end = _csl_date(row.get("end_date"), where, "end_date")
        policy = str(row.get("license_policy") or "")
        notes = "; ".join(p for p in (
            f"programs: {', '.join(_split(row.get('programs')))}" if row.get("programs") else "",
            f"licence policy: {clip(policy, 200)}" if policy else "") if p) or None
        try:
            entity = PartyEntity.model_validate({
                "names_en": [name.strip()], "aliases": _split(row.get("alt_names")),
                "country": _csl_country(row.get("addresses"), resolve), "listed": listed,
                "removed": end + dt.timedelta(days=1) if end else None, "notes": notes,
                "outcome": (Outcome.PRESUMPTION_OF_DENIAL if "presumption of denial" in policy.casefold()
                            else None)})
        except ValidationError as exc:
            first = exc.errors()[0]
            raise ValueError(f"{where}: field '{_loc(tuple(first['loc']))}': "
                             f"{str(first['msg']).removeprefix('Value error, ')}") from None
        list_id = _csl_list_id(source)
        titles.setdefault(list_id, source.strip())
        notice = str(row.get("federal_register_notice") or "").strip()
        grouped.setdefault(list_id, {}).setdefault((notice, listed), []).append(entity)
    if not grouped:
        raise ValueError("no entries")
    lists = []
    for list_id, notices in grouped.items():
        lists.append(PartyList.model_validate({
            "id": list_id, "title": titles[list_id],
            "authority": "U.S. Government (Consolidated Screening List)",
            "jurisdiction": "USA", "outcome": _CSL_OUTCOMES.get(list_id, Outcome.LICENCE_REQUIRED),
            "effect": f"Listed on the {titles[list_id]} (from the Consolidated Screening List file {file}).",
            "notices": [{"number": number or f"{file} entry", "date": date, "url": file, "entities": entities}
                        for (number, date), entities in notices.items()]}))
    return lists


def read_csl(path: Path, resolve: Callable[[str], str | None]) -> list[PartyList]:
    """The U.S. Consolidated Screening List file (CSV or JSON) as party lists, one a source list.

    CSV: the official header (`_id,source,entity_number,type,programs,name,...`), multi-valued
    cells separated by ';'. JSON: a list of entries, or `{"results": [...]}` as the API gives.
    `start_date` is the first day listed and `end_date` the last; an entry with a malformed date
    or no name refuses the whole file with its line (CSV) or index (JSON) and field, so nothing
    is half-loaded. `resolve` turns the addresses' country codes into ISO-3 codes.
    """
    text = read_text(path, MAX_LIST_BYTES)
    file = display_path(path)
    try:
        if path.suffix.lower() == ".json" or text.lstrip().startswith(("{", "[")):
            try:
                data = json.loads(text)
            except json.JSONDecodeError as exc:
                raise InputError(path, f"line {exc.lineno}: invalid JSON: {exc.msg}") from None
            records = data.get("results") if isinstance(data, dict) else data
            if not isinstance(records, list):
                raise InputError(path, "not a Consolidated Screening List file (expected a list of entries "
                                       "or {\"results\": [...]})")
            rows: list[tuple[str, Mapping[str, Any]]] = []
            for index, record in enumerate(records):
                if not isinstance(record, Mapping):
                    raise InputError(path, f"results[{index}]: expected a mapping of field: value")
                rows.append((f"results[{index}]", record))
            return _csl_lists(rows, file, resolve)
        reader = csv.DictReader(io.StringIO(text, newline=""))
        header = [h.strip().lower() for h in reader.fieldnames or []]
        if "name" not in header or "source" not in header:
            raise InputError(path, "not a Consolidated Screening List file (expected a header with 'source' "
                                   "and 'name' columns, as in the official CSV)")
        reader.fieldnames = header

        def csv_rows() -> Iterable[tuple[str, Mapping[str, Any]]]:
            for row in reader:
                if any((v or "").strip() for k, v in row.items() if k is not None):
                    yield f"line {reader.line_num}", row

        return _csl_lists(csv_rows(), file, resolve)
    except csv.Error as exc:
        raise InputError(path, f"not a valid CSV: {exc}") from None
    except ValueError as exc:
        raise InputError(path, str(exc)) from None


def read_party_file(path: Path, resolve: Callable[[str], str | None]) -> list[PartyList]:
    """A user's list file: a CSL CSV/JSON, or a party list in critmin's YAML schema."""
    if path.suffix.lower() in (".yaml", ".yml"):
        data = load_yaml(read_text(path, MAX_LIST_BYTES), path)
        try:
            party_list = parse_party_list(data, display_path(path))
        except ProblemsError as exc:  # one line: the first problem, and how many more
            more = f" (and {len(exc.problems) - 1} more)" if len(exc.problems) > 1 else ""
            raise InputError(path, exc.problems[0] + more) from None
        for n, notice in enumerate(party_list.notices):
            for e, entity in enumerate(notice.entities):
                if entity.country and resolve(entity.country) is None:
                    raise InputError(path, f"field 'notices[{n}].entities[{e}].country': unknown country "
                                           f"{entity.country!r}")
        return [party_list]
    return read_csl(path, resolve)


# ---------------------------------------------------------------------------------------------
# the check's view: matches of a shipment's parties as measure results


@lru_cache(maxsize=1)
def bundled_screener() -> Screener:
    """The bundled party lists, validated against the knowledge base and indexed once."""
    from critmin.kb import load_kb

    return Screener(load_party_lists(load_kb()))


def _party_label(party: Party) -> str:
    return f"{party.role.value} {clip(party.name)!r}"


def screen_parties(parties: Sequence[Party], on: dt.date, screener: Screener) -> list[PartyMatch]:
    """Every match of the parties (and, under the 50% rule, of their owners) on `on`."""
    found: list[PartyMatch] = []
    for party in parties:
        found += screener.screen_party(party.name, on, country=party.country, owners=party.owners,
                                       role=party.role.value)
    return found


def screening_results(parties: Sequence[Party], matches: Sequence[PartyMatch], on: dt.date,
                      screener: Screener) -> list[MeasureResult]:
    """One result per party list with a match (hits, reviews, suspended listings), or one that
    says the parties were screened and nothing came within the review threshold.

    A hit sets the list's outcome (or the entry's); a possible match is cannot-determine until a
    person confirms the party is not the listed entity; a suspended listing is reported and
    not applied.
    """
    if not parties:
        return []
    names = ", ".join(_party_label(p) for p in parties[:5]) + (f" and {len(parties) - 5} more"
                                                            if len(parties) > 5 else "")
    header = (f"Screened {len(parties)} part{'y' if len(parties) == 1 else 'ies'} ({names}) against "
              f"{len(screener.lists)} party lists ({', '.join(lst.id for lst in screener.lists)}) on {on}; "
              f"hit at score >= {screener.hit_score:.0f}, possible match at >= {screener.review_score:.0f}.")
    by_list: dict[str, list[PartyMatch]] = {}
    for match in matches:
        by_list.setdefault(match.list_id, []).append(match)
    if not by_list:
        return [MeasureResult.trusted(
            measure="PARTY-SCREENING", title="Counterparty screening", document="party lists",
            jurisdiction="", applies=False, outcome=Outcome.NOT_CONTROLLED, ratio=None, threshold=None,
            comparison=None, contributing=[], missing=[],
            trace=[header, "No party matches a listed entity: no list applies.", "Outcome: not-controlled."],
            sources=[], confidence=Confidence.HIGH)]
    results = []
    for list_id, found in by_list.items():
        party_list = screener.by_id[list_id]
        trace = [header]
        missing: list[str] = []
        outcomes: list[Outcome] = []
        confidences: list[Confidence] = []
        sources: list[str] = list(party_list.sources)
        for match in sorted(found, key=lambda m: (m.kind.value, -m.score)):
            who = f"{match.role or 'party'} {clip(match.query)!r}"
            dated = match.date and not match.notice.startswith("announcement of")
            listed = f"listed by {match.notice}" + (f" of {match.date}" if dated else "")
            head = (f"{who} {match.via}; " if match.via else f"{who} matches {match.entity!r} "
                    f"(as {clip(match.matched)!r}, score {match.score:.0f}), ")
            if match.kind is MatchKind.HIT:
                trace.append(f"{head}{listed} (listed {match.listed or 'undated'}), {match.status} on {on}: "
                             f"{match.outcome.value}.")
                outcomes.append(match.outcome)
                confidences.append(match.confidence)
            elif match.kind is MatchKind.REVIEW:
                trace.append(f"review: possible match: {head}{listed}; not confirmed "
                             f"({match.note or 'below the hit threshold'}).")
                missing.append(f"confirmation that {who} is not {match.entity!r} "
                               f"({party_list.id}, {match.notice})")
                outcomes.append(Outcome.CANNOT_DETERMINE)
                confidences.append(match.confidence)
            else:
                why = match.note or "its measures are suspended"
                trace.append(f"{head}{listed}, but {why}: not applied.")
            if match.note and match.kind is MatchKind.HIT:
                trace.append(f"Caveat ({match.confidence.value}): {match.note}")
            sources += match.sources
        applies = bool(outcomes)
        outcome = max(outcomes, key=OUTCOME_RANK.__getitem__) if outcomes else Outcome.NOT_CONTROLLED
        if applies:
            trace.append(f"{party_list.title}: {party_list.effect}")
        trace.append(f"Outcome: {outcome.value}.")
        results.append(MeasureResult.trusted(
            measure=party_list.id, title=party_list.title,
            document=", ".join(dict.fromkeys(m.notice for m in found)), jurisdiction=party_list.jurisdiction,
            applies=applies, outcome=outcome, ratio=None, threshold=None, comparison=None, contributing=[],
            missing=missing, trace=trace, sources=list(dict.fromkeys(sources)),
            confidence=weakest(*confidences)))
    return results
