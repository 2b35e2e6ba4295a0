"""The sample documents in examples/documents: what `critmin ingest` makes of each file.

One file per format the ingest reads (digest page, front-matter Markdown, HTML, plain English
text, GB18030 Chinese text); examples/README.md lists them with these outcomes, and `critmin demo`
ingests the same files from its packaged copy.
"""

from __future__ import annotations

import json
from collections import Counter
from datetime import datetime
from pathlib import Path

import pytest
from rich.console import Console

from critmin.cli import main
from critmin.cli.demo import evidence_tour, sample_documents
from critmin.evidence.parse import parse_text, read_document_file
from critmin.kb import KnowledgeBase
from tests.conftest import EXAMPLE_DOCUMENTS, ROOT

#: file -> (format read, the language of each of its documents, in file order)
EXPECTED = {
    "digest-export-controls.txt": ("digest", ["en", "en", "zh"]),
    "rare-earth-magnets.md": ("markdown", ["zh"]),
    "gallium-germanium-licences.html": ("html", ["en"]),
    "graphite-antimony-notes.txt": ("text", ["en"]),
    "rare-earth-quotas-2010-gb18030.txt": ("text", ["zh"]),
}

TITLES = {
    "digest": "镓锗出口许可实施两年:海外供应链如何应对",
    "magnets": "稀土永磁:从矿山到磁体的集中度",
    "html": "From licences to a ban: China's gallium and germanium controls",
    "notes": "Graphite and antimony: two more licences",
    "quotas": "2010年稀土出口配额削减回顾",
    "antimony": "锑出口管制后海外供应趋紧",
    "seven": "七种中重稀土纳入出口许可管理,磁体供应链承压",
}


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str]:
    code = main(list(args))
    return code, capsys.readouterr().out


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> str:
    path = str(tmp_path_factory.mktemp("examples") / "e.db")
    assert main(["ingest", str(EXAMPLE_DOCUMENTS), "--db", path, "--json"]) == 0
    return path


def documents(capsys: pytest.CaptureFixture[str], db: str) -> list[dict[str, object]]:
    code, out = run(capsys, "docs", "--db", db, "--json")
    assert code == 0
    return sorted(json.loads(out), key=lambda d: int(str(d["id"])))


def test_the_folder_holds_one_file_per_format() -> None:
    assert sorted(p.name for p in EXAMPLE_DOCUMENTS.iterdir()) == sorted(EXPECTED)
    assert (EXAMPLE_DOCUMENTS / "rare-earth-quotas-2010-gb18030.txt").read_bytes().decode("gb18030")
    with pytest.raises(UnicodeDecodeError):
        (EXAMPLE_DOCUMENTS / "rare-earth-quotas-2010-gb18030.txt").read_bytes().decode("utf-8")
    listing = (ROOT / "examples" / "README.md").read_text("utf-8")
    assert all(f"`{name}`" in listing for name in EXPECTED)


def test_every_file_is_stored_with_its_documents(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, out = run(capsys, "ingest", str(EXAMPLE_DOCUMENTS), "--db", str(tmp_path / "e.db"), "--json")
    report = json.loads(out)
    assert code == 0 and report["failed"] == [] and report["ingested"] == 7 and report["duplicates"] == 0
    docs = documents(capsys, str(tmp_path / "e.db"))
    by_file: dict[str, list[dict[str, object]]] = {}
    for doc in docs:
        by_file.setdefault(Path(str(doc["source_file"])).name, []).append(doc)
    assert sorted(by_file) == sorted(EXPECTED)
    for name, (fmt, languages) in EXPECTED.items():
        stored = by_file[name]
        assert [d["language"] for d in stored] == languages, name
        assert {d["format"] for d in stored} == {fmt}, name
        assert all(int(str(d["paragraphs"])) >= 3 and int(str(d["figures"])) >= 3 for d in stored), name
    assert Counter(d["language"] for d in docs) == {"en": 4, "zh": 3}
    assert {str(d["title"]) for d in docs} == set(TITLES.values())
    # a second ingest of the same folder stores nothing new
    code, out = run(capsys, "ingest", str(EXAMPLE_DOCUMENTS), "--db", str(tmp_path / "e.db"), "--json")
    assert code == 0 and json.loads(out)["ingested"] == 0 and json.loads(out)["duplicates"] == 7


def test_the_digest_page_splits_into_its_articles() -> None:
    path = EXAMPLE_DOCUMENTS / "digest-export-controls.txt"
    gallium, seven, antimony = parse_text(read_document_file(path), path.name)
    assert [d.title for d in (gallium, seven, antimony)] == [TITLES["digest"], TITLES["seven"],
                                                                 TITLES["antimony"]]
    assert {d.publisher for d in (gallium, seven, antimony)} == {"Critmin Sample Brief"}
    assert gallium.published == datetime(2025, 8, 1, 9, 30)
    assert antimony.published == datetime(2024, 11, 20)
    assert gallium.viewpoint is not None and gallium.viewpoint.startswith("China's licensing of gallium")
    assert [(p.group, p.heading, p.refs) for p in gallium.points] == [
        (1, "The Measures", [1, 3]), (1, "The Measures", [4, 5]),
        (2, "Concentration", [6]), (2, "Concentration", [7, 8]), (3, "Outlook", [9]),
    ]
    assert antimony.points == [] and len(antimony.paragraphs) == 3


def test_the_markdown_post_keeps_english_twins_and_front_matter(capsys: pytest.CaptureFixture[str],
                                                                db: str) -> None:
    [post] = [d for d in documents(capsys, db) if d["format"] == "markdown"]
    code, out = run(capsys, "show", str(post["id"]), "--db", db, "--json")
    view = json.loads(out)
    assert code == 0 and view["summary"]["publisher"] == "Critmin Sample Brief"
    assert view["summary"]["published"].startswith("2025-05-20")
    paragraphs = view["paragraphs"][1:]
    assert len(paragraphs) == 5 and all(p["english"] for p in paragraphs)
    assert {p["heading"] for p in paragraphs} == {"开采", "分离与磁体", "出口许可"}
    assert "MP Materials" in {e["name"] for e in view["entities"]}


def test_figures_are_extracted_with_their_sentences(capsys: pytest.CaptureFixture[str], db: str) -> None:
    code, out = run(capsys, "facts", "--db", db, "--json")
    rows = json.loads(out)
    assert code == 0 and len(rows) >= 50
    found = {(r["title"], r["kind"], r["value"], r["original"]) for r in rows}
    assert {
        (TITLES["digest"], "percent", 98.0, "98%"),
        (TITLES["html"], "money", 3.4e9, "$3.4 billion"),
        (TITLES["html"], "date", 20230703.0, "July 3, 2023"),
        (TITLES["seven"], "mass", 1238.0, "1,238 tonnes"),
        (TITLES["magnets"], "mass", 270000.0, "27万吨"),
        (TITLES["magnets"], "mass", 270000.0, "270,000 tonnes"),
        (TITLES["notes"], "mass", 1.27e6, "1.27 million tonnes"),
        (TITLES["quotas"], "money", 1410.0, "1410美元"),
        (TITLES["antimony"], "date", 20240915.0, "2024年9月15日"),
    } <= found
    gallium = next(r for r in rows if r["title"] == TITLES["digest"] and r["original"] == "98%")
    assert (gallium["material"], gallium["country"]) == ("Ga", "CHN")
    assert gallium["sentence"].startswith("China refined about 750 tonnes") and gallium["paragraph"] == 4


@pytest.mark.parametrize(("query", "lang", "top", "also"), [
    ("gallium", None, {"html", "digest"}, {"notes"}),  # the notes name gallium once, in passing
    ("镓", None, {"html", "digest"}, {"notes"}),  # a Chinese query finds the English texts
    ("稀土", "zh", {"quotas", "magnets"}, set()),
    ("rare earths", "zh", {"quotas", "magnets"}, set()),  # an English query finds the Chinese texts
    ("graphite", None, {"notes"}, {"html"}),
    ("antimony", "zh", {"antimony"}, set()),
])
def test_search_finds_the_expected_documents(capsys: pytest.CaptureFixture[str], db: str, query: str,
                                              lang: str | None, top: set[str], also: set[str]) -> None:
    """`top`: the best hits, in any order; `also`: the rest of the hits."""
    args = ["search", query, "--db", db, "--json"] + (["--lang", lang] if lang else [])
    code, out = run(capsys, *args)
    titles = [hit["title"] for hit in json.loads(out)]
    assert code == 0 and len(titles) == len(top | also)
    assert set(titles[: len(top)]) == {TITLES[key] for key in top}
    assert set(titles) == {TITLES[key] for key in top | also}


def test_the_demo_ingests_the_samples(kb: KnowledgeBase) -> None:
    with sample_documents() as folder:
        assert folder is not None
        assert sorted(p.name for p in folder.iterdir()) == sorted(EXPECTED)
    console = Console(record=True, width=200)
    evidence_tour(console, kb)
    text = console.export_text()
    assert "Ingested 7 documents from 5 sample files (failed 0)" in text
    # the Chinese query finds the Chinese digest and, across languages, the English page
    top = [line for line in text.splitlines() if line.strip()[:3] in ("1. ", "2. ", "3. ")]
    assert any(TITLES["html"] in line for line in top[:2]), top
    assert any(TITLES["digest"] in line for line in top[:2]), top
    assert "98% (percent; gallium; China)" in text and "paragraph 4" in text
