"""Figure extraction: what each number in Chinese and English news text is read as, and what is not."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from critmin.evidence.extract import chinese_number, extract_figures
from critmin.evidence.models import Figure
from critmin.evidence.parse import read_document_file
from critmin.evidence.sentences import split_sentences
from tests.conftest import EXAMPLE_DOCUMENTS

Expected = tuple[str, float, str, str | None, str]
"""kind, value, unit, currency, original."""


def read(text: str) -> list[Expected]:
    figures = extract_figures(text)
    check_invariants(text, figures)
    return [(f.kind, f.value, f.unit, f.currency, f.original) for f in figures]


def check_invariants(text: str, figures: list[Figure]) -> None:
    """Offsets point at `original`, figures do not overlap, and each quotes its whole sentence."""
    spans = split_sentences(text)
    previous_end = 0
    for figure in figures:
        assert previous_end <= figure.start < figure.end <= len(text)
        assert text[figure.start : figure.end] == figure.original
        sentence_start = min(s for s, e in spans if e > figure.start)
        sentence_end = max(e for s, e in spans if s < figure.end)
        assert figure.sentence == text[sentence_start:sentence_end]
        previous_end = figure.end


def one(text: str) -> Expected:
    found = read(text)
    assert len(found) == 1, found
    return found[0]


PERCENT: list[tuple[str, Expected]] = [
    ("Output rose 92.3% last year.", ("change", 92.3, "%", None, "rose 92.3%")),
    ("about 70 % of output", ("percent", 70.0, "%", None, "70 %")),
    ("87% of parts", ("percent", 87.0, "%", None, "87%")),
    ("over 70% of its packaging", ("percent", 70.0, "%", None, "70%")),
    ("a 15 percent rise", ("percent", 15.0, "%", None, "15 percent")),
    ("a 15 per cent rise", ("percent", 15.0, "%", None, "15 per cent")),
    ("占全球产量的百分之九十", ("percent", 90.0, "%", None, "百分之九十")),
    ("百分之5的份额", ("percent", 5.0, "%", None, "百分之5")),
    ("出口同比下降74%", ("change", -74.0, "%", None, "下降74%")),
    ("占比超7成", ("percent", 70.0, "%", None, "7成")),
    ("全角百分号50％", ("percent", 50.0, "%", None, "50％")),
    ("up 3 percentage points", ("percent", 3.0, "pp", None, "3 percentage points")),
    ("上升0.5个百分点", ("percent", 0.5, "pp", None, "0.5个百分点")),
    ("over 0.1% Chinese content", ("percent", 0.1, "%", None, "0.1%")),
]

MASS: list[tuple[str, Expected]] = [
    ("exported 2,582 tons of magnets", ("mass", 2582.0, "t", None, "2,582 tons")),
    ("稀土2582吨背后", ("mass", 2582.0, "t", None, "2582吨")),
    ("产能7万吨", ("mass", 70000.0, "t", None, "7万吨")),
    ("五万吨", ("mass", 50000.0, "t", None, "五万吨")),
    ("三千吨", ("mass", 3000.0, "t", None, "三千吨")),
    ("一百二十吨", ("mass", 120.0, "t", None, "一百二十吨")),
    ("10多万吨", ("mass", 100000.0, "t", None, "10多万吨")),
    ("requires 417 kilograms per jet", ("mass", 417.0, "kg", None, "417 kilograms")),
    ("requires 417 kg per jet", ("mass", 417.0, "kg", None, "417 kg")),
    ("每架417千克", ("mass", 417.0, "kg", None, "417千克")),
    ("每架417公斤", ("mass", 417.0, "kg", None, "417公斤")),
    ("1.2 million tonnes of ore", ("mass", 1.2e6, "t", None, "1.2 million tonnes")),
    ("30 t of ore", ("mass", 30.0, "t", None, "30 t")),
    ("2,500 metric tons", ("mass", 2500.0, "t", None, "2,500 metric tons")),
    ("5 kilotonnes", ("mass", 5000.0, "t", None, "5 kilotonnes")),
]

MONEY: list[tuple[str, Expected]] = [
    ("invest $1.4 billion", ("money", 1.4e9, "USD", "USD", "$1.4 billion")),
    ("US$ 5 billion", ("money", 5e9, "USD", "USD", "US$ 5 billion")),
    ("$ 5 billion", ("money", 5e9, "USD", "USD", "$ 5 billion")),
    ("5 billion USD", ("money", 5e9, "USD", "USD", "5 billion USD")),
    ("5 billion US dollars", ("money", 5e9, "USD", "USD", "5 billion US dollars")),
    ("投资1.119亿美元", ("money", 1.119e8, "USD", "USD", "1.119亿美元")),
    ("十亿美元", ("money", 1e9, "USD", "USD", "十亿美元")),
    ("600 million ringgit plant", ("money", 6e8, "MYR", "MYR", "600 million ringgit")),
    ("RM500 million plant", ("money", 5e8, "MYR", "MYR", "RM500 million")),
    ("营收1.2亿元", ("money", 1.2e8, "CNY", "CNY", "1.2亿元")),
    ("人民币1.2亿元", ("money", 1.2e8, "CNY", "CNY", "人民币1.2亿元")),
    ("投资36亿元人民币", ("money", 3.6e9, "CNY", "CNY", "36亿元人民币")),
    ("三亿五千万元", ("money", 3.5e8, "CNY", "CNY", "三亿五千万元")),
    ("1.5万亿元", ("money", 1.5e12, "CNY", "CNY", "1.5万亿元")),
    ("5000万美元", ("money", 5e7, "USD", "USD", "5000万美元")),
    ("€216 million", ("money", 2.16e8, "EUR", "EUR", "€216 million")),
    ("¥500 billion", ("money", 5e11, "JPY", "JPY", "¥500 billion")),
    ("500億円", ("money", 5e10, "JPY", "JPY", "500億円")),
    ("¥100元", ("money", 100.0, "CNY", "CNY", "¥100元")),
    ("70.87 billion yuan", ("money", 7.087e10, "CNY", "CNY", "70.87 billion yuan")),
    ("a $5m deal", ("money", 5e6, "USD", "USD", "$5m")),
    ("$50k", ("money", 5e4, "USD", "USD", "$50k")),
    ("$1.2bn", ("money", 1.2e9, "USD", "USD", "$1.2bn")),
    ("USD5bn", ("money", 5e9, "USD", "USD", "USD5bn")),
    ("HK$3 billion", ("money", 3e9, "HKD", "HKD", "HK$3 billion")),
    ("S$2 million", ("money", 2e6, "SGD", "SGD", "S$2 million")),
    ("£40 million", ("money", 4e7, "GBP", "GBP", "£40 million")),
]

COUNT: list[tuple[str, Expected]] = [
    (
        "in over 80,000 U.S. weapon systems depending",
        ("count", 80000.0, "count", None, "80,000 U.S. weapon systems"),
    ),
    ("in 37 port projects by 2025", ("count", 37.0, "count", None, "37 port projects")),
    (
        "established 21,000 new foreign enterprises from",
        ("count", 21000.0, "count", None, "21,000 new foreign enterprises"),
    ),
    ("needs 40 servo motors.", ("count", 40.0, "count", None, "40 servo motors")),
    ("a collection of 17 rare metal elements,", ("count", 17.0, "count", None, "17 rare metal elements")),
    ("against 12 Chinese companies,", ("count", 12.0, "count", None, "12 Chinese companies")),
    ("above 256 layers in", ("count", 256.0, "count", None, "256 layers")),
    ("12 million people", ("count", 1.2e7, "count", None, "12 million people")),
    ("参与37个港口项目", ("count", 37.0, "count", None, "37个")),
    ("17种稀土元素", ("count", 17.0, "count", None, "17种")),
    ("100余家企业", ("count", 100.0, "count", None, "100余家")),
    ("两家企业", ("count", 2.0, "count", None, "两家")),
    ("3万家企业", ("count", 30000.0, "count", None, "3万家")),
]

DATE: list[tuple[str, Expected]] = [
    ("2025年10月26日", ("date", 20251026.0, "date", None, "2025年10月26日")),
    ("Sou Hu Cai Jing· 2025-10-26 05:56", ("date", 20251026.0, "date", None, "2025-10-26")),
    ("2025/10/26", ("date", 20251026.0, "date", None, "2025/10/26")),
    ("On October 9, 2025, China", ("date", 20251009.0, "date", None, "October 9, 2025")),
    ("on 9 October 2025", ("date", 20251009.0, "date", None, "9 October 2025")),
    ("in June 2023, which", ("date", 20230600.0, "date", None, "June 2023")),
    ("in late September 2025", ("date", 20250900.0, "date", None, "September 2025")),
    ("2025年10月", ("date", 20251000.0, "date", None, "2025年10月")),
    ("10月26日", ("date", 1026.0, "date", None, "10月26日")),
    ("on Oct. 9", ("date", 1009.0, "date", None, "Oct. 9")),
    ("二〇二五年十月二十六日", ("date", 20251026.0, "date", None, "二〇二五年十月二十六日")),
]

PURITY: list[tuple[str, Expected]] = [
    ("纯度达到五个9的镓", ("purity", 5.0, "nines", None, "五个9")),
    ("高纯锗纯度为6个9", ("purity", 6.0, "nines", None, "6个9")),
    ("5N gallium", ("purity", 5.0, "nines", None, "5N")),
    ("4N5 indium", ("purity", 4.3, "nines", None, "4N5")),
    ("purity of 99.999% gallium", ("purity", 5.0, "nines", None, "99.999%")),
    ("high-purity 99.995% indium", ("purity", 4.3, "nines", None, "99.995%")),
    ("电子级99.9999%高纯镓", ("purity", 6.0, "nines", None, "99.9999%")),
]


@pytest.mark.parametrize(("text", "expected"), PERCENT + MASS + MONEY + COUNT + DATE + PURITY)
def test_reads_one_figure(text: str, expected: Expected) -> None:
    assert one(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "in 2025 the market",  # a year
        "between 2020 and 2030",
        "Group 3: Challenges",  # a group label
        "Phase 2 projects",
        "No. 5 mine",
        "cited [13] twice [1][9]",  # reference markers
        "the F-35 stealth fighter",  # a model name
        "chips below 14nm and 5G networks",  # glued to an unknown unit
        "14 nm chips",  # a unit, not a noun
        "at 10:30 Beijing time",
        "in the 1990s boom",
        "美国砸50亿购买,中国36亿港口",  # 亿 without a currency
        "与澳签订85亿大单",
        "99.99% of exports",  # no purity context, so a percent (checked below), not purity
        "五个9的可用性",  # nines without purity context
        "一个联盟成立了,几个国家加入",  # one, and 'several'
        "第三个",
        "七八个",  # 'seven or eight'
        "2 1 Shi Ji Jing Ji Bao Dao",
        "sales rose 5.3. The next",
        "the 1 remaining",
    ],
)
def test_reads_no_count_or_noise(text: str) -> None:
    assert [f for f in read(text) if f[0] != "percent"] == []
    if text.startswith("99.99%"):
        assert read(text) == [("percent", 99.99, "%", None, "99.99%")]


def test_purity_needs_its_context() -> None:
    assert read("5N-grade 99.999% tellurium") == [
        ("purity", 5.0, "nines", None, "5N"),
        ("purity", 5.0, "nines", None, "99.999%"),
    ]
    assert read("Prices for 99.99% gallium rose.") == [("percent", 99.99, "%", None, "99.99%")]


def test_ranges_give_both_ends() -> None:
    assert read("costs may rise 25%-40%") == [
        ("percent", 25.0, "%", None, "25%"),
        ("percent", 40.0, "%", None, "40%"),
    ]


def test_longest_reading_wins() -> None:
    text = "On October 9, 2025, China required permits for products with over 0.1% content."
    assert read(text) == [
        ("date", 20251009.0, "date", None, "October 9, 2025"),
        ("percent", 0.1, "%", None, "0.1%"),
    ]
    assert read("1.119亿美元") == [("money", 1.119e8, "USD", "USD", "1.119亿美元")]


def test_figures_carry_offsets_and_their_sentence() -> None:
    text = (
        "Core Viewpoint - The U.S. relies on China [1]."
        " - With 87% of parts in over 80,000 U.S. weapon systems [9]."
    )
    figures = extract_figures(text)
    assert [(f.original, f.start, f.end) for f in figures] == [
        ("87%", 54, 57),
        ("80,000 U.S. weapon systems", 75, 101),
    ]
    assert text.index("87%") == 54 and text.index("80,000") == 75
    for figure in figures:
        assert figure.sentence == "With 87% of parts in over 80,000 U.S. weapon systems [9]."


def test_mixed_chinese_english_paragraph() -> None:
    text = "2025年10月9日,中国宣布管制。China exported 2,582 tons in August 2023; 同比下降74%。"
    figures = extract_figures(text)
    assert [(f.kind, f.value, f.original, f.sentence) for f in figures] == [
        ("date", 20251009.0, "2025年10月9日", "2025年10月9日,中国宣布管制。"),
        ("mass", 2582.0, "2,582 tons", "China exported 2,582 tons in August 2023; 同比下降74%。"),
        ("date", 20230800.0, "August 2023", "China exported 2,582 tons in August 2023; 同比下降74%。"),
        ("change", -74.0, "下降74%", "China exported 2,582 tons in August 2023; 同比下降74%。"),
    ]


@pytest.mark.parametrize(
    ("numeral", "value"),
    [
        ("九十", 90),
        ("十", 10),
        ("十五", 15),
        ("一百二十", 120),
        ("一百零五", 105),
        ("三千", 3000),
        ("两千", 2000),
        ("五十万", 500000),
        ("三亿五千万", 350000000),
        ("一万亿", 10**12),
        ("二〇二五", 2025),
        ("三点五", Decimal("3.5")),
    ],
)
def test_chinese_numbers(numeral: str, value: int | Decimal) -> None:
    assert chinese_number(numeral) == value


@pytest.mark.parametrize("numeral", ["七八", "点五", "", "三点x"])
def test_chinese_numbers_that_are_not(numeral: str) -> None:
    assert chinese_number(numeral) is None


# --- The sample documents (examples/documents) ----------------------------------------------------


@pytest.mark.parametrize(("name", "expected"), [
    ("digest-export-controls.txt", {
        ("date", 20230703.0, "date", None, "July 3, 2023"),
        ("mass", 750.0, "t", None, "750 tonnes"),
        ("percent", 98.0, "%", None, "98%"),
        ("mass", 1238.0, "t", None, "1,238 tonnes"),
        ("date", 20250500.0, "date", None, "May 2025"),
        ("mass", 270000.0, "t", None, "270,000 tonnes"),
        ("count", 7.0, "count", None, "七种"),
        ("date", 20240815.0, "date", None, "2024年8月15日"),
        ("mass", 100000.0, "t", None, "10万吨"),
    }),
    ("rare-earth-quotas-2010-gb18030.txt", {
        ("mass", 30000.0, "t", None, "3万吨"),
        ("percent", 99.5, "%", None, "99.5%"),
        ("money", 1410.0, "USD", "USD", "1410美元"),
        ("money", 77.5, "USD", "USD", "77.5美元"),
    }),
    ("graphite-antimony-notes.txt", {
        ("mass", 1.27e6, "t", None, "1.27 million tonnes"),
        ("percent", 79.0, "%", None, "79%"),
        ("date", 20231020.0, "date", None, "October 20, 2023"),
    }),
])
def test_sample_document_figures(name: str, expected: set[Expected]) -> None:
    text = read_document_file(EXAMPLE_DOCUMENTS / name)
    assert expected <= set(read(text))


def test_sample_document_years_and_markers_are_not_counts() -> None:
    text = read_document_file(EXAMPLE_DOCUMENTS / "digest-export-controls.txt")
    figures = extract_figures(text)
    assert all(not 1900 <= f.value <= 2100 for f in figures if f.kind == "count")
    assert all("[" not in f.original and "Group" not in f.original for f in figures)


# --- The shared research corpus (skipped where ../shared/corpus is missing) ------------------------


@pytest.fixture(scope="module")
def corpus_figures(corpus: Path) -> tuple[str, list[Figure]]:
    text = (corpus / "supply-chain-restructuring.txt").read_text(encoding="utf-8")
    return text, extract_figures(text)


def test_corpus_figures_are_found(corpus_figures: tuple[str, list[Figure]]) -> None:
    text, figures = corpus_figures
    check_invariants(text, figures)
    found = {(f.kind, f.value, f.unit, f.currency, f.original) for f in figures}
    assert {
        ("mass", 417.0, "kg", None, "417 kilograms"),
        ("percent", 87.0, "%", None, "87%"),
        ("count", 80000.0, "count", None, "80,000 U.S. weapon systems"),
        ("money", 5e9, "USD", "USD", "$5 billion"),
        ("money", 7.087e10, "CNY", "CNY", "70.87 billion yuan"),
        ("mass", 2582.0, "t", None, "2582吨"),
        ("mass", 2582.0, "t", None, "2,582 tons"),
        ("money", 1.2e10, "EUR", "EUR", "€12 billion"),
        ("date", 20251009.0, "date", None, "October 9, 2025"),
        ("date", 20230600.0, "date", None, "June 2023"),
        ("date", 20251026.0, "date", None, "2025-10-26"),
        ("count", 37.0, "count", None, "37 port projects"),
        ("percent", 80.0, "%", None, "80%"),
    } <= found


def test_corpus_title_figure_quotes_the_title(corpus_figures: tuple[str, list[Figure]]) -> None:
    _, figures = corpus_figures
    title = next(f for f in figures if f.original == "2582吨")
    assert title.sentence == "稀土2582吨背后:欧盟制裁令下中企的生死局"


def test_corpus_has_no_years_or_markers_as_counts(corpus_figures: tuple[str, list[Figure]]) -> None:
    _, figures = corpus_figures
    counts = [f for f in figures if f.kind == "count"]
    assert all(not 1900 <= f.value <= 2100 for f in counts), counts
    assert all("[" not in f.original and "Group" not in f.original for f in figures)
    assert not any(f.original in {"50亿", "36亿", "85亿"} for f in figures)


# --- Any text -----------------------------------------------------------------------------------


@given(
    st.text(
        alphabet=st.sampled_from(list("0123456789 ,.%$亿万吨元个九十百分之年月日Ntons kg[]-\n中。")),
        max_size=60,
    )
)
def test_any_text_keeps_the_invariants(text: str) -> None:
    check_invariants(text, extract_figures(text))


@pytest.mark.parametrize(("text", "expected"), [
    # changes keep their direction
    ("China's gallium exports fell 74% in October.", [("change", -74.0, "%", "fell 74%")]),
    ("Prices jumped by 12 percent.", [("change", 12.0, "%", "jumped by 12 percent")]),
    ("出口环比减少了97%", [("change", -97.0, "%", "减少了97%")]),
    # ranges keep both ends in `original`, the low end as the value
    ("Recycling covers 3-5% of demand.", [("range", 3.0, "%", "3-5%")]),
    ("a deal worth $6-6.5 billion", [("range", 6e9, "USD", "$6-6.5 billion")]),
    # multiples
    ("Dysprosium prices tripled.", [("multiple", 3.0, "x", "tripled")]),
    ("价格上涨三倍", [("multiple", 3.0, "x", "三倍")]),
    ("a 10x increase", [("multiple", 10.0, "x", "10x")]),
    # fractions, as percent
    ("中国占三分之二的产量", [("fraction", 66.67, "%", "三分之二")]),
    ("about a third of output", [("fraction", 33.33, "%", "a third")]),
    ("出口接近一半", [("fraction", 50.0, "%", "接近一半")]),
    # durations
    ("审批需要45个工作日", [("duration", 45.0, "working days", "45个工作日")]),
    ("licences take 18-24 months", [("duration", 18.0, "months", "18-24 months")]),
    ("a six-month suspension", [("duration", 6.0, "months", "six-month")]),
    # prices per unit
    ("Gallium sold at $1,200/kg.", [("price", 1200.0, "USD/kg", "$1,200/kg")]),
    ("锑锭报15万元/吨", [("price", 150000.0, "CNY/t", "15万元/吨")]),
])
def test_reads_changes_ranges_multiples_fractions_durations_prices(
        text: str, expected: list[tuple[str, float, str, str]]) -> None:
    got = [(f.kind, f.value, f.unit, f.original) for f in extract_figures(text)]
    assert got == expected


@pytest.mark.parametrize("text", [
    "In 2023, 12 of the 30 plants were idle.",  # no range, no duration
    "The 1990s were different.",
    "成本占比约为一成本",  # 一成本 is not 10%
])
def test_new_kinds_do_not_read_noise(text: str) -> None:
    kinds = {f.kind for f in extract_figures(text)}
    assert not kinds & {"range", "duration", "multiple", "fraction", "price", "change"}
