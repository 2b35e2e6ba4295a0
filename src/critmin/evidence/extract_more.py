"""More kinds of numeric claims: changes with their direction, ranges, multiples, fractions,
durations and prices per unit, in Chinese and English.

Readers mark these as often as shares and tonnages ("exports fell 74%", "3-5%", "三倍",
"三分之二", "45个工作日", "$1,200/kg"), and a number without its direction or its other end says
less than the sentence did. Each reading here is a small anchored pattern around the words that
make it what it is; `extract.extract_figures` merges them with the other readings, and the
longest reading of a stretch of text wins, so "fell 74%" is one signed change, not a bare 74%.

Values: change, signed percent (`同比下降74%` -> -74); range, its low end in the range's unit
(`3-5%` -> 3, unit %; the whole range stays in `original`); multiple, the factor (`三倍` -> 3,
doubled -> 2); fraction, as a percent (`三分之二` -> 66.67, `两成` -> 20); duration, the count in
its unit (`45个工作日` -> 45 working days, `18-24 months` -> 18 months); price, the amount per unit
with the currency (`$1,200/kg` -> 1200, unit USD/kg).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import NamedTuple

_CN = {"零": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8,
       "九": 9, "十": 10}
_EN_WORDS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
             "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "eighteen": 18,
             "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "ninety": 90}
_NUM = r"\d+(?:,\d{3})*(?:\.\d+)?"
_CN_NUM = r"[一二两三四五六七八九十]{1,3}"


class Reading(NamedTuple):
    start: int
    end: int
    kind: str
    value: float
    unit: str
    currency: str | None = None


def _number(text: str) -> float | None:
    text = text.strip().replace(",", "")
    if not text:
        return None
    if text.lower() in _EN_WORDS:
        return float(_EN_WORDS[text.lower()])
    if all(c in _CN for c in text):
        if len(text) == 1:
            return float(_CN[text])
        if text[0] == "十":  # 十二
            return 10.0 + (_CN[text[1]] if len(text) > 1 else 0)
        if len(text) == 2 and text[1] == "十":  # 二十
            return float(_CN[text[0]] * 10)
        if len(text) == 3 and text[1] == "十":  # 二十五
            return float(_CN[text[0]] * 10 + _CN[text[2]])
        return None
    try:
        return float(text)
    except ValueError:
        return None


_DOWN = ("fell", "dropped", "declined", "decreased", "plunged", "slumped", "tumbled", "slid",
         "sank", "shrank", "down", "lower", "cut")
_UP = ("rose", "increased", "jumped", "surged", "climbed", "grew", "soared", "gained", "up",
       "higher", "rallied")
_EN_CHANGE = re.compile(
    rf"\b(?P<verb>{'|'.join(_DOWN + _UP)})\s+(?:by\s+|about\s+|nearly\s+|almost\s+|some\s+|more than\s+)?"
    rf"(?P<n>{_NUM})\s*(?:%|percent\b|per cent\b)", re.IGNORECASE)
_ZH_DOWN = ("下降", "下跌", "减少", "降低", "下滑", "回落", "萎缩", "暴跌", "大跌", "缩减", "骤降")
_ZH_UP = ("增长", "上涨", "上升", "增加", "提高", "攀升", "上扬", "大涨", "暴涨", "飙升", "扩大")
_ZH_CHANGE = re.compile(
    rf"(?P<verb>{'|'.join(_ZH_DOWN + _ZH_UP)})(?:了|约|近|超过|逾)?(?P<n>{_NUM})\s*[%％]")

_RANGE_PCT = re.compile(rf"(?<![\d.])(?P<lo>{_NUM})\s*(?:-|–|~|～|至|到|to)\s*(?P<hi>{_NUM})\s*[%％]")
_RANGE_MONEY = re.compile(
    rf"(?:US)?\$\s?(?P<lo>{_NUM})\s*(?:-|–|to)\s*\$?(?P<hi>{_NUM})\s*(?P<scale>billion|million|bn|mn)\b",
    re.IGNORECASE)
_SCALES = {"billion": 1e9, "bn": 1e9, "million": 1e6, "mn": 1e6}

_EN_MULTIPLE = re.compile(rf"(?<![\w.])(?P<n>{_NUM})\s*(?:x|×|-fold|fold|times)(?![\w])", re.IGNORECASE)
_EN_MULTIPLE_WORDS = re.compile(r"\b(?P<w>doubled|tripled|trebled|quadrupled)\b", re.IGNORECASE)
_MULTIPLE_WORDS = {"doubled": 2.0, "tripled": 3.0, "trebled": 3.0, "quadrupled": 4.0}
_ZH_MULTIPLE = re.compile(rf"(?P<n>{_NUM}|{_CN_NUM})倍|(?P<double>翻番|翻倍|翻了一番)")

_ZH_FRACTION = re.compile(rf"(?<!百)(?P<den>{_CN_NUM}|\d+)分之(?P<num>{_CN_NUM}|\d+)")
_ZH_TENTHS = re.compile(r"(?P<n>[一二两三四五六七八九])成(?![员功为立本绩果熟])")
_ZH_HALF = re.compile(r"(?:接近|近|超过|约|逾)?一半")
_EN_FRACTION = re.compile(
    r"\b(?P<f>a third|one third|one-third|two thirds|two-thirds|a quarter|one quarter|"
    r"three quarters|three-quarters|half)\s+of\b", re.IGNORECASE)
_EN_FRACTIONS = {"a third": 100 / 3, "one third": 100 / 3, "one-third": 100 / 3,
                 "two thirds": 200 / 3, "two-thirds": 200 / 3, "a quarter": 25.0,
                 "one quarter": 25.0, "three quarters": 75.0, "three-quarters": 75.0, "half": 50.0}

_EN_DURATION = re.compile(
    rf"\b(?P<n>{_NUM}|{'|'.join(_EN_WORDS)})(?:\s*(?:-|–|to)\s*(?:{_NUM}))?[\s-]+"
    r"(?P<u>working days|business days|days|day|weeks|week|months|month|years|year)\b(?!-old)",
    re.IGNORECASE)
_ZH_DURATION = re.compile(
    rf"(?P<n>{_NUM}|{_CN_NUM})(?:\s*(?:-|–|至|到)\s*(?:{_NUM}|{_CN_NUM}))?\s*"
    r"(?P<u>个工作日|个月|天|周|个星期)")
_EN_UNITS = {"working days": "working days", "business days": "working days", "days": "days",
             "day": "days", "weeks": "weeks", "week": "weeks", "months": "months",
             "month": "months", "years": "years", "year": "years"}
_ZH_UNITS = {"个工作日": "working days", "个月": "months", "天": "days", "周": "weeks",
             "个星期": "weeks"}

_EN_PRICE = re.compile(
    rf"(?P<cur>US\$|\$|€|£|RMB\s?|¥)\s?(?P<n>{_NUM})\s*(?:/|per\s+)"
    r"(?P<u>kg|kilogram|t|tonne|ton|metric ton|lb|pound|mtu)\b",
    re.IGNORECASE)
_EN_CURRENCIES = {"us$": "USD", "$": "USD", "€": "EUR", "£": "GBP", "rmb": "CNY", "¥": "CNY"}
_ZH_PRICE = re.compile(
    rf"(?P<n>{_NUM})\s*(?P<scale>万)?(?P<cur>美元|元|人民币元)\s*/\s*(?P<u>吨|公吨|千克|公斤|克)")
_PRICE_UNITS = {"kg": "kg", "kilogram": "kg", "t": "t", "tonne": "t", "ton": "t",
                "metric ton": "t", "lb": "lb", "pound": "lb", "mtu": "mtu", "吨": "t",
                "公吨": "t", "千克": "kg", "公斤": "kg", "克": "g"}


def _changes(text: str) -> Iterator[Reading]:
    for m in _EN_CHANGE.finditer(text):
        n = _number(m["n"])
        if n is not None:
            sign = -1.0 if m["verb"].lower() in _DOWN else 1.0
            yield Reading(m.start(), m.end(), "change", sign * n, "%")
    for m in _ZH_CHANGE.finditer(text):
        n = _number(m["n"])
        if n is not None:
            sign = -1.0 if m["verb"] in _ZH_DOWN else 1.0
            yield Reading(m.start(), m.end(), "change", sign * n, "%")


def _ranges(text: str) -> Iterator[Reading]:
    for m in _RANGE_PCT.finditer(text):
        lo, hi = _number(m["lo"]), _number(m["hi"])
        if lo is not None and hi is not None and lo < hi <= 100:
            yield Reading(m.start(), m.end(), "range", lo, "%")
    for m in _RANGE_MONEY.finditer(text):
        lo, hi = _number(m["lo"]), _number(m["hi"])
        if lo is not None and hi is not None and lo < hi:
            yield Reading(m.start(), m.end(), "range", lo * _SCALES[m["scale"].lower()], "USD",
                          "USD")


def _multiples(text: str) -> Iterator[Reading]:
    for m in _EN_MULTIPLE.finditer(text):
        n = _number(m["n"])
        if n is not None and 1 < n <= 1000:
            yield Reading(m.start(), m.end(), "multiple", n, "x")
    for m in _EN_MULTIPLE_WORDS.finditer(text):
        yield Reading(m.start(), m.end(), "multiple", _MULTIPLE_WORDS[m["w"].lower()], "x")
    for m in _ZH_MULTIPLE.finditer(text):
        n = 2.0 if m["double"] else _number(m["n"] or "")
        if n is not None and n > 1:
            yield Reading(m.start(), m.end(), "multiple", n, "x")


def _fractions(text: str) -> Iterator[Reading]:
    for m in _ZH_FRACTION.finditer(text):
        den, num = _number(m["den"]), _number(m["num"])
        if den and num is not None and 0 < num < den:
            yield Reading(m.start(), m.end(), "fraction", round(100 * num / den, 2), "%")
    for m in _ZH_TENTHS.finditer(text):
        n = _number(m["n"])
        if n is not None:
            yield Reading(m.start(), m.end(), "fraction", 10 * n, "%")
    for m in _ZH_HALF.finditer(text):
        yield Reading(m.start(), m.end(), "fraction", 50.0, "%")
    for m in _EN_FRACTION.finditer(text):
        value = _EN_FRACTIONS[m["f"].lower()]
        yield Reading(m.start(), m.end() - len(" of"), "fraction", round(value, 2), "%")


def _durations(text: str) -> Iterator[Reading]:
    for m in _EN_DURATION.finditer(text):
        n = _number(m["n"])
        if n is not None and n > 0 and not (m["u"].lower().startswith("year") and n >= 1900):
            yield Reading(m.start(), m.end(), "duration", n, _EN_UNITS[m["u"].lower()])
    for m in _ZH_DURATION.finditer(text):
        n = _number(m["n"])
        if n is not None and n > 0:
            yield Reading(m.start(), m.end(), "duration", n, _ZH_UNITS[m["u"]])


def _prices(text: str) -> Iterator[Reading]:
    for m in _EN_PRICE.finditer(text):
        n = _number(m["n"])
        if n is not None:
            currency = _EN_CURRENCIES[m["cur"].strip().lower()]
            unit = _PRICE_UNITS[m["u"].lower()]
            yield Reading(m.start(), m.end(), "price", n, f"{currency}/{unit}", currency)
    for m in _ZH_PRICE.finditer(text):
        n = _number(m["n"])
        if n is not None:
            currency = "USD" if m["cur"] == "美元" else "CNY"
            value = n * (1e4 if m["scale"] else 1.0)
            yield Reading(m.start(), m.end(), "price", value, f"{currency}/{_PRICE_UNITS[m['u']]}",
                          currency)


def more_readings(text: str) -> list[Reading]:
    """Every change, range, multiple, fraction, duration and price per unit in `text`."""
    out: list[Reading] = []
    for finder in (_changes, _ranges, _multiples, _fractions, _durations, _prices):
        out.extend(finder(text))
    return out
