"""Digest pages: the shared research corpus must split into the right documents and points.

The corpus tests need ../shared/corpus and are skipped where it is missing (tests/conftest.py);
the digest page in examples/documents is checked in tests/test_examples_documents.py.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest

from critmin.evidence.models import ParsedDocument
from critmin.evidence.parse import parse_text, read_document_file
from critmin.evidence.parse.digest import (
    looks_like_digest,
    parse_summary,
    split_trailing_label,
    strip_markers,
)
from tests.conftest import CORPUS, needs_corpus

FIXTURES = Path(__file__).parents[2] / "fixtures" / "evidence"


def corpus_documents(name: str) -> list[ParsedDocument]:
    path = CORPUS / name
    return parse_text(read_document_file(path), path.name)


@pytest.fixture(scope="module")
def restructuring(corpus: Path) -> list[ParsedDocument]:
    path = corpus / "supply-chain-restructuring.txt"
    return parse_text(read_document_file(path), path.name)


@needs_corpus
@pytest.mark.parametrize(
    ("name", "count"),
    [("alliance.txt", 1), ("supply-chain-restructuring.txt", 10), ("export-controls-technology.txt", 1)],
)
def test_corpus_document_counts(name: str, count: int) -> None:
    documents = corpus_documents(name)
    assert len(documents) == count
    assert all(document.format == "digest" for document in documents)


def test_restructuring_first_and_last_documents(restructuring: list[ParsedDocument]) -> None:
    first, last = restructuring[0], restructuring[-1]
    assert first.title == "中美博弈再升级!稀土反制出手!美国从威胁到示好释放了什么信号"
    assert first.publisher == "Sou Hu Cai Jing"
    assert first.published == datetime(2025, 10, 26, 5, 56)
    assert last.title == "稀土2582吨背后:欧盟制裁令下中企的生死局"
    assert last.publisher == "Sou Hu Cai Jing"
    assert last.published == datetime(2025, 9, 28, 8, 13)


def test_restructuring_other_publishers(restructuring: list[ParsedDocument]) -> None:
    jin_tou = restructuring[7]
    assert jin_tou.title == "出口王炸三连,中国开始反制!"
    assert jin_tou.publisher == "Jin Tou Wang"
    assert jin_tou.published == datetime(2025, 10, 10, 10, 11)
    report = restructuring[8]
    assert report.title == "广东吸引外资三重跃迁背后的开放进阶"
    assert report.publisher == "2 1 Shi Ji Jing Ji Bao Dao"
    assert report.published == datetime(2025, 9, 29, 23, 22)
    assert [document.publisher for document in restructuring].count("Sou Hu Cai Jing") == 8


def test_page_header_lines_are_dropped(restructuring: list[ParsedDocument]) -> None:
    for document in restructuring:
        assert document.title not in {"全球产业链重构", "Search documents"}
        assert "全球产业链重构" not in document.body
        assert "Search documents" not in document.body


def test_body_is_kept_verbatim(restructuring: list[ParsedDocument]) -> None:
    lines = (CORPUS / "supply-chain-restructuring.txt").read_text(encoding="utf-8").split("\n")
    assert restructuring[0].body == lines[4]
    assert restructuring[-1].body == lines[31]
    assert all(document.language == "en" for document in restructuring)


@needs_corpus
def test_alliance_summary() -> None:
    [document] = corpus_documents("alliance.txt")
    assert document.title == "一个针对中国的联盟成立了,几个亚洲国家已经加入,中国提前把话说明白了"
    assert document.publisher == "Sou Hu Cai Jing"
    assert document.published == datetime(2025, 12, 25, 3, 23)  # no space after the middle dot
    assert document.viewpoint == (
        'The "Silicon Peace Initiative" is perceived as a strategic blockade against China, particularly '
        "targeting its rare earth supply chain rather than a genuine symbol of technological cooperation."
    )
    assert len(document.points) == 14
    first = document.points[0]
    assert (first.group, first.heading, first.refs) == (1, "Alliance Composition and Intentions", [4, 5])
    assert first.text == (
        "The alliance includes Japan, South Korea, Israel, Singapore, and others, which appear united "
        "but have differing motivations and are not fully committed to U.S. directives."
    )
    japan = document.points[4]
    assert (japan.group, japan.heading, japan.refs) == (2, "Economic Dependencies", [17])
    assert japan.text.startswith("Japan's automotive sales in China account for nearly 40%")
    control = document.points[9]
    assert (control.group, control.heading, control.refs) == (4, "China's Position and Response", [21, 23])
    last = document.points[-1]
    assert (last.group, last.heading, last.refs) == (5, "Future Outlook", [45, 46])
    assert "[" not in "".join(point.text for point in document.points)


@needs_corpus
def test_alliance_paragraphs_follow_the_summary() -> None:
    [document] = corpus_documents("alliance.txt")
    assert len(document.paragraphs) == 15
    assert document.paragraphs[0].text == document.viewpoint
    assert document.paragraphs[0].heading is None
    assert [paragraph.text for paragraph in document.paragraphs[1:]] == [p.text for p in document.points]
    assert document.paragraphs[1].heading == "Alliance Composition and Intentions"
    assert document.paragraphs[-1].heading == "Future Outlook"


@needs_corpus
def test_export_controls_summary_without_full_stops() -> None:
    [document] = corpus_documents("export-controls-technology.txt")
    assert document.title == "中国这张王牌亮出后,美国紧急寻求多国帮助,与澳签订85亿大单"
    assert document.published == datetime(2025, 10, 27, 11, 26)
    assert document.viewpoint == (
        "China's announcement of strict export controls on rare earth technology marks a significant "
        "escalation in its strategy, directly impacting the Western high-tech industry"
    )
    assert [point.group for point in document.points] == [1, 1, 2, 2, 3, 3, 4, 4, 5, 5]
    us = document.points[7]
    assert us.heading == "U.S. Response and Challenges"
    assert us.refs == [12]
    assert us.text == (
        "Current U.S. production capabilities can only meet about 15% of domestic needs, and rebuilding "
        "the entire supply chain will require substantial investment and time"
    )


def test_heading_with_hyphen(restructuring: list[ParsedDocument]) -> None:
    headings = {point.heading for point in restructuring[0].points}
    assert "U.S.-China Strategic Competition" in headings
    assert [point.group for point in restructuring[0].points] == [1, 1, 2, 2, 3, 3, 4, 4, 5, 5]


def test_groups_without_headings(restructuring: list[ParsedDocument]) -> None:
    jin_tou = restructuring[7]
    assert jin_tou.viewpoint is None
    assert [(point.group, point.heading) for point in jin_tou.points] == [(1, None)] * 3 + [(2, None)] * 3
    assert jin_tou.points[0].refs == [1, 2, 3]
    assert jin_tou.points[0].text.startswith("China has implemented strict export controls")
    assert len(jin_tou.paragraphs) == 6


def test_bare_headings_and_site_label(restructuring: list[ParsedDocument]) -> None:
    report = restructuring[8]
    assert report.viewpoint is not None
    assert report.viewpoint.split("\n") == [
        "Guangdong is experiencing significant growth in foreign direct investment (FDI) despite a global "
        "decline, with new foreign enterprises increasing by 34% and actual FDI amounting to 70.87 billion "
        "yuan, a 9.4% increase year-on-year",
        "The province's ability to attract foreign investment is attributed to its strategic role in "
        "China's new development pattern and its strong industrial foundation",
    ]
    assert all(point.group is None for point in report.points)
    assert report.points[0].heading == "Foreign Investment Growth"
    assert report.points[0].refs == [1]
    assert report.points[-1].heading == "Future Outlook"
    assert report.points[-1].refs == [12]
    assert not any("Summary by Sections" in (point.heading or "") for point in report.points)


def test_markers_never_double_a_full_stop(restructuring: list[ParsedDocument]) -> None:
    tsmc = restructuring[3]
    assert tsmc.points[4].text.endswith("from Taiwan to the U.S.")
    assert tsmc.points[4].refs == [13, 15]


def test_mixed_fixture_with_raw_article() -> None:
    documents = parse_text(read_document_file(FIXTURES / "digest-mixed.txt"), "digest-mixed.txt")
    assert [document.title for document in documents] == [
        "镓价一周上涨12%,海外买家加紧备货",
        "稀土永磁企业三季度业绩分化",
    ]
    summary, article = documents
    assert summary.publisher == "Cai Lian She"
    assert summary.published == datetime(2025, 11, 2, 9, 15)
    assert [(p.group, p.heading, p.refs) for p in summary.points] == [
        (1, "Price Moves", [2, 4]),
        (1, "Price Moves", [4]),
        (2, "Supply Response", [6, 7]),
    ]
    # A spaced hyphen between two numbers is a range, not a point separator.
    assert (
        summary.points[2].text
        == "Two Japanese refiners plan to restart recovery lines idled since 2020 - 2021."
    )
    assert article.publisher == "Zheng Quan Shi Bao"
    assert article.published == datetime(2025, 11, 1)
    assert article.language == "zh"
    assert article.viewpoint is None and article.points == []
    assert [paragraph.text for paragraph in article.paragraphs] == [
        "今年前三季度，国内主要稀土永磁企业营业收入合计同比增长8.6%。",
        "其中，头部企业净利润增长超过20%，而部分中小企业出现亏损。",
        "分析人士指出，氧化镨钕价格在三季度回升至每吨50万元以上，是业绩改善的主要原因。",
    ]
    assert "Workflow" not in summary.body and "icon" not in summary.body


def test_summary_saved_one_item_a_line() -> None:
    parsed = parse_summary(
        "Core Viewpoint - Lithium oversupply persists [1]\n"
        "Group 1: Prices\n- Spot prices fell 8% [2][3]\n- Contract talks stalled [4]\n"
        "Group 2: Outlook\n- Analysts expect a floor in 2026 [5]"
    )
    assert parsed is not None
    viewpoint, points = parsed
    assert viewpoint == "Lithium oversupply persists"
    assert [(p.group, p.heading, p.text, p.refs) for p in points] == [
        (1, "Prices", "Spot prices fell 8%", [2, 3]),
        (1, "Prices", "Contract talks stalled", [4]),
        (2, "Outlook", "Analysts expect a floor in 2026", [5]),
    ]


def test_bare_headings_one_item_a_line() -> None:
    parsed = parse_summary(
        "Key Findings\n- Cobalt output rose [1]\n- Congo quotas bite [2]\nRisks\n- Export bans [3]"
    )
    assert parsed is not None
    assert parsed[0] is None
    assert [(p.group, p.heading, p.refs) for p in parsed[1]] == [
        (None, "Key Findings", [1]),
        (None, "Key Findings", [2]),
        (None, "Risks", [3]),
    ]


def test_heading_with_colon_and_spaced_hyphen_and_points_without_markers() -> None:
    parsed = parse_summary(
        "Group 1: Supply: Lithium - Cobalt - Output rose 5% [1]. - Prices fell. "
        "Group 2: Outlook - Demand will grow"
    )
    assert parsed is not None
    assert [(p.group, p.heading, p.text, p.refs) for p in parsed[1]] == [
        (1, "Supply: Lithium - Cobalt", "Output rose 5%.", [1]),
        (1, "Supply: Lithium - Cobalt", "Prices fell.", []),
        (2, "Outlook", "Demand will grow", []),
    ]


def test_viewpoint_with_spaced_hyphens_is_rejoined() -> None:
    parsed = parse_summary("Core Viewpoint - Chinese exports - mostly magnets - rose [1]. Group 1: X - Y [2]")
    assert parsed is not None
    assert parsed[0] == "Chinese exports - mostly magnets - rose."


def test_raw_text_is_not_a_summary() -> None:
    assert parse_summary("Prices rose - and then fell again.\nNo structure here.") is None


def test_split_trailing_label() -> None:
    assert split_trailing_label("directives [4][5]. Group 2: Economic Dependencies") == (
        "directives [4][5].",
        "Group 2: Economic Dependencies",
    )
    assert split_trailing_label("growth [1][2] Historical Phases of Investment") == (
        "growth [1][2]",
        "Historical Phases of Investment",
    )
    assert split_trailing_label("X grew [1], while Y fell.") == ("X grew [1], while Y fell.", None)


def test_strip_markers() -> None:
    assert strip_markers("directives [4][5].") == "directives."
    assert strip_markers("to the U.S. [13][15].") == "to the U.S."
    assert strip_markers("no markers") == "no markers"


def test_byline_needs_a_title_line() -> None:
    assert not looks_like_digest("Sou Hu Cai Jing· 2025-10-26 05:56\nbody")
    assert not looks_like_digest("A title\nPublisher· 2025-13-45\nbody")  # not a real date
    assert looks_like_digest("A title\nPublisher ·2025-10-26\nbody")
