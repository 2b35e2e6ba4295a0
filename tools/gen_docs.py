"""Rewrite the generated blocks in docs/ from the code (data and scenario field references)."""

from __future__ import annotations

from pathlib import Path

from critmin.kb import check_data, load_kb
from critmin.kb.freshness import COUNTS_BEGIN, COUNTS_END, file_counts, render_counts
from critmin.kb.schema_doc import BEGIN, END, render
from critmin.sim import schema_doc as scenario_doc

ROOT = Path(__file__).resolve().parents[1]


def replace_block(path: Path, begin: str, end: str, block: str) -> None:
    text = path.read_text("utf-8")
    head, rest = text.split(begin, 1)
    _, tail = rest.split(end, 1)
    path.write_text(head + block.rstrip("\n") + tail, "utf-8")


def main() -> None:
    replace_block(ROOT / "docs" / "data.md", BEGIN, END, render())
    raw, _ = check_data()
    replace_block(ROOT / "docs" / "data.md", COUNTS_BEGIN, COUNTS_END,
                  render_counts(load_kb(), file_counts(raw)))
    replace_block(ROOT / "docs" / "scenarios.md", scenario_doc.BEGIN, scenario_doc.END, scenario_doc.render())


if __name__ == "__main__":
    main()
