"""Bilingual Markdown posts: front matter becomes fields and hints, paragraphs keep their English twin."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest

from critmin.evidence.models import EntityHint, ParsedDocument
from critmin.evidence.parse import DocumentError, parse_text, read_document_file
from critmin.evidence.parse.markdown import has_front_matter

FIXTURES = Path(__file__).parents[2] / "fixtures" / "evidence"


@pytest.fixture(scope="module")
def post() -> ParsedDocument:
    [document] = parse_text(read_document_file(FIXTURES / "bilingual-post.md"), "bilingual-post.md")
    return document


def test_front_matter_fields(post: ParsedDocument) -> None:
    assert post.format == "markdown"
    assert post.title == "稀土磁体供应链的三个瓶颈"
    assert post.published == datetime(2025, 11, 3)
    assert post.source_url == "https://www.youtube.com/watch?v=abc123XYZ00"
    assert post.summary == "一位材料分析师解释了为什么稀土分离、金属冶炼和磁体制造是中国以外最难复制的环节。"
    assert post.language == "zh"
    assert post.metadata == {
        "speaker": "Maria Keller",
        "project": "magnet-supply",
        "status": "draft",
        "episode": "42",
        "reviewed": "false",
    }


def test_front_matter_lists_become_entity_hints(post: ParsedDocument) -> None:
    by_kind: dict[str, list[str]] = {}
    for hint in post.entities:
        by_kind.setdefault(hint.kind, []).append(hint.name)
    assert by_kind == {
        "tags": ["rare earths", "magnets"],
        "companies_orgs": ["Lynas Rare Earths", "MP Materials", "北方稀土"],
        "people": ["Maria Keller", "James Hart"],
        "products_models": ["NdFeB N52"],
    }


def test_paragraphs_are_paired_with_their_english(post: ParsedDocument) -> None:
    assert [(p.heading, p.text) for p in post.paragraphs] == [
        ("分离环节", "中国目前承担了全球约90%的稀土分离产能，其他国家的新项目大多仍在建设中。"),
        ("分离环节", "分离厂需要大量溶剂萃取槽，建设周期通常超过三年。"),
        ("金属与磁体", "把氧化物还原成金属的冶炼厂更少，这是最容易被忽视的一环。"),
        ("金属与磁体", "磁体厂的订单已经排到2026年第二季度。"),
    ]
    english = [p.english for p in post.paragraphs]
    assert english[0] == (
        "China currently handles about 90% of the world's rare earth separation capacity, "
        "and most new projects elsewhere are still under construction."
    )
    assert english[1] == (
        "Separation plants need large banks of solvent-extraction cells & usually take more than three years "
        "to build."
    )
    assert english[3] == (
        "Magnet plants have orders booked through the second quarter of 2026 <according to the speaker>."
    )


def test_body_is_kept_and_h1_is_not_a_paragraph(post: ParsedDocument) -> None:
    assert post.body.startswith("# 稀土磁体供应链的三个瓶颈\n\n### 分离环节")
    assert post.body.endswith("</details>")
    assert "title:" not in post.body


def test_unclosed_front_matter_is_an_error() -> None:
    text = read_document_file(FIXTURES / "broken-front-matter.md")
    with pytest.raises(DocumentError) as caught:
        parse_text(text, "broken-front-matter.md")
    assert str(caught.value) == "broken-front-matter.md: broken front matter: no closing `---` line"
    assert caught.value.exit_code == 1


def test_invalid_yaml_names_the_line() -> None:
    with pytest.raises(DocumentError) as caught:
        parse_text("---\ntitle: ok\nsummary: a: b\n---\n正文。\n", "post.md")
    assert str(caught.value) == (
        "post.md: broken front matter: line 3: invalid YAML: mapping values are not allowed here"
    )


def test_front_matter_that_is_not_a_mapping() -> None:
    with pytest.raises(DocumentError, match=r"^post\.md: broken front matter: expected key: value pairs"):
        parse_text("---\n- just\n- a list\n---\n正文。\n", "post.md")


def test_title_falls_back_to_the_h1_and_source_to_metadata() -> None:
    [document] = parse_text(
        "---\ndate: 2025-11-03 14:30\nsource: 内部会议纪要\ncompanies_orgs: [Iluka]\n---\n"
        "# 澳大利亚稀土精炼\n\n精炼厂预计2026年投产。\n",
        "note.md",
    )
    assert document.title == "澳大利亚稀土精炼"
    assert document.published == datetime(2025, 11, 3, 14, 30)
    assert document.source_url is None
    assert document.metadata == {"source": "内部会议纪要"}
    assert document.entities == [EntityHint(kind="companies_orgs", name="Iluka")]
    assert [(p.text, p.english) for p in document.paragraphs] == [("精炼厂预计2026年投产。", None)]


def test_unreadable_date_is_kept_as_text() -> None:
    [document] = parse_text("---\ntitle: T\ndate: autumn 2025\n---\nbody\n", "post.md")
    assert document.published is None
    assert document.metadata["date"] == "autumn 2025"


def test_plain_markdown_is_not_this_format() -> None:
    [document] = parse_text("# Lithium notes\n\nPrices fell.\n\n---\n\nStocks rose.\n", "notes.md")
    assert document.format == "text"
    assert document.title == "Lithium notes"


def test_has_front_matter() -> None:
    assert has_front_matter("---\ntitle: x\n---\nbody")
    assert has_front_matter("---\ntitle: x\nno closing fence")
    assert not has_front_matter("---\nJust a rule above prose.\n")
    assert not has_front_matter("title: x\n---\n")
