"""Plotly figures the dashboard adds to the simulator's: a world map of shares, a stage Sankey,
shares year by year and prices.

Simulation figures come from `critmin.report.figures` unchanged, so the dashboard and the HTML
report draw the same charts. Figures travel to the browser as JSON in a `data-figure` attribute
(escaped like any attribute) and are drawn by static/critmin.js; no inline script is needed.
"""

from __future__ import annotations

import itertools

import plotly.graph_objects as go
import plotly.io as pio
from plotly.subplots import make_subplots

from critmin.kb import KnowledgeBase, PriceKind, PricePoint, ShareSeries
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
              "hovertemplate": "%{source.label} → %{target.label}: %{value:.1f}% of world output, "
                               "allocated in proportion to both stages' shares (an estimate, "
                               "not a recorded trade flow)<extra></extra>"}))
    fig.update_layout(
        title={"text": "Shares stage by stage (% of world output; links allocated in proportion to "
                       "shares: no bilateral flows are bundled)"},
        height=460, margin={"l": 10, "r": 10, "t": 50, "b": 10}, font={"size": 11})
    return fig


def share_trend(kb: KnowledgeBase, history: list[ShareSeries], top: int = 5) -> go.Figure:
    """One stage's shares year by year: the latest year's top countries, and everyone else.

    Each point's hover names its year's sources; partial years (series known not to cover the
    world) are drawn as open markers and say so on hover. A country absent from a year's series
    leaves a gap: it was not listed that year, so its output sits in "rest".
    """
    latest = history[-1]
    named = [r.country for r in latest.countries()[:top]]
    years = [s.year for s in history]
    symbols = ["circle-open" if s.partial else "circle" for s in history]

    def caveat(s: ShareSeries) -> str:
        return f"<br>partial coverage: {s.partial_note or 'not the whole world'}" if s.partial else ""

    fig = go.Figure()
    for code in named:
        values: list[float | None] = []
        hovers: list[str] = []
        for s in history:
            row = next((r for r in s.rows if r.country == code), None)
            values.append(round(row.share * 100, 2) if row else None)
            hovers.append(f"{kb.country_name(code)} {s.year}: "
                          + (f"{row.share * 100:.1f}%<br>source: {', '.join(row.sources)}"
                             if row else "not listed") + caveat(s))
        fig.add_trace(go.Scatter(x=years, y=values, name=kb.country_name(code), mode="lines+markers",
                                 marker={"symbol": symbols, "size": 8}, text=hovers,
                                 hovertemplate="%{text}<extra></extra>"))
    rest: list[float] = []
    rest_hovers: list[str] = []
    for s in history:
        other = sum(r.share for r in s.rows if r.country not in named)
        rest.append(round(other * 100, 2))
        rest_hovers.append(f"rest {s.year}: {other * 100:.1f}% (all other countries)<br>"
                           f"source: {', '.join(s.sources)}" + caveat(s))
    fig.add_trace(go.Scatter(x=years, y=rest, name="rest", mode="lines+markers",
                             line={"dash": "dot", "color": "#888"},
                             marker={"symbol": symbols, "size": 8, "color": "#888"},
                             text=rest_hovers, hovertemplate="%{text}<extra></extra>"))
    material = kb.materials[latest.material].names.en
    title = f"{material} · {STAGE_LABELS[latest.stage]} · share of world {latest.measure.value} by year"
    if latest.aggregate_for:
        title += f" (aggregate figures shown for {kb.materials[latest.aggregate_for].names.en})"
    if any(s.partial for s in history):
        title += " · open markers: partial coverage"
    fig.update_layout(title={"text": title}, height=380, margin={"l": 50, "r": 10, "t": 50, "b": 40},
                      xaxis={"title": {"text": "year"}, "dtick": 1, "tickformat": "d"},
                      yaxis={"title": {"text": "share of world (%)"}, "rangemode": "tozero"},
                      legend={"title": {"text": f"top {len(named)} in {latest.year}"}},
                      hovermode="closest")
    return fig


def price_x(date: str) -> str:
    """Where a period's price sits on the time axis: annual averages mid-year, months mid-month."""
    if len(date) == 4:
        return f"{date}-07-01"
    if len(date) == 7:
        return f"{date}-15"
    return date


def price_chart(points: list[PricePoint]) -> go.Figure:
    """Price points by product and market: averages as lines with markers, quotes as markers.

    Each unit and currency gets its own panel (prices in $/lb and $/t share no axis); the legend
    names product, market and unit, and each point's hover its period, kind and sources.
    """
    axes = list(dict.fromkeys((p.unit, p.currency.value) for p in points))
    fig = make_subplots(rows=len(axes), cols=1, shared_xaxes=True, vertical_spacing=0.08)
    groups: dict[tuple[str, str, str, str, PriceKind], list[PricePoint]] = {}
    for p in points:
        groups.setdefault((p.product, p.market.value, p.unit, p.currency.value, p.kind), []).append(p)
    for (product, market, unit, currency, kind), members in groups.items():
        members = sorted(members, key=lambda p: p.date)
        dated = kind is PriceKind.POINT
        label = f"{product} · {market.replace('_', ' ')} ({unit}, {currency})"
        if kind is PriceKind.MONTHLY_AVERAGE:
            label += " · monthly"
        elif dated:
            label += " · quotes"
        hovers = [f"{product} · {market.replace('_', ' ')}<br>{p.date} {p.kind.value.replace('_', ' ')}: "
                  f"{p.value:,.6g} {p.unit} ({p.currency.value})<br>source: {', '.join(p.sources)}"
                  + (f"<br>confidence {p.confidence.value}" if p.confidence.value != "high" else "")
                  for p in members]
        fig.add_trace(go.Scatter(
            x=[price_x(p.date) for p in members], y=[p.value for p in members], name=label,
            mode="markers" if dated else "lines+markers",
            marker={"symbol": "diamond" if dated else "circle", "size": 9 if dated else 7},
            line={"dash": "dot"} if kind is PriceKind.MONTHLY_AVERAGE else None,
            text=hovers, hovertemplate="%{text}<extra></extra>"),
            row=axes.index((unit, currency)) + 1, col=1)
    for i, (unit, currency) in enumerate(axes, start=1):
        fig.update_yaxes(title_text=f"{unit} ({currency})", rangemode="tozero", row=i, col=1)
    fig.update_xaxes(type="date")
    fig.update_layout(title={"text": "Prices by product and market (annual averages plotted mid-year; "
                                     "diamonds: dated quotes)"},
                      height=260 + 200 * len(axes), margin={"l": 60, "r": 10, "t": 50, "b": 40},
                      legend={"orientation": "h", "y": -0.15}, hovermode="closest")
    return fig
