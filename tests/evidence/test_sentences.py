"""Sentence spans: where mixed Chinese/English news text is cut, and where it must not be."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from critmin.evidence.sentences import split_sentences


def sentences(text: str) -> list[str]:
    return [text[start:end] for start, end in split_sentences(text)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param(
            "Output rose 92.3% in 2024. The U.S. share fell to 1.4 percent. Next year, e.g. in 2026, it may.",
            [
                "Output rose 92.3% in 2024.",
                "The U.S. share fell to 1.4 percent.",
                "Next year, e.g. in 2026, it may.",
            ],
            id="numbers-and-abbreviations",
        ),
        pytest.param(
            "Apple Inc. said so. Dr. Li agreed. No. 5 mine closed. Smith, J. Roberts wrote it.",
            ["Apple Inc. said so.", "Dr. Li agreed.", "No. 5 mine closed.", "Smith, J. Roberts wrote it."],
            id="titles-companies-initials",
        ),
        pytest.param(
            "The U.S. Department of Defense relies on China. It has no choice.",
            ["The U.S. Department of Defense relies on China.", "It has no choice."],
            id="us-before-capital",
        ),
        pytest.param(
            "中国出口了2582吨。美国进口增加！是真的吗？当然",
            ["中国出口了2582吨。", "美国进口增加！", "是真的吗？", "当然"],
            id="chinese-marks",
        ),
        pytest.param("他说：“好。”然后离开了。", ["他说：“好。”", "然后离开了。"], id="closing-quote-stays"),
        pytest.param(
            "中美博弈再升级!稀土反制出手!美国从威胁到示好释放了什么信号",
            ["中美博弈再升级!", "稀土反制出手!", "美国从威胁到示好释放了什么信号"],
            id="ascii-marks-in-chinese-title",
        ),
        pytest.param(
            "Really?! Yes. Yahoo! is a company. What? no",
            ["Really?!", "Yes.", "Yahoo! is a company.", "What? no"],
            id="ascii-marks-before-lower-case-do-not-cut",
        ),
        pytest.param(
            "Exports hit 5.3 million t in 2025.中国第一",
            ["Exports hit 5.3 million t in 2025.", "中国第一"],
            id="cjk-after-stop",
        ),
        pytest.param(
            "growth slowed.[3] The next year", ["growth slowed.[3]", "The next year"], id="markers-after-stop"
        ),
        pytest.param(
            "He said so; she disagreed.", ["He said so; she disagreed."], id="semicolons-do-not-split"
        ),
        pytest.param(
            "The range is 18 - 24 months. The U.S.-China talks resumed.",
            ["The range is 18 - 24 months.", "The U.S.-China talks resumed."],
            id="numeric-range-is-not-a-separator",
        ),
        pytest.param("Then etc. Another", ["Then etc.", "Another"], id="etc-ends-a-sentence"),
        pytest.param("End with U.S.", ["End with U.S."], id="abbreviation-at-end"),
        pytest.param(
            "Line one\nLine two\r\n\r\n- bullet item\n• another\n  ",
            ["Line one", "Line two", "bullet item", "another"],
            id="lines-and-bullets",
        ),
        pytest.param("", [], id="empty"),
        pytest.param(" \n\t ", [], id="blank"),
    ],
)
def test_cuts(text: str, expected: list[str]) -> None:
    assert sentences(text) == expected


def test_flattened_summary_points_are_sentences() -> None:
    text = (
        "Core Viewpoint - A is B [1][9]. Group 1: Heading - Point one [1][3]. - Point two [4]"
        " - Point three [5] Group 2: Next - 中国的观点 [6]"
    )
    assert sentences(text) == [
        "Core Viewpoint",
        "A is B [1][9].",
        "Group 1: Heading",
        "Point one [1][3].",
        "Point two [4]",
        "Point three [5]",
        "Group 2: Next",
        "中国的观点 [6]",
    ]


def test_markers_before_a_group_label_end_a_point() -> None:
    text = "Core Viewpoint - China acts [2][5][18] Group 1: Export Control - The aim [5]"
    assert sentences(text) == [
        "Core Viewpoint",
        "China acts [2][5][18]",
        "Group 1: Export Control",
        "The aim [5]",
    ]


def test_spans_are_offsets_into_the_text() -> None:
    text = "  First one.  Second one!\n\n- Third "
    spans = split_sentences(text)
    assert spans == [(2, 12), (14, 25), (29, 34)]
    assert [text[s:e] for s, e in spans] == ["First one.", "Second one!", "Third"]


def test_byline_and_title_lines() -> None:
    text = (
        "稀土2582吨背后:欧盟制裁令下中企的生死局\nSou Hu Cai Jing· 2025-09-28 08:13\nCore Viewpoint - X [1]."
    )
    assert sentences(text) == [
        "稀土2582吨背后:欧盟制裁令下中企的生死局",
        "Sou Hu Cai Jing· 2025-09-28 08:13",
        "Core Viewpoint",
        "X [1].",
    ]


@given(st.text(alphabet=st.sampled_from(list("ab A.。!?！ -\n[1]9中U.S")), max_size=80))
def test_spans_are_ordered_trimmed_and_inside(text: str) -> None:
    previous_end = 0
    for start, end in split_sentences(text):
        assert previous_end <= start < end <= len(text)
        assert not text[start].isspace() and not text[end - 1].isspace()
        previous_end = end
