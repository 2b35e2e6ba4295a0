"""Hostile input to ingest and the evidence commands: each failure one line, nothing half-written.

One test (or a few) per cause found by feeding malformed files to `critmin ingest`: deep YAML,
huge numbers, undecodable file names, unreadable entries, named pipes, one bad file in a folder,
quadratic linking, corrupted UTF-8, search scores that printed as 0.00, workflows overwritten in
silence. The property-based sweep over generated documents is tests/test_hostile_ingest.py.
"""

from __future__ import annotations

import errno
import itertools
import json
import os
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from critmin.cli import main
from critmin.evidence import ingest as ingest_module
from critmin.evidence import prepare as prepare_module
from critmin.evidence.extract import MAX_NUMBER_CHARS, MAX_SENTENCE_CHARS, extract_figures
from critmin.evidence.ingest import collect_paths, ingest_paths, ingest_uploads
from critmin.evidence.link import Linker, Mention, linker_for
from critmin.evidence.models import ParsedDocument, ParsedParagraph
from critmin.evidence.parse import DocumentError, parse_text, read_document_file
from critmin.evidence.parse.digest import marker_numbers, parse_summary
from critmin.evidence.prepare import NearestEntity, prepare_document
from critmin.evidence.store import connect
from critmin.evidence.writer import DocumentWriter
from critmin.kb import KnowledgeBase

GOOD = "Gallium notes\n\nChina produced 98% of the world's gallium in 2024, about 600 tons.\n"
DIGEST = (
    "Topic\n\n"
    "{title}\nSou Hu Cai Jing· 2025-10-26 05:56\n"
    "Core Viewpoint - Rare earth exports fell 12% in October [1]. Group {group}: Exports - "
    "Shipments of magnets to the U.S. fell [2][3] - Prices rose 8% [4]\n"
)


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    captured = capsys.readouterr()
    assert code != 70 and "Traceback" not in captured.out + captured.err, captured.err
    return code, captured.out, captured.err


def failure_lines(err: str) -> list[str]:
    """stderr without the progress bar."""
    return [line for line in err.splitlines() if line.strip() and not line.startswith("ingesting")]


def rows(db: Path) -> dict[str, list[tuple[Any, ...]]]:
    """Every stored row that a document writes (timestamps left out), for before/after checks."""
    with sqlite3.connect(db) as conn:
        return {
            "documents": conn.execute("SELECT id, content_hash, title, source_file FROM documents"
                                      " ORDER BY id").fetchall(),
            "paragraphs": conn.execute("SELECT id, document_id, position, text FROM paragraphs"
                                       " ORDER BY id").fetchall(),
            "mentions": conn.execute("SELECT count(*) FROM mentions").fetchall(),
            "figures": conn.execute("SELECT count(*) FROM figures").fetchall(),
            "search": conn.execute("SELECT count(*) FROM search").fetchall(),
            "near_duplicates": conn.execute("SELECT count(*) FROM near_duplicates").fetchall(),
        }


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return tmp_path / "ev.db"


@pytest.fixture
def conn(db: Path) -> Iterator[sqlite3.Connection]:
    connection = connect(db)
    yield connection
    connection.close()


# --- 1. deep YAML, huge numbers, giant group numbers --------------------------------------------


def test_deeply_nested_front_matter_is_a_broken_front_matter_line(tmp_path: Path, db: Path,
                                                                  capsys: pytest.CaptureFixture[str]) -> None:
    deep = tmp_path / "deep.md"
    deep.write_text("---\ntitle: x\ntags: " + "[" * 5000 + "]" * 5000 + "\n---\nBody text.\n", "utf-8")
    good = tmp_path / "good.txt"
    good.write_text(GOOD, "utf-8")
    code, out, err = run(capsys, "ingest", str(deep), str(good), "--db", str(db))
    assert code == 3
    assert failure_lines(err) == [f"{deep}: broken front matter: nested deeper than 100 levels"]
    assert out.strip() == "ingested 1, duplicates 0 (0 near-duplicates linked), failed 1"


@pytest.mark.parametrize("value", [":".join(["1"] * 3000), "1" + "_0" * 400, "1" * 101])
def test_huge_integers_in_front_matter_are_refused(value: str) -> None:
    with pytest.raises(DocumentError, match=r"^post\.md: broken front matter: .*(100 digits|number)"):
        parse_text(f"---\ntitle: T\nvalue: {value}\n---\nBody.\n", "post.md")


@pytest.mark.parametrize("text", [
    "There were " + "9" * 5000 + " tons of ore.",
    "Output rose " + "9" * 5000 + "% and $" + "1" * 5000 + " billion was spent.",
    "We counted " + "1,000" * 2000 + " mines.",
    "〇" * 5000 + "年",
    "产量为" + "一" * 3 + "亿" * 60 + "吨",
    "纯度 " + "九" * 5000 + "个9",
])
def test_long_digit_runs_are_not_figures_and_never_raise(text: str) -> None:
    figures = extract_figures(text + " Prices rose 8% in 2024.")
    assert all(len(f.original) <= MAX_NUMBER_CHARS + 20 for f in figures)
    assert all(f.value == f.value and abs(f.value) != float("inf") for f in figures)
    assert ("change", 8.0) in [(f.kind, f.value) for f in figures]


def test_a_group_number_beyond_64_bits_is_not_a_group_header(tmp_path: Path, db: Path,
                                                             capsys: pytest.CaptureFixture[str]) -> None:
    summary = parse_summary("Core Viewpoint - A [1]. Group 99999999999999999999999: B - C [2] - D [3]")
    assert summary is not None and all(p.group is None for p in summary[1])
    assert marker_numbers("[99999999999999999999999][2]") == [2]
    page = tmp_path / "digest.txt"
    page.write_text(DIGEST.format(title="稀土出口下降", group="9" * 30), "utf-8")
    code, out, _ = run(capsys, "ingest", str(page), "--db", str(db))
    assert code == 0 and out.startswith("ingested 1,")
    with sqlite3.connect(db) as stored:
        assert stored.execute("SELECT count(*) FROM paragraphs WHERE group_no IS NOT NULL").fetchone()[0] == 0


# --- 2. file names that are not UTF-8 -------------------------------------------------------------


def test_file_names_with_invalid_utf8_are_stored_and_shown_escaped(
        tmp_path: Path, db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = os.fsencode(tmp_path / "in")
    os.mkdir(folder)
    with open(os.path.join(folder, b"notes-\xff\xfe.txt"), "wb") as handle:
        handle.write(GOOD.encode())
    with open(os.path.join(folder, b"empty-\xc3.txt"), "wb"):
        pass
    code, out, err = run(capsys, "ingest", os.fsdecode(folder), "--db", str(db))
    assert code == 3 and out.startswith("ingested 1,")
    assert failure_lines(err) == [f"{tmp_path}/in/empty-\\xc3.txt: empty file"]
    with sqlite3.connect(db) as stored:
        source, title = stored.execute("SELECT source_file, title FROM documents").fetchone()
    assert source == f"{tmp_path}/in/notes-\\xff\\xfe.txt" and title == "Gallium notes"
    code, out, _ = run(capsys, "docs", "--db", str(db), "--json")
    assert code == 0 and json.loads(out)[0]["source_file"] == source


def test_a_title_taken_from_an_undecodable_name_is_escaped(kb: KnowledgeBase, conn: sqlite3.Connection,
                                                           tmp_path: Path) -> None:
    path = Path(os.fsdecode(os.fsencode(tmp_path) + b"/\xff.txt"))
    path.write_bytes(b"A first line far longer than any title could be: " + b"x" * 300 + b"\n")
    report = ingest_paths(conn, linker_for(kb), [path])
    assert report.failed == [] and report.ingested == 1
    assert conn.execute("SELECT title FROM documents").fetchone()[0] == "\\xff"


# --- 3. over-long paths, unwritable databases, loops and unreadable entries -------------------


def test_an_unwritable_db_folder_is_one_error_line(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    good = tmp_path / "good.txt"
    good.write_text(GOOD, "utf-8")
    blocker = tmp_path / "a-file"
    blocker.write_text("x", "utf-8")
    target = blocker / "sub" / "ev.db"
    code, _, err = run(capsys, "ingest", str(good), "--db", str(target))
    assert code == 1
    assert err == f"error: {target}: cannot open the database: {blocker} is a file, not a folder\n"

    def refuse(self: Path, *args: object, **kwargs: object) -> None:
        raise PermissionError(errno.EACCES, "Permission denied", str(self))

    monkeypatch.setattr(Path, "mkdir", refuse)
    target = tmp_path / "locked" / "ev.db"
    code, _, err = run(capsys, "ingest", str(good), "--db", str(target))
    assert (code, err) == (1, f"error: {target}: cannot open the database: permission denied\n")


@pytest.mark.parametrize("name", ["folder", "pipe", "too-long"])
def test_a_db_path_that_cannot_be_a_database(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                             name: str) -> None:
    good = tmp_path / "good.txt"
    good.write_text(GOOD, "utf-8")
    target = {"folder": tmp_path, "pipe": tmp_path / "pipe",
              "too-long": tmp_path / (("d" * 250 + "/") * 20)}[name]
    if name == "pipe":
        os.mkfifo(target)
    code, _, err = run(capsys, "ingest", str(good), "--db", str(target))
    assert code == 1 and err.count("\n") == 1 and ": cannot open the database: " in err


def test_link_loops_broken_links_and_unreadable_files_are_reported_and_the_rest_stored(
        tmp_path: Path, db: Path, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "a-good.txt").write_text(GOOD, "utf-8")
    (folder / "loop-1").symlink_to(folder / "loop-2")
    (folder / "loop-2").symlink_to(folder / "loop-1")
    (folder / "broken").symlink_to(folder / "missing")
    (folder / "z-locked.txt").write_text("Locked\n\nNot to be read.\n", "utf-8")
    (folder / "self").symlink_to(folder)  # a link to a folder is not followed
    real_open = Path.open

    def locked(self: Path, *args: Any, **kwargs: Any) -> Any:
        if self.name == "z-locked.txt":
            raise PermissionError(errno.EACCES, "Permission denied", str(self))
        return real_open(self, *args, **kwargs)

    monkeypatch.setattr(Path, "open", locked)
    code, out, err = run(capsys, "ingest", str(folder), "--db", str(db))
    assert code == 3
    assert sorted(failure_lines(err)) == [
        f"{folder}/broken: broken symbolic link or symlink loop",
        f"{folder}/loop-1: broken symbolic link or symlink loop",
        f"{folder}/loop-2: broken symbolic link or symlink loop",
        f"{folder}/z-locked.txt: cannot read: permission denied",
    ]
    assert out.strip() == "ingested 1, duplicates 0 (0 near-duplicates linked), failed 4"


def test_over_long_paths_are_reported_by_name(tmp_path: Path, db: Path, capsys: pytest.CaptureFixture[str],
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    given_path = tmp_path / (("x" * 200 + "/") * 25) / "doc.txt"
    # a real folder deeper than PATH_MAX, built one relative step at a time
    monkeypatch.chdir(tmp_path)
    os.mkdir("deep")
    os.chdir("deep")
    for _ in range(22):
        os.mkdir("y" * 200)
        os.chdir("y" * 200)
    Path("doc.txt").write_text(GOOD, "utf-8")
    monkeypatch.chdir(tmp_path)
    (tmp_path / "deep" / "ok.txt").write_text(GOOD.replace("98%", "97%"), "utf-8")
    code, out, err = run(capsys, "ingest", str(given_path), str(tmp_path / "deep"), "--db", str(db))
    given_line, deep_line = sorted(failure_lines(err), key=lambda line: "cannot list" in line)
    assert code == 3 and out.startswith("ingested 1,")
    assert given_line.endswith("/doc.txt: the path is too long") and "…" in given_line
    assert deep_line.startswith(f"{tmp_path}/deep/yyy") and deep_line.endswith(
        ": cannot list folder: the path is too long")
    assert len(given_line) < 400 and len(deep_line) < 400


def test_an_unreadable_subfolder_is_a_failure_line_not_silence(tmp_path: Path, db: Path,
                                                               capsys: pytest.CaptureFixture[str],
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    folder = tmp_path / "in"
    (folder / "locked").mkdir(parents=True)
    (folder / "locked" / "hidden-from-us.txt").write_text(GOOD, "utf-8")
    (folder / "good.txt").write_text(GOOD, "utf-8")
    real_scandir = os.scandir

    def scandir(path: Any) -> Any:
        if os.fspath(path).endswith("locked"):
            raise PermissionError(errno.EACCES, "Permission denied", os.fspath(path))
        return real_scandir(path)

    monkeypatch.setattr(os, "scandir", scandir)
    code, out, err = run(capsys, "ingest", str(folder), "--db", str(db))
    assert code == 3 and out.startswith("ingested 1,")
    assert failure_lines(err) == [f"{folder}/locked: cannot list folder: permission denied"]
    files, failures = collect_paths([folder])
    assert files == [folder / "good.txt"] and len(failures) == 1


# --- 4. one bad file never stops the batch ------------------------------------------------------


@pytest.mark.parametrize("error", [OverflowError("int too big"), RecursionError("deep"),
                                   UnicodeEncodeError("utf-8", "\udcff", 0, 1, "surrogates not allowed"),
                                   ValueError("bad"), OSError(errno.EIO, "Input/output error")])
@pytest.mark.parametrize("workers", [0, 2])
def test_a_file_that_raises_in_preparation_is_its_own_failure(
        tmp_path: Path, kb: KnowledgeBase, monkeypatch: pytest.MonkeyPatch, error: Exception,
        workers: int) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    for index, word in enumerate(["alpha", "BOOM", "gamma"]):
        (folder / f"{index}.txt").write_text(f"{word} notes\n\n{word} output rose 8% in 2024.\n", "utf-8")
    def failing(text: str) -> Any:
        if "BOOM" in text:
            raise error
        return extract_figures(text)

    monkeypatch.setattr(prepare_module, "extract_figures", failing)
    conn = connect(tmp_path / "ev.db")
    report = ingest_paths(conn, linker_for(kb), collect_paths([folder])[0], workers=workers)
    assert report.ingested == 2 and report.exit_code == 3
    assert len(report.failed) == 1 and report.failed[0].startswith(f"{folder / '1.txt'}: ")
    assert "\n" not in report.failed[0]
    titles = [r[0] for r in conn.execute("SELECT title FROM documents ORDER BY id")]
    assert titles == ["alpha notes", "gamma notes"]


def test_an_unexpected_error_is_not_swallowed(tmp_path: Path, kb: KnowledgeBase,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "a.txt").write_text(GOOD, "utf-8")

    def broken(text: str) -> Any:
        raise KeyError("a bug, not bad input")

    monkeypatch.setattr(prepare_module, "extract_figures", broken)
    with pytest.raises(KeyError):
        ingest_paths(connect(tmp_path / "ev.db"), linker_for(kb), [tmp_path / "a.txt"], workers=0)


def test_a_file_whose_third_document_cannot_be_stored_leaves_nothing(
        tmp_path: Path, kb: KnowledgeBase, monkeypatch: pytest.MonkeyPatch) -> None:
    page = tmp_path / "page.txt"
    stories = ["Gallium prices doubled after the ban [1] - Traders hoarded stock [2]",
               "Lithium output in Chile slipped on water limits [1] - Two mines paused [3]",
               "Tungsten bids in Kazakhstan drew American firms [2] - Talks continue [4]"]
    page.write_text("".join(f"Story {i}\nSou Hu Cai Jing· 2025-10-2{i} 05:56\nCore Viewpoint - {story}\n"
                            for i, story in enumerate(stories, start=1)), "utf-8")
    good = tmp_path / "good.txt"
    good.write_text(GOOD, "utf-8")
    conn = connect(tmp_path / "ev.db")
    real = DocumentWriter._insert
    calls = {"n": 0}

    def third_fails(self: DocumentWriter, *args: Any) -> int:
        calls["n"] += 1
        if calls["n"] == 3:
            raise sqlite3.IntegrityError("constraint failed")
        return real(self, *args)

    monkeypatch.setattr(DocumentWriter, "_insert", third_fails)
    report = ingest_paths(conn, linker_for(kb), [page, good])
    assert report.failed == [f"{page}: IntegrityError: constraint failed"]
    assert [r[0] for r in conn.execute("SELECT title FROM documents")] == ["Gallium notes"]
    for table in ("paragraphs", "mentions", "figures"):
        count = conn.execute(f"SELECT count(*) FROM {table} WHERE document_id NOT IN"
                             " (SELECT id FROM documents)").fetchone()[0]
        assert count == 0, table
    assert conn.execute("SELECT count(*) FROM search").fetchone()[0] == 1
    assert tuple(conn.execute("SELECT max(id), count(*) FROM paragraphs").fetchone()) == (2, 2)  # ids reused


def test_uploads_with_odd_names_fail_on_one_line(conn: sqlite3.Connection, kb: KnowledgeBase) -> None:
    report = ingest_uploads(conn, linker_for(kb), [("two\nlines\udcff.txt", b""), ("ok.txt", GOOD.encode())])
    assert report.failed == ["two\\nlines\\xff.txt: empty file"] and report.ingested == 1


# --- 5. hangs: pipes, thousands of workers, quadratic linking ------------------------------------


def test_a_named_pipe_is_refused_not_read(tmp_path: Path, db: Path,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    os.mkfifo(folder / "pipe.txt")
    (folder / "good.txt").write_text(GOOD, "utf-8")
    code, _, err = run(capsys, "ingest", str(folder), str(folder / "pipe.txt"), "--db", str(db))
    assert code == 3
    refused = f"{folder / 'pipe.txt'}: is a named pipe, not a regular file (it would block)"
    assert failure_lines(err) == [refused, refused]


def test_workers_are_capped_at_the_cores(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(os, "cpu_count", lambda: 4)
    assert ingest_module._pool_size(10_000, 1) == 4
    assert ingest_module._pool_size(3, 1) == 3
    assert ingest_module._pool_size(1, 1000) == ingest_module._pool_size(0, 1000) == 0
    monkeypatch.setattr(os, "cpu_count", lambda: None)
    assert ingest_module._pool_size(10_000, 1000) == 0


@pytest.mark.parametrize(("args", "option"), [
    (["ingest", "x.txt", "--workers", "-1"], "--workers"),
    (["search", "稀土", "--limit", "-3"], "--limit"),
    (["search", "稀土", "--limit", "0"], "--limit"),
    (["facts", "--limit", "-1"], "--limit"),
    (["facts", "--limit", "1" + "0" * 30], "--limit"),
])
def test_negative_and_absurd_option_values_are_usage_errors(capsys: pytest.CaptureFixture[str], db: Path,
                                                            args: list[str], option: str) -> None:
    code, _, err = run(capsys, *args, "--db", str(db))
    assert code == 2 and option in err and err.count("\n") == 1


def brute_force_nearest(mentions: list[Mention], kind: str, span: tuple[int, int], at: int) -> str | None:
    """The old scan over every mention, as the reference."""
    candidates = [m for m in mentions
                  if m.kind == kind and m.entity_id and span[0] <= m.start and m.end <= span[1]]
    if not candidates:
        return None
    return min(candidates, key=lambda m: abs(m.start - at)).entity_id


@st.composite
def mentions_and_question(draw: st.DrawFn) -> tuple[list[Mention], tuple[int, int], int, str]:
    mentions = []
    position = 0
    for index in range(draw(st.integers(0, 30))):
        position += draw(st.integers(0, 6))  # a gap of 0 gives mentions that share a start
        length = draw(st.integers(1, 5))
        kind = draw(st.sampled_from(["material", "country", "organisation"]))
        entity = draw(st.sampled_from([None, f"e{index}"]))
        mentions.append(Mention(kind, entity, "x" * length, position, position + length))
        if draw(st.booleans()):
            position += length
    low = draw(st.integers(0, position + 5))
    high = draw(st.integers(low, position + 10))
    at = draw(st.integers(low, high))
    return mentions, (low, high), at, draw(st.sampled_from(["material", "country"]))


@given(mentions_and_question())
@settings(max_examples=300, deadline=None)
def test_nearest_entity_answers_as_the_scan_over_every_mention(
        case: tuple[list[Mention], tuple[int, int], int, str]) -> None:
    mentions, span, at, kind = case
    assert NearestEntity(mentions).find(kind, span, at) == brute_force_nearest(mentions, kind, span, at)


class CountingList(list[Mention]):
    """A list of mentions that counts how often it is read whole."""

    reads = 0

    def __iter__(self) -> Iterator[Mention]:
        CountingList.reads += 1
        return super().__iter__()


def test_a_one_megabyte_paragraph_reads_its_mentions_a_bounded_number_of_times(
        kb: KnowledgeBase, monkeypatch: pytest.MonkeyPatch) -> None:
    """Linking figures to entities was a scan of every mention per figure: quadratic in the
    paragraph (a 1 MB paragraph took 150 s). Now each paragraph's mentions are read a fixed
    number of times whatever the number of figures; timings are in benchmarks/evidence.py."""
    sentence = ("China exported 1,200 tons of gallium to Japan in 2024, up 8% on the year, "
                "while 美国 imported 35吨 of 稀土 from Malaysia Lynas Group. ")
    paragraph = sentence * (1_000_000 // len(sentence.encode()))
    real = Linker.mentions

    def counted(self: Linker, text: str) -> list[Mention]:
        return CountingList(real(self, text))

    monkeypatch.setattr(Linker, "mentions", counted)
    CountingList.reads = 0
    document = ParsedDocument(title="One long paragraph", language="mixed", body=paragraph,
                              paragraphs=[ParsedParagraph(text=paragraph)], format="text")
    prepared = prepare_document(linker_for(kb), document)
    figures = prepared.paragraphs[1].figures
    assert len(figures) > 20_000 and len(prepared.paragraphs[1].mentions) > 20_000
    assert CountingList.reads <= 2 * 3  # title and paragraph: rows, the index, the search tokens
    linked = {(f[8], f[9]) for f in figures}
    assert ("Ga", "CHN") in linked and ("REE", "USA") in linked


def test_text_without_sentence_breaks_quotes_a_bounded_stretch_per_figure(kb: KnowledgeBase) -> None:
    """A blob with no sentence break made every figure quote (and store, and search for) the whole
    blob: quadratic in time and memory. Each figure now quotes at most MAX_SENTENCE_CHARS around it."""
    blob = "China exported 1,200 tons of gallium to Japan, up 8%, 美国进口35吨稀土 " * 1500
    figures = extract_figures(blob)
    assert len(figures) > 4000
    for figure in figures:
        assert len(figure.sentence) <= MAX_SENTENCE_CHARS and figure.original in figure.sentence
        assert blob.find(figure.sentence, max(0, figure.start - MAX_SENTENCE_CHARS)) <= figure.start
    assert extract_figures("Output rose 8% in 2024. Prices fell.")[0].sentence == "Output rose 8% in 2024."
    document = ParsedDocument(title="blob", language="mixed", body=blob, format="text",
                              paragraphs=[ParsedParagraph(text=blob)])
    rows = prepare_document(linker_for(kb), document).paragraphs[1].figures
    assert all(row[8] == "Ga" for row in rows if row[4] == "1,200 tons")  # linked within the stretch


@given(st.lists(st.sampled_from(["Lynas Group", " 北方稀土集团", "稀土", "Baotou Steel Group ", "镝",
                                 " Group ", "China ", "公司", "Zijin Mining", ". ", "Apple Inc."]),
                max_size=40))
@settings(max_examples=150, deadline=None)
def test_organisation_names_never_overlap_linked_names(kb: KnowledgeBase, parts: list[str]) -> None:
    text = "".join(parts)
    found = linker_for(kb).mentions(text)
    spans = sorted((m.start, m.end) for m in found)
    assert all(a_end <= b_start for (_, a_end), (b_start, _) in itertools.pairwise(spans))
    assert all(text[m.start:m.end] == m.name for m in found)


# --- 6. corrupted UTF-8 is UTF-8 ------------------------------------------------------------------


def test_utf8_with_three_corrupted_bytes_is_not_decoded_as_a_code_page(tmp_path: Path) -> None:
    text = "稀土出口管制\n\n" + "中国对稀土实施出口管制，影响全球永磁材料供应链。" * 40
    data = bytearray(text.encode("utf-8"))
    for at in (60, 300, 900):
        data[at] = 0xFF
    path = tmp_path / "corrupted.txt"
    path.write_bytes(bytes(data))
    decoded = read_document_file(path)
    # each bad byte, and the continuation bytes it orphans, become replacement characters
    assert decoded.startswith("稀土出口管制\n") and 3 <= decoded.count("\ufffd") <= 9
    assert decoded.count("出口管制") >= 38
    assert not any("\u0400" <= char <= "\u04ff" for char in decoded)  # no Cyrillic mojibake


# --- 7. search scores ------------------------------------------------------------------------------


def test_search_scores_are_relative_when_a_term_is_in_most_documents(
        tmp_path: Path, db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """稀土 in every document gets FTS5's floor IDF (1e-6): raw BM25 scores of ~0.000002 printed
    as `score 0.00` for every hit."""
    topics = ["镓价格上涨", "锂矿开采暂停", "钨矿竞标激烈", "永磁工厂停产", "锑出口下降", "锗库存减少"]
    for index, topic in enumerate(topics):
        other = "".join(t for t in topics if t != topic)
        (tmp_path / f"{index}.txt").write_text(
            f"{topic}\n\n" + "稀土" * (index + 1) + f"{topic}。{other[index * 3:]}", "utf-8")
    assert run(capsys, "ingest", str(tmp_path), "--db", str(db))[0] == 0
    hits = json.loads(run(capsys, "search", "稀土", "--db", str(db), "--json")[1])
    assert len(hits) == 6 and all(0 < h["score"] < 1e-4 for h in hits)
    assert hits[0]["relevance"] == 1.0 and all(0 < h["relevance"] <= 1 for h in hits)
    assert len({round(h["relevance"], 2) for h in hits}) > 1
    code, out, _ = run(capsys, "search", "稀土", "--db", str(db))
    assert code == 0 and "score 0.00" not in out and "relevance 1.00" in out
    assert "relative to the best match" in out.splitlines()[0]


# --- 8. workflows -----------------------------------------------------------------------------------


def test_workflow_list_and_add_refuses_to_overwrite(db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    connect(db).close()
    code, out, _ = run(capsys, "workflow", "list", "--db", str(db))
    assert code == 0 and "No saved workflows" in out
    assert run(capsys, "workflow", "add", "tungsten", "tungsten Kazakhstan", "--db", str(db))[0] == 0
    code, _, err = run(capsys, "workflow", "add", "tungsten", "钨", "--db", str(db))
    assert code == 1 and err == ("error: a workflow named 'tungsten' already exists (query: 'tungsten "
                                 "Kazakhstan'); add --replace to overwrite it\n")
    code, out, _ = run(capsys, "workflow", "add", "tungsten", "钨", "--replace", "--db", str(db))
    assert code == 0 and out == "replaced workflow 'tungsten': 钨\n"
    assert run(capsys, "workflow", "add", "gallium", "镓 export", "--db", str(db))[0] == 0
    listed = json.loads(run(capsys, "workflow", "list", "--db", str(db), "--json")[1])
    assert [(w["name"], w["query"]) for w in listed] == [("gallium", "镓 export"), ("tungsten", "钨")]
    assert all(w["saved_at"] for w in listed)
    code, out, _ = run(capsys, "workflow", "list", "--db", str(db))
    assert code == 0 and "2 workflows" in out and "镓 export" in out


# --- 9. found by fuzzing ------------------------------------------------------------------------------


def test_show_with_an_id_beyond_64_bits(db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    connect(db).close()
    code, _, err = run(capsys, "show", "9" * 30, "--db", str(db))
    assert code == 1 and err.startswith("error: no document with id 999")


def test_ingesting_the_folder_that_holds_the_store_leaves_the_store_out(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "good.txt").write_text(GOOD, "utf-8")
    db = tmp_path / "evidence.db"
    assert run(capsys, "ingest", str(tmp_path / "good.txt"), "--db", str(db))[0] == 0
    connect(db).close()
    (tmp_path / "evidence.db-wal").write_bytes(b"\x00" * 32)  # as a live store has
    code, out, err = run(capsys, "ingest", str(tmp_path), "--db", str(db))
    assert (code, failure_lines(err)) == (0, [])
    assert out.strip() == "ingested 0, duplicates 1 (0 near-duplicates linked), failed 0"


def test_a_damaged_store_is_one_error_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    good = tmp_path / "good.txt"
    good.write_text(GOOD * 50, "utf-8")
    db = tmp_path / "ev.db"
    assert run(capsys, "ingest", str(good), "--db", str(db))[0] == 0
    with db.open("r+b") as handle:
        handle.seek(4096 * 2)
        handle.write(b"\xa5" * 4096 * 6)
    for command in (["docs"], ["facts"], ["show", "1"], ["search", "gallium"], ["ingest", str(good)]):
        code, _, err = run(capsys, *command, "--db", str(db))
        assert code == 1 and err.startswith(f"error: {db}: ") and err.count("\n") == 1, (command, err)


def test_a_path_with_a_nul_is_that_file_s_failure(conn: sqlite3.Connection, kb: KnowledgeBase,
                                                  tmp_path: Path) -> None:
    (tmp_path / "good.txt").write_text(GOOD, "utf-8")
    files, failures = collect_paths([tmp_path / "a\x00b.txt", tmp_path / "good.txt"])
    report = ingest_paths(conn, linker_for(kb), files)
    assert failures == [] and report.ingested == 1
    assert len(report.failed) == 1 and report.failed[0].startswith(f"{tmp_path}/a\\x00b.txt: ")
    assert "NUL" in report.failed[0] or "null" in report.failed[0]
