"""HTML pages: the article text and byline come out, the page furniture stays behind."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest

from critmin.evidence.models import ParsedDocument
from critmin.evidence.parse import DocumentError, parse_text, read_document_file
from critmin.evidence.parse.html import looks_like_html

FIXTURES = Path(__file__).parents[2] / "fixtures" / "evidence"


@pytest.fixture(scope="module")
def article() -> ParsedDocument:
    [document] = parse_text(read_document_file(FIXTURES / "article.html"), "article.html")
    return document


def test_metadata(article: ParsedDocument) -> None:
    assert article.format == "html"
    assert article.title == "Gallium export licences tighten as magnet makers scramble"
    assert article.publisher == "Minerals Wire"
    assert article.published == datetime(2025, 10, 14, 8, 30)
    assert article.source_url == "https://example.org/news/gallium-licences"
    assert article.metadata["author"] == "Lena Ortiz"
    assert article.language == "en"


def test_article_paragraphs_without_page_furniture(article: ParsedDocument) -> None:
    texts = [paragraph.text for paragraph in article.paragraphs]
    assert len(texts) == 3
    assert texts[0].startswith("China supplied about 98% of the world's primary gallium in 2024")
    assert texts[1].startswith("Three Japanese magnet producers")
    assert texts[2].endswith("produced outside China.")
    assert article.body == "\n".join(texts)
    for furniture in ("About us", "Copyright", "Markets"):
        assert furniture not in article.body
    # The <h1> repeats the title; it is not a paragraph of its own.
    assert article.title not in texts


def test_page_without_article_text() -> None:
    with pytest.raises(DocumentError) as caught:
        parse_text("<!DOCTYPE html><html><head><title>Empty</title></head><body></body></html>", "empty.html")
    assert str(caught.value) == "empty.html: no article text found in HTML"


def test_fragment_with_html_extension() -> None:
    [document] = parse_text("<p>镓出口许可证审批时间延长至45个工作日。</p>", "clip.htm")
    assert document.format == "html"
    assert document.title == "clip"
    assert document.body == "镓出口许可证审批时间延长至45个工作日。"
    assert document.language == "zh"


def test_saved_page_with_prologue_is_detected_by_content() -> None:
    page = (
        '<?xml version="1.0" encoding="utf-8"?>\n<!-- saved from url=(0030)https://example.org/ -->\n'
        "<!DOCTYPE html><html><body><article><p>Cobalt prices rose 4% in London on Tuesday as Congo "
        "export quotas took effect for traders.</p></article></body></html>"
    )
    [document] = parse_text(page, "saved.txt")
    assert document.format == "html"
    assert document.paragraphs[0].text.startswith("Cobalt prices rose 4%")


def test_detection() -> None:
    assert looks_like_html("<!doctype html><html></html>", "a.txt")
    assert looks_like_html("  <HTML lang='zh'><body></body></HTML>", "a.txt")
    assert looks_like_html("<div>x</div>", "page.HTML")
    assert not looks_like_html("<div>x</div>", "notes.txt")
    assert not looks_like_html("Prices fell < 5% and rose > 3%", "page.html")
