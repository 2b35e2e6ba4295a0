"""docs/rules.md cannot fall behind: its reference block is regenerated from the code and compared."""

from __future__ import annotations

from pathlib import Path

from critmin.rules import RuleSet
from critmin.rules.schema_doc import BEGIN, END, render

ROOT = Path(__file__).resolve().parents[2]


def test_rules_reference_is_current(rules: RuleSet) -> None:
    text = (ROOT / "docs" / "rules.md").read_text("utf-8")
    block = BEGIN + text.split(BEGIN, 1)[1].split(END, 1)[0] + END + "\n"
    assert block == render(rules.measures), "run: python tools/gen_rules_docs.py"
    for field in ("value_share", "processed_in", "technology_origin", "us_controlled", "rates"):
        assert f"| `{field}` |" in block


def test_examples_are_documented() -> None:
    readme = (ROOT / "examples" / "boms" / "README.md").read_text("utf-8")
    for path in (ROOT / "examples" / "boms").iterdir():
        if path.suffix in (".yaml", ".json"):
            assert path.name in readme
