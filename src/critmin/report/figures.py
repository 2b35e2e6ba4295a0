"""Plotly figures for a simulation: shortfall timelines with bands, prices, exposure bars."""

from __future__ import annotations

import plotly.graph_objects as go

from critmin.sim.results import PriceResult, SeriesResult, SimulationResult

_COLOURS = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b", "#e377c2", "#17becf"]


def _rgba(hex_colour: str, alpha: float) -> str:
    r, g, b = (int(hex_colour[i:i + 2], 16) for i in (1, 3, 5))
    return f"rgba({r},{g},{b},{alpha})"


def _band_traces(fig: go.Figure, x: list[str], p5: list[float], p50: list[float], p95: list[float],
                 name: str, colour: str, scale: float = 1.0, dash: str = "solid") -> None:
    fig.add_trace(go.Scatter(x=x, y=[v * scale for v in p95], mode="lines", line={"width": 0},
                             showlegend=False, hoverinfo="skip", legendgroup=name))
    fig.add_trace(go.Scatter(x=x, y=[v * scale for v in p5], mode="lines", line={"width": 0},
                             fill="tonexty", fillcolor=_rgba(colour, 0.18), showlegend=False,
                             hoverinfo="skip", legendgroup=name))
    fig.add_trace(go.Scatter(x=x, y=[v * scale for v in p50], mode="lines", name=name,
                             line={"color": colour, "width": 2, "dash": dash}, legendgroup=name))


def price_label(p: PriceResult) -> str:
    """'Dy outside CHN', 'Dy inside CHN', or 'Ga' for a material no one restricts."""
    return p.material if p.label == "world" else f"{p.material} {p.label}"


def shortfall_timeline(result: SimulationResult, material: str, kind: str = "destination") -> go.Figure:
    """Median shortfall with its 5-95% band, one line per destination (or sector) of a material."""
    fig = go.Figure()
    rows: list[SeriesResult] = [s for s in result.series if s.material == material and s.kind == kind]
    for i, s in enumerate(rows):
        _band_traces(fig, result.dates, s.p5, s.p50, s.p95, s.key, _COLOURS[i % len(_COLOURS)], 100.0)
    fig.update_layout(title=f"{material}: shortfall by {kind} (median, band 5-95%)",
                      yaxis_title="% of normal demand unmet", xaxis_title="date",
                      template="plotly_white", height=380, margin={"l": 60, "r": 20, "t": 50, "b": 40})
    return fig


def price_timeline(result: SimulationResult) -> go.Figure:
    """Price index per material and market, with bands: one colour per material, the market
    inside the restricting country dashed (it falls while the one outside rises)."""
    fig = go.Figure()
    materials = dict.fromkeys(p.material for p in result.prices)
    colour = {m: _COLOURS[i % len(_COLOURS)] for i, m in enumerate(materials)}
    for p in result.prices:
        _band_traces(fig, result.dates, p.p5, p.p50, p.p95, price_label(p), colour[p.material],
                     dash="dash" if p.market == "domestic" else "solid")
    fig.update_layout(title="Price index outside and inside the restricting countries "
                            "(1 = before; band 5-95%)",
                      yaxis_title="index", template="plotly_white", height=380,
                      margin={"l": 60, "r": 20, "t": 50, "b": 40})
    return fig


def exposure_bars(result: SimulationResult, top: int = 15) -> go.Figure:
    """Ranked exposures: mean cumulative lost output in days of normal output."""
    rows = result.exposures[:top][::-1]
    labels = [f"{e.material} · {e.kind} · {e.key}" for e in rows]
    fig = go.Figure(go.Bar(x=[e.lost_days_mean for e in rows], y=labels, orientation="h",
                           marker_color="#d62728"))
    fig.update_layout(title="Ranked exposures: cumulative lost output (mean days of normal output)",
                      xaxis_title="days", template="plotly_white", height=max(300, 28 * len(rows) + 100),
                      margin={"l": 260, "r": 20, "t": 50, "b": 40})
    return fig


def sensitivity_bars(result: SimulationResult) -> go.Figure:
    """Tornado of the sensitivity table."""
    rows = result.sensitivity[::-1]
    fig = go.Figure()
    fig.add_trace(go.Bar(y=[r.parameter for r in rows], x=[r.outcome_low for r in rows], name="low",
                         orientation="h", marker_color="#1f77b4"))
    fig.add_trace(go.Bar(y=[r.parameter for r in rows], x=[r.outcome_high for r in rows], name="high",
                         orientation="h", marker_color="#ff7f0e"))
    fig.update_layout(title="Sensitivity: headline lost days (sum over destinations) at low and high values",
                      barmode="group", template="plotly_white", height=max(300, 45 * len(rows) + 100),
                      margin={"l": 320, "r": 20, "t": 50, "b": 40})
    return fig
