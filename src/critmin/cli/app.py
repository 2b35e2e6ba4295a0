"""The Typer application, its root options and the rendering helpers every command shares."""

from __future__ import annotations

import io
import json
import sys
from collections.abc import Iterable
from typing import Annotated, Any

import typer
import typer.core
from rich.console import Console, ConsoleOptions, RenderResult
from rich.segment import Segment
from rich.table import Table
from rich.text import Text

from critmin import __version__
from critmin.errors import CritminError
from critmin.kb import KnowledgeBase, as_of_line


def _hide_flag_value_types() -> None:
    """Help shows no value type after on/off flags (`--json`, not `--json <bool>`).

    Typer 0.29 prints the annotation's type after every option, flags included, which reads as
    if `--json` took a value. A flag takes none, so its type is dropped from the help; options
    that take a value keep theirs.
    """
    option_class: Any = getattr(typer.core, "TyperOption", None)
    original = getattr(option_class, "display_type_rich", None)
    if option_class is None or original is None or getattr(original, "_critmin", False):
        return

    def display_type_rich(self: Any, ctx: Any) -> str | None:
        if getattr(self, "is_flag", False) and not getattr(self, "count", False):
            return None
        result: str | None = original(self, ctx)
        return result

    display_type_rich._critmin = True  # type: ignore[attr-defined]
    option_class.display_type_rich = display_type_rich


_hide_flag_value_types()

app = typer.Typer(
    name="critmin",
    help="Critical-minerals supply-chain intelligence: where materials come from, how "
         "concentrated each stage is, and the source of every figure.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
data_app = typer.Typer(help="Validate the knowledge-base data.", no_args_is_help=True)
app.add_typer(data_app, name="data")

JsonFlag = Annotated[bool, typer.Option("--json", help="Print JSON (stable keys) instead of a table.")]

debug_state: dict[str, bool] = {"debug": False}


def make_console() -> Console:
    # markup off: data strings (names, notes, ids) may contain brackets and must print verbatim
    return Console(highlight=False, soft_wrap=False, markup=False)


def json_text(payload: Any) -> str:
    """Strict JSON: no `NaN` or `Infinity`, which JSON does not have and strict parsers refuse.

    Inputs are refused when they hold a non-finite number, so one here is a bug; it is reported
    as an error and nothing is printed rather than a document no parser can read.
    """
    try:
        return json.dumps(payload, ensure_ascii=False, indent=2, allow_nan=False) + "\n"
    except ValueError:
        raise CritminError("the result holds a number that is not finite; nothing was written") from None


def emit_json(payload: Any) -> None:
    sys.stdout.write(json_text(payload))


def pct(share: float | None) -> str:
    return "" if share is None else f"{share * 100:.1f}%"


def qty(value: float | None) -> str:
    if value is None:
        return ""
    return f"{value:,.0f}" if value >= 100 or value == int(value) else f"{value:,.2f}"


_FOLDED = {"sources", "title", "sentence", "document", "name"}

#: The column that narrow terminals replace with footnote markers.
SOURCES_COLUMN = "sources"
#: Longest word a compact table keeps on one line (dates, figures, codes); longer ones fold.
MAX_UNBROKEN_WORD = 12


class SourcedTable(Table):
    """A table that, when it does not fit the terminal, moves its sources below it as footnotes.

    At 80 columns (and in piped output, which Rich renders at 80) a sources column gets a few
    characters and each source id wraps over five lines while names are cut short. When the
    table's natural width is more than the space it has, its sources cells become markers
    ([1], [2]...) listed under the table, and every other column folds instead of truncating.
    """

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        names = [str(column.header) for column in self.columns]
        if SOURCES_COLUMN not in names or self._fits(console, options):
            yield from super().__rich_console__(console, options)
            return
        compact, notes = self._with_footnotes(names.index(SOURCES_COLUMN), options.max_width)
        if not _renders_within(compact, console, options):
            compact, notes = self._with_footnotes(names.index(SOURCES_COLUMN), None)  # fold words
        yield compact
        for marker, sources in notes:
            yield Text(f"  [{marker}] {sources}", overflow="fold")

    def _fits(self, console: Console, options: ConsoleOptions) -> bool:
        wide = options.update(width=10_000, max_width=10_000)
        return super().__rich_measure__(console, wide).maximum <= options.max_width

    def _with_footnotes(self, source_index: int, width: int | None) -> tuple[Table, list[tuple[int, str]]]:
        compact = Table(title=self.title, title_justify=self.title_justify, caption=self.caption)
        cells = [list(column.cells) for column in self.columns]
        headers = [str(c.header) if i != source_index else "src" for i, c in enumerate(self.columns)]
        minimums = (_unbroken_widths(headers, cells, source_index, width - 3 * len(cells) - 1)
                    if width is not None else [None] * len(cells))
        for index, column in enumerate(self.columns):
            compact.add_column(column.header if index != source_index else "src",
                               justify=column.justify, overflow="fold", no_wrap=False,
                               min_width=minimums[index])
        markers: dict[str, int] = {}
        for row in range(self.row_count):
            values: list[Any] = []
            for index, column_cells in enumerate(cells):
                cell = column_cells[row]
                if index == source_index:
                    text = str(cell).strip()
                    cell = f"[{markers.setdefault(text, len(markers) + 1)}]" if text else ""
                values.append(cell)
            compact.add_row(*values)
        return compact, [(marker, text) for text, marker in markers.items()]


def _renders_within(table: Table, console: Console, options: ConsoleOptions) -> bool:
    """Whether Rich lays `table` out within the width, or would crop it (minimum widths it cannot
    meet). Measured by rendering, since Rich's own layout may overrun by a column or two."""
    trial = Console(width=options.max_width, file=io.StringIO(), color_system=None,
                    legacy_windows=False, highlight=False, markup=False)
    segments = trial.render(table, trial.options.update(width=options.max_width))
    return all(Segment.get_line_length(line) <= options.max_width for line in Segment.split_lines(segments))


def _unbroken_widths(headers: list[str], cells: list[list[Any]], source_index: int,
                     budget: int) -> list[int | None]:
    """Per column, the width that keeps its words whole (dates, figures, codes), within `budget`.

    Rich folds a narrow column inside a word (`2025-0` / `4`); a minimum width of the column's
    longest word (up to `MAX_UNBROKEN_WORD`) makes it wrap at spaces instead. Rich never makes a
    column narrower than its header's longest word, so that is each column's floor; when the
    wishes do not fit the terminal together, the widest are lowered towards their floors first.
    """
    floors = [max((len(w) for w in header.split()), default=1) for header in headers]
    wishes = [max(floor, min(max((len(w) for cell in column for w in str(cell).split()), default=1),
                             MAX_UNBROKEN_WORD))
              for floor, column in zip(floors, cells, strict=True)]
    while sum(wishes) > budget:
        above = [(wish - floor, index) for index, (wish, floor) in enumerate(zip(wishes, floors, strict=True))
                 if wish > floor]
        if not above:
            break
        wishes[max(above)[1]] -= 1
    return [None if index == source_index else wish for index, wish in enumerate(wishes)]


def make_table(title: str, *columns: str, right: Iterable[str] = ()) -> Table:
    """A table whose cells wrap rather than truncate: a cut source id is useless."""
    table = SourcedTable(title=title, title_justify="left")
    right_aligned = set(right)
    for column in columns:
        table.add_column(column, overflow="fold" if column in _FOLDED else "ellipsis",
                         justify="right" if column in right_aligned else "left")
    return table


def print_sources(console: Console, kb: KnowledgeBase, ids: Iterable[str],
                  dataset: str | None = None) -> None:
    """The citations of what a table showed, then (with `dataset`) how old the figures are."""
    unique = list(dict.fromkeys(ids))
    if not unique:
        return
    console.print("Sources", style="bold")
    for source_id in unique:
        console.print(f"  [{source_id}] {kb.sources[source_id].citation()}")
    if dataset is not None:
        console.print(as_of_line(kb, dataset, unique), style="dim")


def _version(value: bool) -> None:
    if value:
        typer.echo(f"critmin {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    debug: Annotated[bool, typer.Option("--debug", help="Show tracebacks for errors.")] = False,
    version: Annotated[bool | None, typer.Option(
        "--version", callback=_version, is_eager=True, help="Print the version and exit.")] = None,
) -> None:
    """Critical-minerals supply-chain intelligence."""
    debug_state["debug"] = debug
