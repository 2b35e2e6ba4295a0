"""The plain-language paragraph that opens a simulation report.

A reader who stops after one paragraph should still know the answer: what the price does on each
side of the border, who runs short first and for how long, which trade flow falls most, and which
lever matters most. Every number comes from the result (medians, with the p5-p95 band where it
matters); country codes become names.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from critmin.sim.results import Exposure, SimulationResult


def _names() -> Callable[[str], str]:
    from critmin.kb import load_kb

    kb = load_kb()

    def name(code: str) -> str:
        if code == "ROW":
            return "the rest of the world"
        country = kb.countries.get(code)
        return country.names.en if country else code

    return name


def _material(code: str) -> str:
    from critmin.kb import load_kb

    found = load_kb().materials.get(code)
    return found.names.en if found else code


def _date(result: SimulationResult, day: float | None) -> str:
    if day is None:
        return ""
    when = dt.date.fromisoformat(result.dates[0]) + dt.timedelta(days=int(day))
    return f"{when.day} {when:%B %Y}"


def _who(e: Exposure, name: Callable[[str], str]) -> str:
    """An exposure in words: users of a material in a place, or a sector's users."""
    if e.kind == "destination":
        return f"Users of {_material(e.material)} in {name(e.key)}"
    return f"The {e.key.replace('_', ' ')} sector's users of {_material(e.material)}"


def headline(result: SimulationResult, name: Callable[[str], str] | None = None) -> str:
    """One paragraph: prices on both sides, the first and worst shortfalls, the biggest fall in
    trade, and the parameter (or mitigation) that moves the outcome most."""
    name = name or _names()
    sentences: list[str] = []
    for p in result.prices:
        if p.market != "world" or p.peak.p50 is None:
            continue
        where = ("Outside " + ", ".join(name(c) for c in p.countries)) if p.countries else "Worldwide"
        peak_i = max(range(len(p.p50)), key=lambda i: p.p50[i])
        text = (f"{where}, the {_material(p.material)} price index peaks at {p.peak.p50:.1f}x its "
                f"level before the scenario (p5-p95 {p.peak.p5:.1f}-{p.peak.p95:.1f}) around "
                f"{_date(result, result.days[peak_i])} and ends at {p.p50[-1]:.1f}x")
        home = result.price(p.material, "domestic")
        if home is not None and home.trough is not None and home.trough.p50 is not None:
            text += (f"; inside {', '.join(name(c) for c in home.countries)} it falls to "
                     f"{home.trough.p50:.2f}x as exports are held back")
        sentences.append(text + ".")
        if len(sentences) >= 2:
            break
    short = [e for e in result.exposures if e.kind in ("destination", "sector")
             and e.first_shortfall_p50 is not None]
    if short:
        first = min(short, key=lambda e: e.first_shortfall_p50 or 0)
        worst = max(short, key=lambda e: e.lost_days_mean)
        sentences.append(
            f"{_who(first, name)} run short first, from day {first.first_shortfall_p50:.0f} "
            f"({_date(result, first.first_shortfall_p50)}), losing about "
            f"{first.lost_days_mean / 7:.0f} weeks of normal use over the horizon (median)"
            + ("." if worst is first else
               f"; the largest loss falls on {_who(worst, name).lower()[0] + _who(worst, name)[1:]}"
               f" ({worst.lost_days_mean / 7:.0f} weeks)."))
    elif not result.exposures:
        sentences.append("Nobody runs short within the horizon: stocks and approvals cover the gap.")
    if result.flows:
        f = result.flows[0]
        sentences.append(
            f"{name(f.exporter)}'s {_material(f.material)} shipments ({f.stage}) to "
            f"{name(f.destination)} fall to {f.lowest_p50:.0%} of normal at worst and end at "
            f"{f.p50[-1]:.0%}.")
    if result.sensitivity:
        top = result.sensitivity[0]
        sentences.append(f"What matters most: {top.parameter}, which moves the headline loss by "
                         f"{top.swing:,.0f} days between its low and high values.")
    if result.mitigation:
        sentences.append("Mitigation counted: " + "; ".join(m.label for m in result.mitigation[:3])
                         + ".")
    return " ".join(sentences)
