"""A simulation as Markdown: the same facts as the HTML report, for notes and pull requests."""

from __future__ import annotations

from critmin.report.summary import headline
from critmin.sim.results import SimulationResult


def _pct(value: float | None) -> str:
    return "never" if value is None else f"{value * 100:.0f}%"


def _day(value: float | None) -> str:
    return "never" if value is None else f"{value:.0f}"


def simulation_markdown(result: SimulationResult, top: int = 10) -> str:
    s = result.scenario
    lines = [
        f"# {s.name}",
        "",
        f"**{headline(result)}**",
        "",
        s.description,
        "",
        f"Start {s.start}, {s.horizon_days} days, {result.runs} runs, seed {result.seed}.",
    ]
    if s.measures:
        lines.append(f"Measures: {', '.join(s.measures)}.")
    lines += [
        "",
        "## Ranked exposures",
        "",
        "| # | material | kind | who | lost days (mean) | first short (p50 day) | peak shortfall (p50) |",
        "|---|---|---|---|---|---|---|",
    ]
    for e in result.exposures[:top]:
        lines.append(
            f"| {e.rank} | {e.material} | {e.kind} | {e.key} | {e.lost_days_mean:.1f} | "
            f"{_day(e.first_shortfall_p50)} | {_pct(e.peak_shortfall_p50)} |"
        )
    lines += [
        "",
        "## Prices",
        "",
        "Index, 1 = before the scenario: outside the restricting country (world) and inside it "
        "(domestic, where held-back exports stay).",
        "",
        "| material | market | peak index p5 | p50 | p95 | trough p50 | end p50 |",
        "|---|---|---|---|---|---|---|",
    ]
    for p in result.prices:
        trough = "" if p.trough is None else p.trough.p50
        lines.append(f"| {p.material} | {p.label} | {p.peak.p5} | {p.peak.p50} | {p.peak.p95} | {trough} | "
                     f"{p.p50[-1]} |")
    if result.sensitivity:
        lines += [
            "",
            "## Sensitivity",
            "",
            "| parameter | low | high | outcome low | outcome high | swing |",
            "|---|---|---|---|---|---|",
        ]
        for r in result.sensitivity:
            lines.append(
                f"| {r.parameter} | {r.low} | {r.high} | {r.outcome_low} | {r.outcome_high} | {r.swing} |"
            )
    if result.flows:
        lines += ["", "## Trade flows", "",
                  "Exporter → destination shipments, index of the baseline (1 = before), medians.",
                  "", "| material | stage | from | to | lowest p50 | end p50 |", "|---|---|---|---|---|---|"]
        lines += [f"| {f.material} | {f.stage} | {f.exporter} | {f.destination} | "
                  f"{f.lowest_p50:.2f} | {f.p50[-1]:.2f} |" for f in result.flows[:top]]
    if s.validation:
        lines += ["", "## What happened", "", s.validation]
    lines += ["", "## Sources", ""] + [f"- [{k}] {v}" for k, v in result.sources.items()]
    return "\n".join(lines) + "\n"
