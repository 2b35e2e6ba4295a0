"""Docs cannot fall behind the code: commands, settings and data fields must be documented."""

from __future__ import annotations

from pathlib import Path

import typer

from critmin.cli import app
from critmin.config import ENVIRONMENT_VARIABLES
from critmin.kb.schema_doc import BEGIN, END, render

ROOT = Path(__file__).resolve().parents[1]


def command_paths() -> list[str]:
    group = typer.main.get_group(app)
    paths = []
    for name, command in group.commands.items():
        sub = getattr(command, "commands", None)
        if sub:
            paths += [f"{name} {child}" for child in sub]
        else:
            paths.append(name)
    return paths


def test_every_command_is_documented() -> None:
    text = (ROOT / "docs" / "cli.md").read_text("utf-8")
    missing = [p for p in command_paths() if f"### `critmin {p}" not in text]
    assert missing == []
    assert len(command_paths()) >= 10


def test_every_setting_is_documented() -> None:
    text = (ROOT / "docs" / "cli.md").read_text("utf-8")
    assert [v for v in ENVIRONMENT_VARIABLES if f"`{v}`" not in text] == []


def test_field_reference_is_current() -> None:
    text = (ROOT / "docs" / "data.md").read_text("utf-8")
    block = BEGIN + text.split(BEGIN, 1)[1].split(END, 1)[0] + END + "\n"
    assert block == render(), "run: python tools/gen_docs.py"


def test_readme_opens_with_the_two_commands() -> None:
    head = "\n".join((ROOT / "README.md").read_text("utf-8").splitlines()[:12])
    assert "pip install . && critmin demo" in head
    assert "pip install -e '.[test]' && pytest" in head


def test_data_counts_are_current() -> None:
    from critmin.kb import check_data, load_kb
    from critmin.kb.freshness import COUNTS_BEGIN, COUNTS_END, file_counts, render_counts

    text = (ROOT / "docs" / "data.md").read_text("utf-8")
    block = COUNTS_BEGIN + text.split(COUNTS_BEGIN, 1)[1].split(COUNTS_END, 1)[0] + COUNTS_END + "\n"
    raw, _ = check_data()
    assert block == render_counts(load_kb(), file_counts(raw)), "run: python tools/gen_docs.py"
