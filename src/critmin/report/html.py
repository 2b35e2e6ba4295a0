"""A self-contained HTML report: plotly.js inlined (no CDN), tables, notes and sources."""

from __future__ import annotations

from html import escape
from pathlib import Path

import plotly.io as pio
from plotly.offline import get_plotlyjs

from critmin.inputs import check_writable_target, write_atomic
from critmin.report.figures import exposure_bars, price_timeline, sensitivity_bars, shortfall_timeline
from critmin.report.summary import headline
from critmin.sim.results import SimulationResult

_STYLE = """
body{font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;max-width:1100px;margin:2em auto;
padding:0 1em;color:#222;line-height:1.45}
table{border-collapse:collapse;margin:1em 0;font-size:0.92em}
td,th{border:1px solid #ccc;padding:4px 8px;text-align:left}
th{background:#f3f3f3} .num{text-align:right} .muted{color:#666;font-size:0.9em}
h1{margin-bottom:0.2em} h2{margin-top:1.6em;border-bottom:1px solid #ddd}
"""


def _table(header: list[str], rows: list[list[str]]) -> str:
    head = "".join(f"<th>{escape(h)}</th>" for h in header)
    body = "".join("<tr>" + "".join(f"<td>{escape(c)}</td>" for c in row) + "</tr>" for row in rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _fig(fig: object) -> str:
    return str(pio.to_html(fig, include_plotlyjs=False, full_html=False))


def _fmt(value: float | None, pct: bool = False) -> str:
    if value is None:
        return "never"
    return f"{value * 100:.0f}%" if pct else f"{value:.1f}"


def simulation_html(result: SimulationResult) -> str:
    """The report as one HTML string."""
    s = result.scenario
    parts = [
        f"<h1>{escape(s.name)}</h1>",
        f"<p class='muted'>Start {s.start} · {s.horizon_days} days · {result.runs} runs · seed "
        f"{result.seed} · executor {escape(result.executor)}"
        + (f" · measures {escape(', '.join(s.measures))}" if s.measures else "")
        + "</p>",
        f"<p class='headline'><strong>{escape(headline(result))}</strong></p>",
        f"<p>{escape(s.description)}</p>",
        "<h2>Ranked exposures</h2>",
    ]
    parts.append(
        _table(
            [
                "#",
                "material",
                "kind",
                "who",
                "lost days (mean)",
                "lost days p5-p95",
                "first short (p50 day)",
                "peak shortfall (p50)",
            ],
            [
                [
                    str(e.rank),
                    e.material,
                    e.kind,
                    e.key,
                    f"{e.lost_days_mean:.1f}",
                    _band_text(result, e.kind, e.material, e.key),
                    _fmt(e.first_shortfall_p50),
                    _fmt(e.peak_shortfall_p50, pct=True),
                ]
                for e in result.exposures[:25]
            ],
        )
    )
    if result.exposures:
        parts.append(_fig(exposure_bars(result)))
    parts.append("<h2>Shortfall over time</h2>")
    for material in dict.fromkeys(x.material for x in result.series):
        parts.append(_fig(shortfall_timeline(result, material, "destination")))
    parts += [
        "<h2>Prices</h2>",
        _fig(price_timeline(result)),
        _table(
            ["material", "market", "peak p5", "peak p50", "peak p95", "trough p50", "end p50"],
            [[p.material, p.label, _fmt(p.peak.p5), _fmt(p.peak.p50), _fmt(p.peak.p95),
              "" if p.trough is None else _fmt(p.trough.p50), _fmt(p.p50[-1])] for p in result.prices],
        ),
    ]
    if result.flows:
        parts += [
            "<h2>Trade flows</h2>",
            "<p>Exporter → destination shipments as an index of the baseline (1 = before the "
            "scenario), monthly medians; the flows that fell most first.</p>",
            _table(["material", "stage", "from", "to", "baseline", "lowest p50", "end p50",
                    "end p5-p95"],
                   [[f.material, f.stage, f.exporter, f.destination,
                     (f"{f.baseline_volume:,.0f} {escape(f.unit or '')}/y"
                      if f.baseline_volume is not None else f"{f.baseline_share:.1%} of world"),
                     _fmt(f.lowest_p50), _fmt(f.p50[-1]), f"{f.p5[-1]:.2f}-{f.p95[-1]:.2f}"]
                    for f in result.flows[:25]]),
        ]
    if result.sensitivity:
        parts += [
            "<h2>Sensitivity</h2>",
            "<p>Headline outcome: mean lost days summed over destinations; "
            "each row moves one parameter group with the same random numbers.</p>",
            _table(
                ["parameter", "low", "high", "outcome low", "outcome high", "swing"],
                [
                    [
                        r.parameter,
                        str(r.low),
                        str(r.high),
                        str(r.outcome_low),
                        str(r.outcome_high),
                        str(r.swing),
                    ]
                    for r in result.sensitivity
                ],
            ),
            _fig(sensitivity_bars(result)),
        ]
    if result.mitigation:
        parts += [
            "<h2>Mitigation counted</h2>",
            _table(
                ["what", "adds to", "country", "share of world output", "start", "kind", "sources"],
                [
                    [
                        m.label,
                        m.group,
                        m.country,
                        "" if m.share_of_world is None else f"{m.share_of_world:.2%}",
                        m.start,
                        m.kind,
                        ", ".join(m.sources),
                    ]
                    for m in result.mitigation
                ],
            ),
        ]
    if s.validation:
        parts += ["<h2>What happened</h2>", f"<p>{escape(s.validation)}</p>"]
    parts += [
        "<h2>How the network was built</h2>",
        f"<p>{result.network.nodes} nodes, {result.network.slots} input slots, {result.network.edges} flows, "
        f"{result.network.controlled_flows} needing a licence.</p>",
        "<ul>" + "".join(f"<li>{escape(n)}</li>" for n in result.network.notes) + "</ul>",
        "<h2>Parameters in force</h2>",
        _table(
            ["parameter", "value", "unit", "kind", "confidence", "sources"],
            [
                [p.path, f"{p.value:g}", p.unit, p.kind, p.confidence, ", ".join(p.sources)]
                for p in result.parameters
            ],
        ),
        "<h2>Sources</h2>",
        "<ul>"
        + "".join(f"<li>[{escape(k)}] {escape(v)}</li>" for k, v in result.sources.items())
        + "</ul>",
        "<p class='muted'>Shortfall: unmet demand as a fraction of normal demand. Lost days: the sum of "
        "daily shortfalls, in days of normal output. Method: docs/methods.md.</p>",
    ]
    return (
        "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>"
        f"<title>{escape(s.name)} · critmin</title><style>{_STYLE}</style>"
        f"<script type='text/javascript'>{get_plotlyjs()}</script></head><body>"
        + "\n".join(parts)
        + "</body></html>\n"
    )


def _band_text(result: SimulationResult, kind: str, material: str, key: str) -> str:
    for s in result.series:
        if s.kind == kind and s.material == material and s.key == key:
            return f"{_fmt(s.lost_days.p5)}-{_fmt(s.lost_days.p95)}"
    return ""


def write_simulation_html(result: SimulationResult, path: Path) -> Path:
    """Write the report whole or not at all; an unwritable path is a user error naming the file.

    The target is checked before the page is rendered (a missing folder, a folder, a device),
    and written to a temporary file renamed over it, so a full disk leaves no partial report.
    """
    check_writable_target(path)
    write_atomic(path, simulation_html(result))
    return path
