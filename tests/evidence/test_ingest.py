"""Ingest: counts, idempotence, near-duplicates, bad files, atomicity."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from critmin.evidence import prepare as prepare_module
from critmin.evidence.extract import extract_figures
from critmin.evidence.ingest import expand_paths, ingest_document, ingest_paths, ingest_uploads
from critmin.evidence.link import linker_for
from critmin.evidence.models import ParsedDocument, ParsedParagraph
from critmin.evidence.searching import search
from critmin.evidence.store import MIGRATIONS, SCHEMA_VERSION, connect, schema_version
from critmin.evidence.writer import DocumentWriter
from critmin.kb import KnowledgeBase
from tests.evidence.conftest import CORPUS, FIXTURES, GOOD_FIXTURES, ingest


def count(conn: sqlite3.Connection, table: str) -> int:
    return int(conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0])


def test_corpus_counts(conn: sqlite3.Connection, kb: KnowledgeBase) -> None:
    for name, expected in (("alliance.txt", 1), ("supply-chain-restructuring.txt", 10),
                           ("export-controls-technology.txt", 1)):
        report = ingest(conn, kb, CORPUS / name)
        assert (report.ingested, report.failed) == (expected, [])
    assert count(conn, "documents") == 12


def test_same_content_twice_adds_nothing(conn: sqlite3.Connection, kb: KnowledgeBase) -> None:
    first = ingest(conn, kb, CORPUS, *GOOD_FIXTURES)
    before = {t: count(conn, t) for t in ("documents", "paragraphs", "mentions", "figures")}
    again = ingest(conn, kb, CORPUS, *GOOD_FIXTURES)
    assert first.ingested == 18 and again.ingested == 0 and again.duplicates == 18
    assert {t: count(conn, t) for t in before} == before


def test_republished_story_is_linked_not_stored(conn: sqlite3.Connection, kb: KnowledgeBase,
                                                tmp_path: Path) -> None:
    ingest(conn, kb, CORPUS / "supply-chain-restructuring.txt")
    text = (CORPUS / "supply-chain-restructuring.txt").read_text("utf-8").splitlines()
    title, byline, body = text[2], text[3], text[4]
    copy = tmp_path / "copy.txt"
    copy.write_text(f"{title}(转载)\nWang Yi Cai Jing· 2025-10-27 08:00\n{body} Editor: Li.\n", "utf-8")
    report = ingest(conn, kb, copy)
    assert (report.ingested, report.near_duplicates) == (0, 1)
    row = conn.execute("SELECT n.original_id, d.title FROM near_duplicates n "
                       "JOIN documents d ON d.id = n.original_id").fetchone()
    assert row["title"] == title and byline.startswith("Sou Hu")


def test_bad_files_are_reported_and_the_batch_goes_on(conn: sqlite3.Connection, kb: KnowledgeBase) -> None:
    bad = [FIXTURES / "empty.txt", FIXTURES / "image.txt", FIXTURES / "broken-front-matter.md"]
    report = ingest(conn, kb, *bad, CORPUS / "alliance.txt", FIXTURES / "nope.txt")
    assert report.ingested == 1
    assert report.failed == [
        f"{FIXTURES / 'empty.txt'}: empty file",
        f"{FIXTURES / 'image.txt'}: binary file, not text",
        f"{FIXTURES / 'broken-front-matter.md'}: broken front matter: no closing `---` line",
        f"{FIXTURES / 'nope.txt'}: no such file",
    ]
    assert report.exit_code == 3


def test_a_failed_document_writes_nothing(conn: sqlite3.Connection, kb: KnowledgeBase,
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    calls = {"n": 0}
    real = extract_figures

    def failing(text: str) -> list[object]:
        calls["n"] += 1
        if calls["n"] == 3:
            raise ValueError("boom")
        return real(text)  # type: ignore[return-value]

    monkeypatch.setattr(prepare_module, "extract_figures", failing)
    report = ingest(conn, kb, CORPUS / "export-controls-technology.txt")
    assert report.ingested == 0 and report.failed[0].endswith("ValueError: boom")
    for table in ("documents", "paragraphs", "mentions", "figures"):
        assert count(conn, table) == 0
    assert conn.execute("SELECT count(*) FROM search").fetchone()[0] == 0


def test_interrupted_batch_rerun_stores_each_once(conn: sqlite3.Connection, kb: KnowledgeBase,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    """Interrupted in the third file (ten documents): the two finished files are kept, nothing of
    the third, and a second run stores the rest once."""
    real = DocumentWriter._write_one
    seen = {"n": 0}

    def interrupt(*args: object, **kwargs: object) -> object:
        seen["n"] += 1
        if seen["n"] == 6:
            raise KeyboardInterrupt
        return real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(DocumentWriter, "_write_one", interrupt)
    with pytest.raises(KeyboardInterrupt):
        ingest(conn, kb, CORPUS)
    assert count(conn, "documents") == 2
    assert conn.execute("SELECT count(*) FROM search").fetchone()[0] == 2
    monkeypatch.setattr(DocumentWriter, "_write_one", real)
    report = ingest(conn, kb, CORPUS)
    assert (report.ingested, report.duplicates) == (10, 2)
    assert count(conn, "documents") == 12


def test_records_keep_structure(loaded: sqlite3.Connection) -> None:
    doc = loaded.execute("SELECT * FROM documents WHERE title LIKE '中美博弈再升级%'").fetchone()
    assert doc["publisher"] == "Sou Hu Cai Jing" and doc["published"] == "2025-10-26 05:56:00"
    assert doc["viewpoint"].startswith("The ongoing \"rare earth war\"")
    points = loaded.execute("SELECT heading, group_no, refs FROM paragraphs WHERE document_id = ? "
                            "AND group_no IS NOT NULL ORDER BY position", (doc["id"],)).fetchall()
    assert points[0]["group_no"] == 1 and points[0]["heading"] == "Importance of Rare Earths"
    assert json.loads(points[0]["refs"]) == [1, 3]


def test_bilingual_paragraphs_and_front_matter_mentions(loaded: sqlite3.Connection) -> None:
    doc = loaded.execute("SELECT id, summary FROM documents WHERE format = 'markdown'").fetchone()
    assert doc["summary"].startswith("一位材料分析师")
    twins = loaded.execute("SELECT text, english FROM paragraphs WHERE document_id = ? AND position > 0",
                           (doc["id"],)).fetchall()
    assert twins and all(t["english"] for t in twins)
    meta = {(m["kind"], m["name"], m["entity_id"]) for m in loaded.execute(
        "SELECT kind, name, entity_id FROM mentions WHERE document_id = ? AND field = 'meta'",
        (doc["id"],))}
    assert ("companies_orgs", "Lynas Rare Earths", "lynas") in meta
    assert ("companies_orgs", "北方稀土", "northern-rare-earth") in meta
    assert ("people", "Maria Keller", None) in meta


def test_entities_are_linked(loaded: sqlite3.Connection) -> None:
    linked = {r[0] for r in loaded.execute("SELECT DISTINCT entity_id FROM mentions")}
    assert {"REE", "USA", "CHN", "tsmc", "W", "KAZ", "Li", "Ga"} <= linked


def test_figures_carry_their_sentence(loaded: sqlite3.Connection) -> None:
    f35 = loaded.execute("SELECT * FROM figures WHERE original LIKE '417%'").fetchone()
    assert f35["kind"] == "mass" and f35["value"] == 417 and f35["unit"] == "kg"
    assert "F-35" in f35["sentence"]
    title_figure = loaded.execute("SELECT f.*, p.position FROM figures f JOIN paragraphs p "
                                  "ON p.id = f.paragraph_id WHERE original = '2582吨'").fetchone()
    assert title_figure["position"] == 0 and title_figure["value"] == 2582 and title_figure["unit"] == "t"
    assert title_figure["material_id"] == "REE"


def test_schema_is_versioned_and_wal(conn: sqlite3.Connection) -> None:
    assert schema_version(conn) == SCHEMA_VERSION == 3
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1


def _snapshot(conn: sqlite3.Connection) -> dict[str, list[tuple[object, ...]]]:
    return {
        "documents": [tuple(r) for r in conn.execute(
            "SELECT id, content_hash, title, publisher, published FROM documents ORDER BY id")],
        "paragraphs": [tuple(r) for r in conn.execute(
            "SELECT id, document_id, position, text, english FROM paragraphs ORDER BY id")],
        "mentions": [tuple(r) for r in conn.execute(
            "SELECT document_id, paragraph_id, entity_id, name, start FROM mentions ORDER BY id")],
        "figures": [tuple(r) for r in conn.execute(
            "SELECT paragraph_id, kind, value, unit, material_id FROM figures ORDER BY id")],
        "search": [tuple(r) for r in conn.execute(
            "SELECT rowid FROM search WHERE search MATCH 'chars:镓' ORDER BY rowid")],
    }


def test_worker_processes_store_exactly_what_one_process_stores(tmp_path: Path, kb: KnowledgeBase) -> None:
    files = expand_paths([CORPUS, *GOOD_FIXTURES]) * 3  # repeats are duplicates, in order
    snapshots = []
    for workers in (0, 2):
        conn = connect(tmp_path / f"w{workers}.db")
        report = ingest_paths(conn, linker_for(kb), files, workers=workers)
        assert report.failed == [] and report.duplicates == 2 * report.ingested
        snapshots.append(_snapshot(conn))
        conn.close()
    assert snapshots[0]["search"], "the search index must hold the documents"
    assert snapshots[0] == snapshots[1]


def test_bad_files_are_reported_from_worker_processes(tmp_path: Path, kb: KnowledgeBase) -> None:
    conn = connect(tmp_path / "bad.db")
    files = [*expand_paths([FIXTURES]), tmp_path / "missing.txt"]
    report = ingest_paths(conn, linker_for(kb), files, workers=2)
    single = ingest_paths(connect(tmp_path / "single.db"), linker_for(kb), files, workers=0)
    assert report.failed == single.failed and any("missing.txt: no such file" in f for f in report.failed)
    assert report.exit_code == 3


def test_a_version_1_store_is_upgraded_and_still_finds_republished_stories(
        tmp_path: Path, kb: KnowledgeBase) -> None:
    path = tmp_path / "v1.db"
    old = sqlite3.connect(path)
    script = MIGRATIONS[1][0]
    assert isinstance(script, str)
    old.executescript(script)
    lines = (CORPUS / "supply-chain-restructuring.txt").read_text("utf-8").splitlines()
    title, body = lines[2], lines[4]
    old.execute("INSERT INTO documents (id, content_hash, minhash, title, language, format, body,"
                " ingested_at) VALUES (1, 'old', x'00', ?, 'zh', 'text', ?, '2025-01-01')", (title, body))
    old.execute("INSERT INTO paragraphs (document_id, position, text) VALUES (1, 0, ?), (1, 1, ?)",
                (title, body))
    old.execute("PRAGMA user_version = 1")
    old.commit()
    old.close()
    conn = connect(path)
    assert schema_version(conn) == SCHEMA_VERSION
    assert conn.execute("SELECT count(*) FROM minhash_keys WHERE document_id = 1").fetchone()[0] == 20
    assert [h.id for h in search(conn, kb, title.split()[0][:2])] == [1]
    republished = ParsedDocument(title=title + "(转载)", language="zh", format="text",
                                 body=body + " Editor: Li.",
                                 paragraphs=[ParsedParagraph(text=body + " Editor: Li.")])
    assert ingest_document(conn, linker_for(kb), republished, source_file=None) == ("near-duplicate", 1)


def test_uploads_are_ingested_from_memory_and_names_are_only_labels(
        tmp_path: Path, kb: KnowledgeBase) -> None:
    conn = connect(tmp_path / "uploads.db")
    text = (FIXTURES / "chinese-gb18030.txt").read_bytes()
    report = ingest_uploads(conn, linker_for(kb), [("../../etc/passwd", text), ("empty.txt", b"")])
    assert report.ingested == 1 and report.failed == ["empty.txt: empty file"]
    source = conn.execute("SELECT source_file FROM documents").fetchone()[0]
    assert source == "upload:../../etc/passwd"
    again = ingest_uploads(conn, linker_for(kb), [("copy.txt", text)])
    assert (again.ingested, again.duplicates) == (0, 1)
