"""Rewrite the generated block of docs/rules.md (bundled measures, BOM and measure schemas)."""

from __future__ import annotations

from pathlib import Path

from critmin.rules import load_rules
from critmin.rules.schema_doc import BEGIN, END, render

ROOT = Path(__file__).resolve().parents[1]


def main() -> None:
    path = ROOT / "docs" / "rules.md"
    text = path.read_text("utf-8")
    head, rest = text.split(BEGIN, 1)
    _, tail = rest.split(END, 1)
    path.write_text(head + render(load_rules().measures).rstrip("\n") + tail, "utf-8")


if __name__ == "__main__":
    main()
