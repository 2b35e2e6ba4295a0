"""The Typer application, its root options and the rendering helpers every command shares."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterable
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from critmin import __version__
from critmin.kb import KnowledgeBase

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


def emit_json(payload: Any) -> None:
    sys.stdout.write(json.dumps(payload, ensure_ascii=False, indent=2) + "\n")


def pct(share: float | None) -> str:
    return "" if share is None else f"{share * 100:.1f}%"


def qty(value: float | None) -> str:
    if value is None:
        return ""
    return f"{value:,.0f}" if value >= 100 or value == int(value) else f"{value:,.2f}"


_FOLDED = {"sources", "title", "sentence", "document", "name"}


def make_table(title: str, *columns: str, right: Iterable[str] = ()) -> Table:
    """A table whose cells wrap rather than truncate: a cut source id is useless."""
    table = Table(title=title, title_justify="left")
    right_aligned = set(right)
    for column in columns:
        table.add_column(column, overflow="fold" if column in _FOLDED else "ellipsis",
                         justify="right" if column in right_aligned else "left")
    return table


def print_sources(console: Console, kb: KnowledgeBase, ids: Iterable[str]) -> None:
    unique = list(dict.fromkeys(ids))
    if not unique:
        return
    console.print("Sources", style="bold")
    for source_id in unique:
        console.print(f"  [{source_id}] {kb.sources[source_id].citation()}")


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
