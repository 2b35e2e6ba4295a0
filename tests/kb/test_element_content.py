"""Element content of deposits: loaded, checked and shown per element, with file-and-line errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from critmin.cli import main
from critmin.kb import check_data, load_kb

HEADER = "deposit,country,deposit_type,element,fraction_of_reo,sources,confidence,note\n"


def write(folder: Path, body: str) -> None:
    (folder / "ree_content.csv").write_text(HEADER + body, "utf-8")


def problems_in(folder: Path) -> list[str]:
    _, problems = check_data(folder)
    return [str(p) for p in problems]


def test_rows_load_and_select_by_element(minimal_dir: Path) -> None:
    write(minimal_dir, "Clay A,CHN,ionic_clay,Dy,0.07,src-a,high,\n"
                       "Mine B,USA,bastnaesite,Dy,0.001,src-b,high,\n")
    kb = load_kb(minimal_dir)
    rows = kb.element_content_for(kb.material("Dy"))
    assert [(r.deposit, r.fraction_of_reo) for r in rows] == [("Clay A", 0.07), ("Mine B", 0.001)]
    assert kb.element_content_for(kb.material("REE")) == rows  # an aggregate selects every row


def test_bad_rows_name_file_line_and_field(minimal_dir: Path) -> None:
    write(minimal_dir, "Clay A,CHN,ionic_clay,Dy,1.5,src-a,high,\n"
                       "Mine B,USA,volcano,Dy,0.1,src-b,high,\n"
                       "Mine C,USA,monazite,Xx,0.1,src-zzz,high,\n")
    found = problems_in(minimal_dir)
    assert any(p.startswith("ree_content.csv:2 ") and "fraction_of_reo" in p for p in found)
    assert any(p.startswith("ree_content.csv:3 ") and "deposit_type" in p for p in found)
    assert any(p.startswith("ree_content.csv:4 ") and "unknown element 'Xx'" in p for p in found)
    assert any(p.startswith("ree_content.csv:4 ") and "unknown source id 'src-zzz'" in p
               for p in found)


def test_a_deposit_cannot_hold_more_than_its_total(minimal_dir: Path) -> None:
    write(minimal_dir, "Clay A,CHN,ionic_clay,Dy,0.6,src-a,high,\n"
                       "Clay A,CHN,ionic_clay,REE,0.6,src-a,high,\n"
                       "Clay A,CHN,ionic_clay,Dy,0.1,src-a,high,\n")
    found = problems_in(minimal_dir)
    assert any("add up to 1.200" in p for p in found)
    assert any(p.startswith("ree_content.csv:4 ") and "duplicate element content" in p
               for p in found)


def test_content_command(minimal_dir: Path, monkeypatch: pytest.MonkeyPatch,
                         capsys: pytest.CaptureFixture[str]) -> None:
    write(minimal_dir, "Clay A,CHN,ionic_clay,Dy,0.07,src-a,high,\n")
    monkeypatch.setenv("CRITMIN_DATA_DIR", str(minimal_dir))
    assert main(["content", "Dy", "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert rows[0]["deposit"] == "Clay A" and rows[0]["fraction_of_reo"] == 0.07
    assert main(["content", "Dy"]) == 0
    out = capsys.readouterr().out
    assert "Clay A" in out and "7.0%" in out
    assert main(["content", "no-such-element"]) == 1
    assert "unknown material" in capsys.readouterr().err
