"""Numeric claims in Chinese and English news text: shares, tonnages, sums, counts, dates, purity.

How it reads. One scan finds every number (Arabic digits, with `,` thousands and a decimal point,
or Chinese numerals such as 九十, 三千万, 二〇二五); the text right around each number then says
what it is: a currency before it (`$`, `US$`, `RM`, `€`, `人民币`), a scale after it (thousand...
trillion, 万, 亿, 千万) and a unit (`%`, `吨`, `kilograms`, `亿美元`, `yuan`, `个`...), or a noun
phrase that makes it a count. Month-first English dates (`October 9, 2025`) get a pass of their
own. Scanning for numbers once and trying small anchored patterns beside each is several times
faster than running every family's pattern over the whole text, which matters at ingest rates of
a thousand documents a second; cheap character checks decide which patterns are worth trying.

When readings overlap, one figure wins per stretch of text: the longest, then by kind (purity,
date, money, mass, percent, count). So `1.119亿美元` is one money figure, and the 2025 inside
`October 9, 2025` is no count.

Units and values (see `Figure`):

- percent: unit `%`, value as written (`92.3%` -> 92.3; `百分之九十` -> 90; `7成` -> 70, Arabic
  digits only, as 八成 also means "probably"). Percentage points (`3 percentage points`,
  `3个百分点`) get unit `pp`: a change of a share is not a share. Words of direction (`下降`,
  `over`, `nearly`) stay in the sentence; the value is the bare number.
- mass: tonnes (`t`) for tons, tonnes, metric tons, `t`, 吨, 公吨, kilotonnes (x1000); kilograms
  stay `kg` (kilograms, `kg`, 千克, 公斤) so a per-unit claim such as 417 kg keeps the unit it
  was made in instead of becoming 0.417 t. `tons` is read as metric: news rarely means short
  tons, and the sentence is kept to check. Pounds and grams are not read.
- money: unit and `currency` are the ISO code, value in units of that currency. `$` alone is
  USD; `¥`/`￥` are read as JPY unless 元 follows (Chinese text writes yuan as 元/人民币, CNY);
  a bare `亿` with no currency (`美国砸50亿`) is not money.
- count: an Arabic integer >= 2 (or with a scale: `1.2 million people`) followed by a noun
  phrase of up to three words, ending at the first plural (`80,000 U.S. weapon systems`), or a
  number with a Chinese measure word (`37个`, `17种`). Years (1900-2100 without a comma),
  reference markers `[13]`, labels (`Group 3`, `Phase 2`), model names (`F-35`), times, and
  numbers glued to units this module does not know (`14nm`, `5G`) are not counts; nor are
  numbers followed by units of other kinds or of time (`30 days`).
- date: value YYYYMMDD as a number, with 00 for what the text leaves out: `June 2023` ->
  20230600, `10月26日` -> 1026 (year unknown). Zeros keep the precision visible and still sort.
  A year alone is not a date.
- purity: unit `nines`, value -log10(1 - purity) rounded to 0.01: `5N`, `99.999%` and `五个9`
  are 5, `4N5`/`99.995%` is 4.3. `5N` is read anywhere; percentages of 99.9 or more and `N个9`
  only in a sentence that speaks of purity (纯度, 高纯, 超纯, purity, pure, grade), else `99.99%`
  stays a percent (even in `99.99% gallium`) and `五个9` (also said of uptime) is dropped.

`多`/`余` after a number (`10多万吨`, `100余家`) are kept in `original`; the value is the lower
bound. Scales are powers of ten, so values are computed by shifting the decimal exponent of the
digits as written (`1.119亿` -> float("1.119e8")), never by multiplying floats.
"""

from __future__ import annotations

import math
import re
from bisect import bisect_right
from collections.abc import Callable
from decimal import Decimal
from typing import NamedTuple

from critmin.evidence.extract_more import more_readings
from critmin.evidence.models import Figure, FigureKind
from critmin.evidence.sentences import split_sentences

__all__ = ["chinese_number", "extract_figures"]

# --- Chinese numerals ---------------------------------------------------------------------------

_CN_DIGITS = {
    "〇": 0, "零": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4,
    "五": 5, "六": 6, "七": 7, "八": 8, "九": 9,
}  # fmt: skip
_CN_SMALL_UNITS = {"十": 10, "百": 100, "千": 1000}
_CN_LARGE_UNITS = {"万": 10**4, "萬": 10**4, "亿": 10**8, "億": 10**8}
_CN_DIGIT_CLASS = "〇零一二两三四五六七八九"


def chinese_number(numeral: str) -> Decimal | None:
    """The value of a Chinese numeral (九十, 一百零五, 三亿五千万, 二〇二五, 三点五), or None.

    Digit strings without unit characters are read digit by digit only when that is surely
    meant (four digits, as in years, or with a zero): 七八 is "seven or eight", not 78.
    """
    whole, _, fraction = numeral.partition("点")
    if any(char not in _CN_DIGITS for char in fraction):
        return None
    integer = _chinese_integer(whole)
    if integer is None:
        return None
    if fraction:
        return Decimal(f"{integer}." + "".join(str(_CN_DIGITS[char]) for char in fraction))
    return Decimal(integer)


def _chinese_integer(whole: str) -> int | None:
    if not whole:
        return None
    if all(char in _CN_DIGITS for char in whole):
        if len(whole) == 1 or len(whole) == 4 or "〇" in whole or "零" in whole:
            return int("".join(str(_CN_DIGITS[char]) for char in whole))
        return None
    total = 0  # everything already multiplied by 亿
    myriads = 0  # the part multiplied by 万 below the current 亿
    section = 0  # below 万
    digit: int | None = None
    previous_digit: int | None = None
    for char in whole:
        if char in _CN_DIGITS:
            if digit is not None and previous_digit != 0:
                return None
            previous_digit = digit = _CN_DIGITS[char]
            continue
        previous_digit = None
        if char in _CN_SMALL_UNITS:
            section += (1 if digit is None else digit) * _CN_SMALL_UNITS[char]
        elif char in _CN_LARGE_UNITS:
            block = section + (digit or 0)
            if _CN_LARGE_UNITS[char] == 10**4:
                myriads = (block or 1) * 10**4
            else:
                total = ((total + myriads + block) or 1) * 10**8
                myriads = 0
            section = 0
        else:
            return None
        digit = None
    return total + myriads + section + (digit or 0)


# --- Numbers and scales -------------------------------------------------------------------------

_MEASURE_WORDS = "个家项座名艘架台套件种款辆枚位条所处批颗份"
_CN_REST = rf"(?:[{_CN_DIGIT_CLASS}十百万亿萬億]|千(?!克))*(?:点[{_CN_DIGIT_CLASS}]+)?"
#: What may follow a Chinese numeral that means something here: a scale, a unit, a currency, a
#: date part or a measure word.
_CN_FOLLOWERS = "多余十百千万亿萬億吨公元美欧日円英港林令韩澳加新瑞卢雷人成年月号%％" + _MEASURE_WORDS

#: A number: Arabic digits (thousands commas only in full groups) or Chinese numerals. The class
#: in front lets the engine skip quickly to candidates; lookbehinds then pick the branch. Digits
#: inside `[13]` markers or after a decimal point are skipped here, in C, as they are most of the
#: digits in a digest. Chinese numerals are taken only after 百分之 or before a character in
#: `_CN_FOLLOWERS`, since 一 is mostly not a number (一些, 统一). `千` before `克` belongs to the
#: unit 千克 (kilogram), not to the numeral.
_NUMBER = re.compile(
    rf"[\d{_CN_DIGIT_CLASS}十]"
    r"(?:(?<=\d)(?<![\[.\d_]\d)(?:\d{0,2}(?:,\d{3})+(?!\d)|\d*)(?:\.\d+)?"
    rf"|(?<=百分之.){_CN_REST}"
    rf"|(?<=[{_CN_DIGIT_CLASS}十]){_CN_REST}(?=[{_CN_FOLLOWERS}]))"
)

#: Scales as powers of ten.
_ZH_EXPONENTS = {"十": 1, "百": 2, "千": 3, "万": 4, "萬": 4, "亿": 8, "億": 8}
_EN_EXPONENTS = {"hundred": 2, "thousand": 3, "million": 6, "billion": 9, "trillion": 12}
_ABBREVIATED_EXPONENTS = {
    "k": 3,
    "K": 3,
    "m": 6,
    "M": 6,
    "mn": 6,
    "b": 9,
    "B": 9,
    "bn": 9,
    "tn": 12,
    "trn": 12,
}

_SP = r"[ \u00a0]"
_SCALE = (
    r"(?P<more>[多余])?"
    rf"(?:(?P<zh>[十百千万亿萬億]{{1,3}})|{_SP}?(?P<en>hundred|thousand|million|billion|trillion)(?![A-Za-z]))?"
    r"(?P<more2>[多余])?"
)
_SCALE_AFTER = re.compile(_SCALE)
_EN_SCALE_OPENERS = tuple(space + word[0] for word in _EN_EXPONENTS for space in " \u00a0")
_ABBREVIATION_AFTER = re.compile(rf"(?:bn|mn|trn|tn|[kKmMbB]|{_SP}(?:bn|mn|trn|tn))(?![A-Za-z])")

# --- Units --------------------------------------------------------------------------------------

#: Currencies as written after a number.
_CURRENCY_WORDS: dict[str, tuple[str, ...]] = {
    "USD": (
        "US dollars",
        "US dollar",
        "U.S. dollars",
        "U.S. dollar",
        "dollars",
        "dollar",
        "USD",
        "美元",
        "美金",
    ),
    "CNY": ("yuan", "renminbi", "RMB", "CNY", "元人民币", "人民币", "元"),
    "EUR": ("euros", "euro", "EUR", "欧元"),
    "JPY": ("yen", "JPY", "日元", "日圆", "円"),
    "GBP": ("pounds sterling", "sterling", "GBP", "英镑"),
    "MYR": ("ringgit", "MYR", "林吉特", "令吉"),
    "HKD": ("Hong Kong dollars", "HKD", "港元", "港币"),
    "AUD": ("Australian dollars", "AUD", "澳元"),
    "CAD": ("Canadian dollars", "CAD", "加元"),
    "SGD": ("Singapore dollars", "SGD", "新加坡元", "新元"),
    "TWD": ("TWD", "新台币"),
    "KRW": ("KRW", "韩元"),
    "INR": ("rupees", "INR", "卢比"),
    "RUB": ("roubles", "rubles", "RUB", "卢布"),
    "BRL": ("reais", "BRL", "雷亚尔"),
    "CHF": ("Swiss francs", "CHF", "瑞士法郎"),
}
_CURRENCY_BY_WORD = {word.lower(): code for code, words in _CURRENCY_WORDS.items() for word in words}
#: Case-sensitive on purpose (a case-insensitive alternation is several times slower to try):
#: each word as listed and with a capital first letter. Longest first, so `元人民币` beats `元`.
_CURRENCY_FORMS = {
    form
    for words in _CURRENCY_WORDS.values()
    for word in words
    for form in (word, word[0].upper() + word[1:])
}
_CURRENCY_ALTERNATION = "|".join(
    re.escape(word) + ("(?!素|件|器)" if word == "元" else "")
    for word in sorted(_CURRENCY_FORMS, key=len, reverse=True)
)

#: Currencies as written before a number, with the code each means.
_CURRENCY_PREFIXES = {
    "US$": "USD", "USD": "USD", "$": "USD", "HK$": "HKD", "HKD": "HKD", "A$": "AUD", "AU$": "AUD",
    "AUD": "AUD", "C$": "CAD", "CA$": "CAD", "CAD": "CAD", "S$": "SGD", "SGD": "SGD", "NT$": "TWD",
    "TWD": "TWD", "R$": "BRL", "BRL": "BRL", "RM": "MYR", "MYR": "MYR", "RMB": "CNY", "CNY": "CNY",
    "人民币": "CNY", "€": "EUR", "EUR": "EUR", "£": "GBP", "GBP": "GBP", "¥": "JPY", "￥": "JPY",
    "JPY": "JPY", "₩": "KRW", "KRW": "KRW", "₹": "INR", "INR": "INR", "CHF": "CHF",
}  # fmt: skip
_LONGEST_PREFIX = max(len(prefix) for prefix in _CURRENCY_PREFIXES)
_PREFIX_ENDINGS = frozenset(prefix[-1] for prefix in _CURRENCY_PREFIXES)

#: Scale and unit right after a number. The unit is required, so that in `417千克` the engine
#: backtracks from the scale `千` to the unit 千克.
_UNIT_AFTER = re.compile(
    _SCALE + rf"{_SP}?(?:"
    r"(?P<pct>%|％|(?:percent|Percent|per cent|pct)(?![A-Za-z]))"
    r"|(?P<pp>percentage points?(?![A-Za-z])|个百分点|百分点)"
    r"|(?P<kt>kilotonnes?|kilotons?|kt)(?![A-Za-z])"
    r"|(?P<kg>kilogrammes?|kilograms?|kgs?|千克|公斤)(?![A-Za-z])"
    r"|(?P<t>metric tonnes?|metric tons?|tonnes?|tons?|t|吨|公吨)(?![A-Za-z\-])"
    rf"|(?P<cur>{_CURRENCY_ALTERNATION})(?![A-Za-z])"
    rf"|(?P<mw>[{_MEASURE_WORDS}])(?!月|小时|百分点|[9９九])"
    r"|(?P<cheng>成)(?!本|员|为|立|功|果|交|分|就|熟|长)"
    r")"
)
#: Characters that can open a scale or a unit, checked before trying `_UNIT_AFTER`: a regex call
#: costs more than the rest of reading most numbers, and most numbers have no unit.
_UNIT_OPENERS = frozenset(
    "多余十百千万亿萬億htmbkpP%％个公吨成" + _MEASURE_WORDS + "".join(word[0] for word in _CURRENCY_FORMS)
)

# --- Dates and purity ---------------------------------------------------------------------------

_MONTHS = {
    "january": 1, "jan": 1, "february": 2, "feb": 2, "march": 3, "mar": 3, "april": 4, "apr": 4,
    "may": 5, "june": 6, "jun": 6, "july": 7, "jul": 7, "august": 8, "aug": 8, "september": 9,
    "sept": 9, "sep": 9, "october": 10, "oct": 10, "november": 11, "nov": 11, "december": 12, "dec": 12,
}  # fmt: skip
_MONTH_ALTERNATION = "|".join(name.capitalize() for name in sorted(_MONTHS, key=len, reverse=True))
_CN_MONTH = r"\d{1,2}|十[一二]?|[一二三四五六七八九]"
_CN_DAY = r"\d{1,2}|[一二三]?十[一二三四五六七八九]?|[一二三四五六七八九]"

#: Dates that start with a number: 2025年10月26日, 10月26日, 2025-10-26, 9 October 2025.
_DATE_AT = re.compile(
    rf"(?P<y>\d{{4}}|[{_CN_DIGIT_CLASS}]{{4}}){_SP}?年{_SP}?(?P<m>{_CN_MONTH}){_SP}?月"
    rf"(?:{_SP}?(?P<d>{_CN_DAY}){_SP}?[日号])?"
    rf"|(?P<m2>{_CN_MONTH}){_SP}?月{_SP}?(?P<d2>{_CN_DAY}){_SP}?[日号]"
    r"|(?P<y3>(?:19|20)\d\d)(?P<sep>[-/.])(?P<m3>\d{1,2})(?P=sep)(?P<d3>\d{1,2})(?!\d)"
    rf"|(?P<d4>\d{{1,2}})(?:st|nd|rd|th)?{_SP}(?P<mon4>{_MONTH_ALTERNATION})(?![a-z])\.?"
    rf"(?:,?{_SP}(?P<y4>\d{{4}})(?!\d))?"
)
#: What may follow the first number of a date: 年, 月, a separator, or the space in `9 October`.
_DATE_FOLLOWERS = frozenset("年月-/. \u00a0")
#: Dates that start with an English month: October 9, 2025; Oct. 9; June 2023.
_DATE_EN = re.compile(
    rf"(?P<mon>{_MONTH_ALTERNATION})(?![a-z])\.?{_SP}"
    rf"(?:(?P<d>\d{{1,2}})(?:st|nd|rd|th)?(?!\d)(?:,?{_SP}(?P<y>\d{{4}})(?!\d))?|(?P<y2>\d{{4}})(?!\d))"
)

_PURITY_NINES = re.compile(r"个[9９九]")
_PURITY_N = re.compile(r"N(?P<f>[1-9])?(?![0-9A-Za-z])")
_PURITY_CONTEXT = re.compile(r"纯度|高纯|超纯|(?i:purity|pure|grade)")

# --- Counts -------------------------------------------------------------------------------------

#: Up to three words after a count: `U.S.` or letters with inner hyphens and apostrophes.
_WORD = r"U\.S\.|[A-Za-z](?:[A-Za-z'’\-]*[A-Za-z])?"
_WORDS = re.compile(rf"{_SP}+(?P<w1>{_WORD})(?:{_SP}+(?P<w2>{_WORD})(?:{_SP}+(?P<w3>{_WORD}))?)?")

#: Words that end a count's noun phrase, and cannot open one.
_FUNCTION_WORDS = frozenset({
    "a", "an", "the", "of", "in", "on", "at", "to", "for", "from", "by", "with", "and", "or", "but",
    "nor", "as", "than", "that", "which", "who", "whom", "whose", "is", "are", "was", "were", "be",
    "been", "being", "has", "have", "had", "will", "would", "can", "could", "may", "might", "must",
    "shall", "should", "its", "their", "his", "her", "our", "your", "this", "these", "those", "per",
    "into", "onto", "over", "under", "between", "during", "since", "until", "till", "about", "after",
    "before", "while", "more", "less", "most", "least", "each", "every", "all", "both", "some", "such",
    "not", "no", "yet", "so", "if", "then", "also", "only", "up", "out", "off", "down", "via", "vs",
    "including", "across", "against", "within", "without", "among", "through", "toward", "towards",
    "when", "where", "what", "how", "it", "they", "we", "he", "she", "you", "i", "plus", "minus",
    "times",
})  # fmt: skip
#: Units of time and of other kinds: a number before one is not a count.
_UNIT_WORDS = frozenset({
    "year", "years", "yr", "yrs", "month", "months", "week", "weeks", "day", "days", "hour", "hours",
    "hr", "hrs", "minute", "minutes", "min", "mins", "second", "seconds", "decade", "decades", "century",
    "centuries", "quarter", "quarters", "am", "pm", "a.m", "p.m", "bc", "ad", "gmt", "utc", "percent",
    "pct", "percentage", "points", "point", "x", "fold", "nm", "mm", "cm", "km", "m", "g", "mg", "kg",
    "kgs", "t", "ton", "tons", "tonne", "tonnes", "kt", "kilogram", "kilograms", "gram", "grams", "lb",
    "lbs", "pound", "pounds", "oz", "w", "kw", "mw", "gw", "tw", "kwh", "mwh", "gwh", "twh", "hz", "khz",
    "mhz", "ghz", "v", "kv", "mah", "wh",
})  # fmt: skip
#: Words that cannot open a count's noun phrase.
_NON_NOUNS = (
    _FUNCTION_WORDS
    | _UNIT_WORDS
    | frozenset(_MONTHS)
    | frozenset(_CURRENCY_BY_WORD)
    | frozenset(_EN_EXPONENTS)
    | frozenset(_ABBREVIATED_EXPONENTS)
)
#: Words before a number that make it a label, not a count.
_LABELS = frozenset({
    "group", "part", "section", "article", "chapter", "phase", "item", "figure", "fig", "table", "tier",
    "round", "stage", "level", "type", "model", "no", "vol", "step", "annex", "appendix", "page",
})  # fmt: skip

#: Characters that, right before an Arabic number, make it part of something else.
_GLUED_BEFORE = frozenset("._'’[")
_NOT_BEFORE_COUNT = frozenset("-–/:#@$€£¥￥₩₹[+~^")

#: Longest sentence quoted with a figure, in characters: a longer "sentence" (text with no
#: sentence break for pages) is quoted as this many characters around the figure.
MAX_SENTENCE_CHARS = 1000

#: Longest number read, in characters (digits, commas, a decimal point, Chinese numerals). The
#: longest real figures (`1,000,000,000,000`, 三亿五千六百七十八万九千零一十二) are under 20; a
#: longer run is a serial number, a hash or junk, and reading it could overflow a float or exceed
#: Python's 4,300-digit limit on int conversion.
MAX_NUMBER_CHARS = 40

_RANK: dict[FigureKind, int] = {"purity": 0, "date": 1, "price": 2, "range": 3, "change": 4,
                                "money": 5, "mass": 6, "multiple": 7, "fraction": 8,
                                "duration": 9, "percent": 10, "count": 11}


class _Candidate(NamedTuple):
    """A reading of part of the text, before overlaps are settled."""

    start: int
    end: int
    kind: FigureKind
    value: float
    unit: str
    currency: str | None = None


_SentenceAt = Callable[[int, int], str]

# --- Entry point --------------------------------------------------------------------------------


def extract_figures(text: str) -> list[Figure]:
    """Every figure in `text`, in order, each with its sentence and offsets into `text`."""
    spans: list[tuple[int, int]] = []
    starts: list[int] = []

    def sentence_at(start: int, end: int) -> str:
        """The sentence(s) holding `text[start:end]`; a figure never cuts a sentence short (one
        longer than MAX_SENTENCE_CHARS is cut to that many characters around the figure).

        Sentences are split on first need: most paragraphs hold no figure at all.
        """
        if not starts:
            spans.extend(split_sentences(text))
            starts.extend(s for s, _ in spans)
        if not spans:
            return text[start:end]
        first = max(bisect_right(starts, start) - 1, 0)
        last = max(bisect_right(starts, max(end - 1, start)) - 1, first)
        low, high = min(spans[first][0], start), max(spans[last][1], end)
        if high - low > MAX_SENTENCE_CHARS:
            # no sentence break for pages on end (a scraped blob, a list glued into one line):
            # quote the stretch around the figure, or every figure would carry the whole text
            room = max(0, MAX_SENTENCE_CHARS - (end - start)) // 2
            low, high = max(low, start - room), min(high, end + room)
        return text[low:high]

    candidates: list[_Candidate] = []
    for match in _NUMBER.finditer(text):
        candidates.extend(_read_number(text, match.start(), match.end(), sentence_at))
    candidates.extend(_english_dates(text))
    candidates.extend(_Candidate(r.start, r.end, r.kind, r.value, r.unit, r.currency)  # type: ignore[arg-type]
                      for r in more_readings(text))
    candidates = [c for c in candidates if math.isfinite(c.value)]  # 九亿亿亿… overflows a float
    return [
        Figure(
            kind=candidate.kind,
            value=candidate.value,
            unit=candidate.unit,
            original=text[candidate.start : candidate.end],
            currency=candidate.currency,
            start=candidate.start,
            end=candidate.end,
            sentence=sentence_at(candidate.start, candidate.end),
        )
        for candidate in _resolve(candidates, len(text))
    ]


def _resolve(candidates: list[_Candidate], length: int) -> list[_Candidate]:
    """One candidate per stretch of text: longest first, then by kind; in text order."""
    taken = bytearray(length)
    kept: list[_Candidate] = []
    for candidate in sorted(candidates, key=lambda c: (c.start - c.end, _RANK[c.kind], c.start)):
        if taken.find(1, candidate.start, candidate.end) != -1:
            continue
        taken[candidate.start : candidate.end] = b"\x01" * (candidate.end - candidate.start)
        kept.append(candidate)
    kept.sort()
    return kept


# --- Reading one number -------------------------------------------------------------------------


def _read_number(text: str, start: int, end: int, sentence_at: _SentenceAt) -> list[_Candidate]:
    """Every reading of the number at `text[start:end]`; overlaps are settled later."""
    if end - start > MAX_NUMBER_CHARS:
        return []
    token = text[start:end]
    before = text[start - 1] if start else ""
    arabic = token[0] not in _CN_DIGITS and token[0] != "十"
    if arabic:
        if before in _GLUED_BEFORE or (before == "," and text[start - 2 : start - 1].isdigit()):
            return []
    elif before and (before in "第数几多余" or before in _CN_DIGITS):
        return []
    found: list[_Candidate] = []
    if text[end : end + 1] in _DATE_FOLLOWERS:
        date = _DATE_AT.match(text, start)
        candidate = None if date is None else _date_candidate(date)
        if candidate is not None:
            found.append(candidate)

    currency = _currency_before(text, start)
    glued = before.isascii() and before.isalpha()
    if glued and currency is None:
        return found
    digits = token.replace(",", "") if arabic else _chinese_digits(token)
    if digits is None:
        return found
    reading = _read_beside(text, start, end, digits, arabic and not glued, currency, sentence_at)
    if reading is not None:
        found.append(reading)
    return found


def _read_beside(
    text: str,
    start: int,
    end: int,
    digits: str,
    bare_arabic: bool,
    currency: tuple[str, int] | None,
    sentence_at: _SentenceAt,
) -> _Candidate | None:
    """The one non-date reading of a number, from what is written right before and after it."""
    if start >= 3 and text.startswith("百分之", start - 3):
        return _Candidate(start - 3, end, "percent", float(digits), "%")
    if bare_arabic and len(digits) == 1 and digits in "23456789" and text.startswith("N", end):
        grade = _PURITY_N.match(text, end)
        if grade is not None:
            tenths = int(grade["f"]) if grade["f"] else 0
            nines = int(digits) + (1 - math.log10(10 - tenths) if tenths else 0)
            return _Candidate(start, grade.end(), "purity", round(nines, 2), "nines")
    if text.startswith("个", end):
        nines_match = _PURITY_NINES.match(text, end)
        if nines_match is not None:
            if 2 <= float(digits) <= 12 and _PURITY_CONTEXT.search(sentence_at(start, end)):
                return _Candidate(start, nines_match.end(), "purity", float(digits), "nines")
            return None

    following = text[end : end + 1]
    if following in (" ", "\u00a0"):
        following = text[end + 1 : end + 2]
    if following in _UNIT_OPENERS:
        unit = _UNIT_AFTER.match(text, end)
        if unit is not None:
            reading = _unit_reading(unit, start, digits, currency, bare_arabic, sentence_at)
            if reading is not None:
                return reading

    if currency is not None:
        return _money_after_prefix(text, end, digits, currency)
    if bare_arabic and text.startswith((" ", "\u00a0"), end):
        return _english_count(text, start, end, digits)
    return None


def _unit_reading(
    unit: re.Match[str],
    start: int,
    digits: str,
    currency: tuple[str, int] | None,
    bare_arabic: bool,
    sentence_at: _SentenceAt,
) -> _Candidate | None:
    """The figure a number with a unit after it makes, if the unit fits the number."""
    exponent, _ = _scale_of(unit)
    value = _shifted(digits, exponent)
    end = unit.end()
    if unit["pct"] is not None or unit["pp"] is not None:
        if exponent:
            return None
        if unit["pp"] is not None:
            return _Candidate(start, end, "percent", value, "pp")
        if 99.9 <= value < 100 and _PURITY_CONTEXT.search(sentence_at(start, end)):
            return _Candidate(start, end, "purity", round(-math.log10((100 - value) / 100), 2), "nines")
        return _Candidate(start, end, "percent", value, "%")
    if unit["t"] is not None:
        return _Candidate(start, end, "mass", value, "t")
    if unit["kt"] is not None:
        return _Candidate(start, end, "mass", _shifted(digits, exponent + 3), "t")
    if unit["kg"] is not None:
        return _Candidate(start, end, "mass", value, "kg")
    if unit["cur"] is not None:
        # The word after wins over a symbol before: `¥100元` is yuan, `¥100` alone is yen.
        code = _CURRENCY_BY_WORD[unit["cur"].lower()]
        return _Candidate(start if currency is None else currency[1], end, "money", value, code, code)
    if unit["mw"] is not None:
        if currency is not None or value < 2 or not value.is_integer():
            return None
        return _Candidate(start, end, "count", value, "count")
    if unit["cheng"] is not None and bare_arabic and not exponent and value <= 10:
        return _Candidate(start, end, "percent", _shifted(digits, 1), "%")
    return None


def _money_after_prefix(text: str, end: int, digits: str, currency: tuple[str, int]) -> _Candidate:
    """`$5`, `$5 billion`, `$5bn`, `RM500 million`: a currency sign, the number, a scale."""
    code, prefix_start = currency
    abbreviated = _ABBREVIATION_AFTER.match(text, end)
    if abbreviated is not None:
        exponent, money_end = _ABBREVIATED_EXPONENTS[abbreviated.group().strip()], abbreviated.end()
    else:
        scaled = _SCALE_AFTER.match(text, end)
        exponent, money_end = _scale_of(scaled) if scaled is not None else (0, end)
    return _Candidate(prefix_start, money_end, "money", _shifted(digits, exponent), code, code)


def _english_count(text: str, start: int, end: int, digits: str) -> _Candidate | None:
    """A count: an integer and the noun phrase after it (`80,000 U.S. weapon systems`)."""
    if start and text[start - 1] in _NOT_BEFORE_COUNT:
        return None
    exponent, position = 0, end
    if text.startswith(_EN_SCALE_OPENERS, end):
        scaled = _SCALE_AFTER.match(text, end)
        if scaled is not None and scaled["en"]:
            exponent, position = _scale_of(scaled)
    value = _shifted(digits, exponent)
    if value < 2 or not value.is_integer():
        return None
    if not exponent and end - start == 4 and 1900 <= value <= 2100:
        return None
    if start >= 2 and text[start - 1] in " \u00a0" and _label_before(text, start) in _LABELS:
        return None
    words = _WORDS.match(text, position)
    if words is None or words["w1"].lower().rstrip(".") in _NON_NOUNS:
        return None
    phrase_end = words.end("w1")
    if not _looks_plural(words["w1"]):
        for group in ("w2", "w3"):
            word = words[group]
            if word is None:
                break
            lowered = word.lower()
            if lowered in _FUNCTION_WORDS or (lowered.endswith(("ing", "ed")) and len(lowered) > 4):
                break
            phrase_end = words.end(group)
            if _looks_plural(word):
                break
    return _Candidate(start, phrase_end, "count", value, "count")


def _label_before(text: str, start: int) -> str:
    """The word just before `start`, across spaces and a full stop, in lower case."""
    end = start
    while end and text[end - 1] in " \u00a0":
        end -= 1
    if end and text[end - 1] == ".":
        end -= 1
    first = end
    while first and end - first < 10 and text[first - 1].isascii() and text[first - 1].isalpha():
        first -= 1
    return text[first:end].lower()


def _looks_plural(word: str) -> bool:
    """A rough English plural test, enough to end a count's noun phrase at its head noun."""
    return len(word) > 2 and word.endswith("s") and not word.endswith(("ss", "us", "is", "'s", "’s"))


# --- Helpers ------------------------------------------------------------------------------------


def _chinese_digits(numeral: str) -> str | None:
    value = chinese_number(numeral)
    return None if value is None else str(value)


def _shifted(digits: str, exponent: int) -> float:
    """`digits` times ten to `exponent`, rounded once (1.119 and 8 give exactly 1.119e8)."""
    return float(f"{digits}e{exponent}")


def _scale_of(match: re.Match[str]) -> tuple[int, int]:
    """The power of ten a scale group stands for, and where the scale (with 多/余) ends."""
    exponent = 0
    end = match.start()
    if match["zh"]:
        exponent = sum(_ZH_EXPONENTS[char] for char in match["zh"])
        end = match.end("zh")
    elif match["en"]:
        exponent = _EN_EXPONENTS[match["en"]]
        end = match.end("en")
    for group in ("more", "more2"):
        if match[group]:
            end = max(end, match.end(group))
    return exponent, end


def _currency_before(text: str, start: int) -> tuple[str, int] | None:
    """The currency written just before the number at `start` (one space allowed), and where."""
    end = start
    if end and text[end - 1] in " \u00a0":
        end -= 1
    if not end or text[end - 1] not in _PREFIX_ENDINGS:
        return None
    for length in range(min(_LONGEST_PREFIX, end), 0, -1):
        code = _CURRENCY_PREFIXES.get(text[end - length : end])
        if code is None:
            continue
        first = text[end - length]
        outside = text[end - length - 1] if end - length else ""
        if first.isascii() and first.isalpha() and outside.isascii() and outside.isalpha():
            return None
        return code, end - length
    return None


# --- Dates --------------------------------------------------------------------------------------


def _english_dates(text: str) -> list[_Candidate]:
    """Month-first English dates: `October 9, 2025`, `Oct. 9`, `June 2023`."""
    found = []
    for match in _DATE_EN.finditer(text):
        start = match.start()
        if start and text[start - 1].isascii() and text[start - 1].isalpha():
            continue
        year = match["y"] or match["y2"]
        day = int(match["d"]) if match["d"] else 0
        value = _date_value(int(year) if year else 0, _MONTHS[match["mon"].lower()], day)
        if value is not None:
            found.append(_Candidate(start, match.end(), "date", value, "date"))
    return found


def _date_candidate(match: re.Match[str]) -> _Candidate | None:
    """The date `_DATE_AT` matched, whichever of its forms."""
    if match["m"] is not None:
        parts = (match["y"], match["m"], match["d"])
    elif match["m2"] is not None:
        parts = (None, match["m2"], match["d2"])
    elif match["m3"] is not None:
        parts = (match["y3"], match["m3"], match["d3"])
    else:
        parts = (match["y4"], str(_MONTHS[match["mon4"].lower()]), match["d4"])
    numbers = [_date_part(part) if part else 0 for part in parts]
    if None in numbers:
        return None
    year, month, day = (number or 0 for number in numbers)
    value = _date_value(year, month, day)
    return None if value is None else _Candidate(match.start(), match.end(), "date", value, "date")


def _date_part(part: str) -> int | None:
    if part[0].isdigit():
        return int(part)
    value = chinese_number(part)
    return None if value is None else int(value)


def _date_value(year: int, month: int, day: int) -> float | None:
    """YYYYMMDD with 0 for unknown parts, or None when the parts cannot be a date."""
    if year and not 1000 <= year <= 2999:
        return None
    if not 1 <= month <= 12 or not 0 <= day <= 31:
        return None
    return float(year * 10000 + month * 100 + day)
