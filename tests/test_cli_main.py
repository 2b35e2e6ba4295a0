"""The CLI entry point: one `error:` line for every failure, documented exit codes, narrow tables."""

from __future__ import annotations

import pytest
from rich.console import Console

from critmin.cli import main
from critmin.cli.app import make_table
from critmin.errors import EXIT_INTERNAL, EXIT_USAGE


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


@pytest.mark.parametrize("args, expected", [
    (("simulate", "--runs", "abc", "x"), "error: invalid value for '--runs'"),
    (("simulate",), "error: missing argument"),
    (("no-such-command",), "error: no such command 'no-such-command'"),
    (("chokepoints", "--top", "0"), "error: invalid value for '--top'"),
    (("chokepoints", "--no-such-option"), "error: no such option"),
])
def test_usage_errors_are_one_line_with_exit_2(capsys: pytest.CaptureFixture[str],
                                               args: tuple[str, ...], expected: str) -> None:
    code, _, err = run(capsys, *args)
    assert code == EXIT_USAGE
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(expected), err
    assert "--help" in lines[0] and "╭" not in err  # where to look, and no boxed panel


def test_no_arguments_prints_help_and_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys)
    assert code == EXIT_USAGE and "Usage" in out + err


def test_an_unexpected_exception_is_one_line_exit_70(capsys: pytest.CaptureFixture[str],
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    import critmin.cli.kb_commands as kb_commands

    def broken(*_args: object, **_kwargs: object) -> None:
        raise ZeroDivisionError("division by zero")

    monkeypatch.setattr(kb_commands, "chokepoints", broken)
    code, _, err = run(capsys, "chokepoints")
    assert code == EXIT_INTERNAL
    assert err.strip().splitlines() == [
        "error: internal error (ZeroDivisionError): division by zero; this is a bug in critmin "
        "— rerun with --debug to see where"]
    assert "Traceback" not in err


def test_flags_show_no_value_type_in_help(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "simulate", "--help")
    assert code == 0
    json_line = next(line for line in out.splitlines() if "--json" in line)
    runs_line = next(line for line in out.splitlines() if "--runs" in line)
    assert "<bool>" not in json_line and "<int>" in runs_line


def _render(width: int) -> str:
    table = make_table("t", "material", "share", "sources")
    table.add_row("NdFeB magnets", "94.0%", "iea-commentary-2025-10")
    table.add_row("gallium", "98.4%", "usgs-mcs2025-gallium, usgs-mcs2024-gallium")
    table.add_row("rare earths", "91.0%", "iea-commentary-2025-10")
    console = Console(width=width, record=True, file=open("/dev/null", "w"))  # noqa: SIM115
    console.print(table)
    return console.export_text()


def test_wide_terminals_keep_the_sources_column() -> None:
    text = _render(200)
    assert "usgs-mcs2025-gallium, usgs-mcs2024-gallium" in text and "[1]" not in text


def test_narrow_terminals_move_sources_to_footnotes() -> None:
    text = _render(50)
    lines = text.splitlines()
    assert "src" in text
    assert "  [1] iea-commentary-2025-10" in lines
    assert "  [2] usgs-mcs2025-gallium, usgs-mcs2024-gallium" in lines
    assert sum("[1]" in line for line in lines) == 3  # two rows share the marker, plus the note
    assert "NdFeB" in text and "…" not in text  # names fold instead of being cut
    assert max(len(line) for line in lines) <= 50


def _prices_like(width: int) -> list[str]:
    table = make_table("t", "date", "product", "market", "value", "unit", "currency", "kind",
                       "sources", "confidence")
    table.add_row("2025-05-06", "Dy oxide 99.5%", "europe", "850", "$/kg", "USD", "point",
                  "gmteight-2025-05-09-overseas-rare-earths", "low")
    table.add_row("2024", "Dy oxide 99.5%", "world", "260", "$/kg", "USD", "annual average",
                  "usgs-mcs2025-rare-earths", "medium")
    console = Console(width=width, record=True, file=open("/dev/null", "w"))  # noqa: SIM115
    console.print(table)
    return console.export_text().splitlines()


@pytest.mark.parametrize("width", [80, 90, 100])
def test_compact_tables_are_never_cropped(width: int) -> None:
    top = next(line for line in _prices_like(width) if line.startswith("┏"))
    assert top.rstrip().endswith("┓")  # the right edge is there: the whole table is shown


def test_compact_tables_keep_dates_whole_when_there_is_room() -> None:
    text = "\n".join(_prices_like(100))
    assert "2025-05-06" in text and "[1]" in text
