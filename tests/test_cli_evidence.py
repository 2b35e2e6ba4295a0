"""The evidence commands end to end: ingest, search, facts, docs, show, digest, workflows."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from critmin.cli import main
from critmin.kb import KnowledgeBase
from tests.conftest import EXAMPLE_DOCUMENTS

FIXTURES = Path(__file__).parent / "fixtures" / "evidence"
HTML = EXAMPLE_DOCUMENTS / "gallium-germanium-licences.html"


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


@pytest.fixture
def db(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> str:
    path = str(tmp_path / "ev.db")
    code, out, _ = run(capsys, "ingest", str(EXAMPLE_DOCUMENTS), "--db", path)
    assert code == 0 and out.strip() == "ingested 7, duplicates 0 (0 near-duplicates linked), failed 0"
    return path


def test_ingest_reports_and_exit_codes(db: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "ingest", str(EXAMPLE_DOCUMENTS), "--db", db)
    assert code == 0 and out.startswith("ingested 0, duplicates 7")
    code, out, err = run(capsys, "ingest", str(FIXTURES / "empty.txt"), str(FIXTURES / "article.html"),
                         "--db", db)
    assert code == 3
    assert f"{FIXTURES / 'empty.txt'}: empty file" in err and "Traceback" not in err
    assert out.strip().endswith("failed 1")
    code, out, _ = run(capsys, "ingest", str(FIXTURES / "digest-mixed.txt"), "--db", db, "--json")
    assert json.loads(out)["ingested"] == 2


def test_db_from_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                             capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("CRITMIN_DB", str(tmp_path / "env.db"))
    assert run(capsys, "ingest", str(HTML))[0] == 0
    assert (tmp_path / "env.db").exists()
    assert len(json.loads(run(capsys, "docs", "--json")[1])) == 1


def test_search(db: str, capsys: pytest.CaptureFixture[str]) -> None:
    hits = json.loads(run(capsys, "search", "稀土", "--db", db, "--json")[1])
    assert hits and {"id", "title", "publisher", "published", "language", "score", "snippet"} <= set(hits[0])
    code, out, _ = run(capsys, "search", "镓 Kazakhstan", "--db", db)  # a Chinese and an English term
    assert code == 0 and out.count("镓锗出口许可实施两年") == 1 and "From licences to a ban" not in out
    code, out, _ = run(capsys, "search", "antimony", "--lang", "zh", "--db", db, "--json")
    assert code == 0 and [hit["title"] for hit in json.loads(out)] == ["锑出口管制后海外供应趋紧"]
    code, out, _ = run(capsys, "search", '" OR * NEAR(', "--db", db)
    assert code in (0, 2) and "Traceback" not in out
    code, _, err = run(capsys, "search", "稀土", "--since", "last week", "--db", db)
    assert code == 2 and "--since 'last week' is not a date" in err


def test_search_says_how_it_read_the_query(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = str(tmp_path / "shapes.db")
    assert run(capsys, "ingest", str(FIXTURES.parent / "evidence_search"), "--db", path)[0] == 0
    code, out, _ = run(capsys, "search", "稀土关税", "--db", path)
    assert code == 0 and "read as: 稀土 (rare earths) + 关税 (tariff)" in out
    hits = json.loads(run(capsys, "search", "NdFeB Trump", "--db", path, "--json")[1])
    assert hits and {"id", "title", "score", "relevance", "snippet", "match", "matched", "lang",
                     "read_as"} <= set(hits[0])
    assert {h["match"] for h in hits} == {"partial"}
    code, out, _ = run(capsys, "search", "NdFeB Trump", "--db", path)
    flat = " ".join(out.split())
    assert "hold only some of the words (partial)" in flat and "partial: 1 of the query's concepts" in flat
    hits = json.loads(run(capsys, "search", "稀土", "--lang", "zh", "--db", path, "--json")[1])
    digest = next(h for h in hits if h["title"] == "稀土永磁出口回落")
    assert digest["language"] == "en" and digest["lang"] == "zh"


def test_facts_docs_show(db: str, kb: KnowledgeBase, capsys: pytest.CaptureFixture[str]) -> None:
    rows = json.loads(run(capsys, "facts", "--material", "稀土", "--db", db, "--json")[1])
    family = {"REE"} | {m.id for m in kb.materials.values() if m.parent == "REE"}
    assert rows and {"REE", "Dy"} <= {r["material"] for r in rows} <= family
    assert {"value", "unit", "sentence", "title", "publisher", "published", "paragraph"} <= set(rows[0])
    docs = json.loads(run(capsys, "docs", "--db", db, "--json")[1])
    assert len(docs) == 7
    code, out, _ = run(capsys, "show", str(docs[0]["id"]), "--db", db)
    assert code == 0 and docs[0]["title"] in out
    code, _, err = run(capsys, "show", "4242", "--db", db)
    assert code == 1 and err.startswith("error: no document with id 4242")


def test_digest_and_workflows(db: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "digest", "rare earth export controls", "--db", db)
    assert code == 0 and out.startswith("# rare earth export controls") and "Core Viewpoint - " in out
    data = json.loads(run(capsys, "digest", "稀土", "--db", db, "--json")[1])
    assert data["references"] and data["viewpoint"]["refs"]
    assert run(capsys, "workflow", "add", "gallium", "gallium licences", "--db", db)[0] == 0
    code, out, _ = run(capsys, "workflow", "run", "gallium", "--db", db)
    assert code == 0 and "Group 1:" in out
    code, _, err = run(capsys, "workflow", "run", "nope", "--db", db)
    assert code == 1 and "no workflow named 'nope'; saved workflows: gallium" in err


def test_reading_before_ingesting(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "search", "稀土", "--db", str(tmp_path / "none.db"))
    assert code == 1 and "no evidence database yet" in err


def test_relative_folders_with_dot_dot_are_walked(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    """`critmin ingest ../corpus`: `..` is not a hidden folder, but `.git` below the folder is."""
    corpus = tmp_path / "corpus"
    (corpus / ".git").mkdir(parents=True)
    (corpus / HTML.name).write_bytes(HTML.read_bytes())
    (corpus / ".git" / "notes.txt").write_text("Not a document\nskipped", "utf-8")
    (tmp_path / "here").mkdir()
    (tmp_path / "empty").mkdir()
    monkeypatch.chdir(tmp_path / "here")
    code, out, _ = run(capsys, "ingest", "../corpus", "--db", str(tmp_path / "rel.db"))
    assert code == 0 and out.strip() == "ingested 1, duplicates 0 (0 near-duplicates linked), failed 0"
    code, _, err = run(capsys, "ingest", "../empty", "--db", str(tmp_path / "rel.db"))
    assert code == 1 and err.strip() == "error: no files to ingest in ../empty"
