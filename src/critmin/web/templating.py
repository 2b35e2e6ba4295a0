"""Jinja2 with autoescape on for every template, and the few filters pages share.

Autoescape is set unconditionally (not by file extension), so every user string — a search
query, an uploaded file's name, a scenario's title — is escaped wherever it appears.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined
from markupsafe import Markup, escape

from critmin import __version__
from critmin.web.figures import TOPOJSON_URL


def pct(share: float | None, digits: int = 1) -> str:
    return "" if share is None else f"{share * 100:.{digits}f}%"


def qty(value: float | None) -> str:
    if value is None:
        return ""
    return f"{value:,.0f}" if value >= 100 or value == int(value) else f"{value:,.2f}"


def cite(text: object, ids: list[str], sources: dict[str, str]) -> Markup:
    """A number linked to its first source: citation on hover, the source list on click."""
    if not ids:
        return Markup(escape(text))
    title = " · ".join(f"[{i}] {sources.get(i, i)}" for i in ids)
    return Markup('<a class="cite" href="#src-{}" title="{}">{}</a>').format(ids[0], title, text)


def marks(snippet: str) -> Markup:
    """A search snippet with its «matches» highlighted, everything else escaped."""
    out = escape(snippet)
    return Markup(str(out).replace("«", "<mark>").replace("»", "</mark>"))


def figure(fact: Any) -> str:
    """A stored figure as a reader writes it: dates from their YYYYMMDD value (zeros for what
    the text left out), everything else as a number with its unit."""
    def get(key: str) -> Any:
        return fact.get(key) if isinstance(fact, dict) else getattr(fact, key, None)

    value, unit, kind = get("value"), get("unit") or "", get("kind")
    if kind == "date" and isinstance(value, int | float):
        digits = f"{int(value):08d}"
        year, month, day = digits[:4], digits[4:6], digits[6:]
        parts = [p for p in (year if year != "0000" else "", month if month != "00" else "",
                             day if day != "00" else "") if p]
        return "-".join(parts) or str(value)
    if isinstance(value, int | float):
        return f"{value:,.6g} {unit}".strip()
    return str(value)


def templates_dir() -> Path:
    return Path(str(resources.files("critmin.web") / "templates"))


def environment() -> Environment:
    env = Environment(loader=FileSystemLoader(templates_dir()), autoescape=True,
                      undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True)
    env.filters.update(pct=pct, qty=qty, marks=marks, figure=figure)
    env.globals.update(cite=cite, version=__version__, topojson_url=TOPOJSON_URL)
    return env


def render(env: Environment, name: str, **context: Any) -> str:
    return env.get_template(name).render(**context)
