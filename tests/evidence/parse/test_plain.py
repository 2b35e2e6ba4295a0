"""Plain text: the fallback that always yields one document with a usable title."""

from __future__ import annotations

from pathlib import Path

import pytest

from critmin.evidence.models import ParsedDocument
from critmin.evidence.parse import DocumentError, parse_text, read_document_file
from critmin.evidence.parse.plain import split_paragraphs

FIXTURES = Path(__file__).parents[2] / "fixtures" / "evidence"


def test_title_body_and_blank_line_paragraphs() -> None:
    text = "## Lithium market notes\n\nSpot prices fell 8% in March.\nContracts held.\n\nStocks rose.\n"
    [document] = parse_text(text, "notes.md")
    assert document.format == "text"
    assert document.title == "Lithium market notes"
    assert document.body == "Spot prices fell 8% in March.\nContracts held.\n\nStocks rose."
    assert [paragraph.text for paragraph in document.paragraphs] == [
        "Spot prices fell 8% in March.\nContracts held.",
        "Stocks rose.",
    ]
    assert document.language == "en"
    assert document.publisher is None and document.published is None


def test_lines_are_paragraphs_when_there_are_no_blank_lines() -> None:
    [document] = read_and_parse("chinese-gb18030.txt")
    assert document.title == "稀土出口管制的影响"
    assert len(document.paragraphs) == 3
    assert document.paragraphs[1].text.startswith("二〇二五年十月")
    assert document.language == "zh"


def test_long_first_line_is_not_a_title() -> None:
    line = "钨价上涨。" * 60
    [document] = parse_text(line, "tungsten-2025.txt")
    assert document.title == "tungsten-2025"
    assert document.body == line
    assert [paragraph.text for paragraph in document.paragraphs] == [line]


def test_windows_line_ends_and_bom() -> None:
    [document] = parse_text("\ufeffTitle\r\n\r\nOne.\r\n\r\nTwo.\r\n", "win.txt")
    assert document.title == "Title"
    assert [paragraph.text for paragraph in document.paragraphs] == ["One.", "Two."]


@pytest.mark.parametrize("text", ["", "  \n\t\n", "\ufeff"])
def test_empty_text(text: str) -> None:
    with pytest.raises(DocumentError) as caught:
        parse_text(text, "blank.txt")
    assert str(caught.value) == "blank.txt: empty file"


def test_split_paragraphs() -> None:
    assert split_paragraphs("") == []
    assert split_paragraphs("a\nb") == ["a", "b"]
    assert split_paragraphs("a\nb\n \nc") == ["a\nb", "c"]


def read_and_parse(name: str) -> list[ParsedDocument]:
    return parse_text(read_document_file(FIXTURES / name), name)
