"""Reports from analysis results: Plotly figures, a self-contained HTML page, Markdown.

Reports read result models and never compute; the HTML file inlines plotly.js so it opens
offline and can be mailed as one file.
"""

from critmin.report.figures import exposure_bars, price_timeline, sensitivity_bars, shortfall_timeline
from critmin.report.html import simulation_html, write_simulation_html
from critmin.report.markdown import simulation_markdown
from critmin.report.summary import headline

__all__ = [
    "exposure_bars",
    "headline",
    "price_timeline",
    "sensitivity_bars",
    "shortfall_timeline",
    "simulation_html",
    "simulation_markdown",
    "write_simulation_html",
]
