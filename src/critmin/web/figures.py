"""Plotly figures the dashboard adds to the simulator's: a world map of shares and a stage Sankey.

Simulation figures come from `critmin.report.figures` unchanged, so the dashboard and the HTML
report draw the same charts. Figures travel to the browser as JSON in a `data-figure` attribute
(escaped like any attribute) and are drawn by static/critmin.js; no inline script is needed.
"""

from __future__ import annotations

import itertools

import plotly.graph_objects as go
import plotly.io as pio

from critmin.kb import KnowledgeBase, ShareSeries
from critmin.kb.models import STAGE_LABELS
from critmin.kb.series import REST_OF_WORLD

#: Where Plotly's geo charts find their base map: served from web/static, never a CDN.
TOPOJSON_URL = "/static/topojson/"


def figure_json(fig: go.Figure) -> str:
    """The figure as JSON for a data attribute (validated and serialised by plotly)."""
    return str(pio.to_json(fig, validate=True, pretty=False))


def share_map(kb: KnowledgeBase, series: ShareSeries) -> go.Figure:
    """Choropleth of one series' country shares, with each country's sources on hover."""
    rows = [r for r in series.rows if r.country != REST_OF_WORLD]
    hover = [f"{kb.country_name(r.country)}: {r.share * 100:.1f}%"
             + (f" ({r.quantity:,.0f} {series.unit})" if r.quantity is not None and series.unit else "")
             + f"<br>source: {', '.join(r.sources)}" for r in rows]
    fig = go.Figure(go.Choropleth(
        locations=[r.country for r in rows], locationmode="ISO-3", z=[round(r.share * 100, 2) for r in rows],
        text=hover, hovertemplate="%{text}<extra></extra>", colorscale="Reds", zmin=0,
        colorbar={"title": {"text": "share %"}}, marker_line_color="#888", marker_line_width=0.4))
    rest = series.rest_of_world()
    title = (f"{kb.materials[series.material].names.en} · {STAGE_LABELS[series.stage]} · "
             f"{series.measure.value} · {series.year}")
    if rest:
        title += f" (rest of world {rest * 100:.1f}%)"
    fig.update_layout(title={"text": title}, height=430, margin={"l": 0, "r": 0, "t": 40, "b": 0},
                      geo={"showframe": False, "showcoastlines": True, "showcountries": True,
                           "projection": {"type": "natural earth", "rotation": {"lon": 0}},
                           "center": {"lon": 0, "lat": 15}, "lonaxis": {"range": [-180, 180]},
                           "lataxis": {"range": [-58, 85]}, "countrycolor": "#ccc", "resolution": 110})
    return fig


def stage_sankey(kb: KnowledgeBase, chain: list[ShareSeries], top: int = 5) -> go.Figure:
    """Stage by stage, country by country: node widths are each stage's sourced shares.

    The knowledge base has shares per stage but no bilateral flows between stages, so links
    spread each country's output over the next stage's countries in proportion to their shares
    (the simulator's default allocation); the title says so.
    """
    labels: list[str] = []
    hovers: list[str] = []
    columns: list[list[tuple[int, float]]] = []
    for series in chain:
        column: list[tuple[int, float]] = []
        named = series.countries()[:top]
        other = 1.0 - sum(r.share for r in named)
        stage = STAGE_LABELS[series.stage]
        material = kb.materials[series.material].names.en
        for row in named:
            column.append((len(labels), row.share))
            labels.append(f"{kb.country_name(row.country)} · {stage}")
            hovers.append(f"{material} {stage} {series.year}: {row.share * 100:.1f}%<br>"
                          f"source: {', '.join(row.sources)}")
        if other > 0.0005:
            column.append((len(labels), other))
            labels.append(f"others · {stage}")
            hovers.append(f"{material} {stage} {series.year}: {other * 100:.1f}% (other countries)<br>"
                          f"source: {', '.join(series.sources)}")
        columns.append(column)
    sources: list[int] = []
    targets: list[int] = []
    values: list[float] = []
    for upstream, downstream in itertools.pairwise(columns):
        for a, share_a in upstream:
            for b, share_b in downstream:
                sources.append(a)
                targets.append(b)
                values.append(round(share_a * share_b * 100, 4))
    fig = go.Figure(go.Sankey(
        arrangement="snap",
        node={"label": labels, "customdata": hovers, "hovertemplate": "%{customdata}<extra></extra>",
              "pad": 12, "thickness": 16},
        link={"source": sources, "target": targets, "value": values,
              "hovertemplate": "%{source.label} → %{target.label}: %{value:.1f}%<extra></extra>"}))
    fig.update_layout(
        title={"text": "Shares stage by stage (% of world output; links allocated in proportion to "
                       "shares: no bilateral flows are bundled)"},
        height=460, margin={"l": 10, "r": 10, "t": 50, "b": 10}, font={"size": 11})
    return fig
