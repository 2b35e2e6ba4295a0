"""Generated hostile documents through `critmin ingest` and the evidence commands, in-process.

Each example writes a few malformed files (random bytes, truncated UTF-8/GB18030/UTF-16, huge
digit runs, deep YAML front matter, giant `Group N` numbers, NULs, empty files, long single
paragraphs, names with bytes that are not UTF-8) and ingests them into a store that already
holds one document. The contract checked every time:

- no traceback and no internal error (exit 70): ingest exits 0, or 3 when some files failed;
- each failure is one line, `file: reason`, naming one of the files, each failed file once;
- the summary counts agree with the store;
- a failed file changed nothing: every stored document and near-duplicate comes from a file that
  did not fail, the document already stored is untouched, no row is left without its document,
  and the search index holds exactly the stored documents.

The read commands (search, facts, docs, show, digest, workflow) then get generated arguments on
that store and must answer with exit 0, 1 or 2 and one `error:` line, never a traceback.

Examples are kept small so the file runs in seconds; CRITMIN_FUZZ_EXAMPLES=2000 turns it into a
longer fuzzing run.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import re
import shutil
import sqlite3
import tempfile
from collections.abc import Callable, Iterator
from functools import cache
from pathlib import Path
from typing import Any

import pytest
import typer
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from critmin.cli import main
from critmin.evidence.ingest import stored_name
from critmin.evidence.store import connect
from critmin.inputs import display_path

EXAMPLES = int(os.environ.get("CRITMIN_FUZZ_EXAMPLES", "60"))
SETTINGS = settings(max_examples=EXAMPLES, deadline=None, derandomize=EXAMPLES <= 100,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])

ZH = ("稀土出口管制的影响\n稀土是现代工业的重要原料。中国在稀土开采、冶炼和分离环节占据全球约90%的份额，"
      "2024年出口稀土磁体5.8万吨。\n二〇二五年十月，商务部宣布对部分稀土技术实施出口管制。\n")
EN = ("Gallium prices double\n\nChina produced 98% of the world's gallium in 2024, about 600 tons, "
      "and exported $1.2 billion of magnets to the U.S. and Japan. Lynas Group said output rose 8%.\n")
DIGEST = ("全球产业链重构\nSearch documents\n"
          "中美博弈再升级!稀土反制出手\nSou Hu Cai Jing· 2025-10-26 05:56\n"
          "Core Viewpoint - The rare earth war continues [1][9]. Group {group}: Importance - Rare earths "
          "are 17 elements [1][3] - China holds 90% of refining [{marker}]\n"
          "Second story\nJin Tou Wang· 2025-10-27\nTungsten bids in Kazakhstan rose 12%.\n")
MARKDOWN = ("---\ntitle: 稀土磁体\ndate: 2025-11-03\ncompanies_orgs: [Lynas Rare Earths, 北方稀土]\n{extra}\n"
            "---\n### 分离环节\n\n中国控制了约90%的分离产能。\n\n<details><summary>EN</summary>"
            "<p class=\"english-text\">China controls about 90% of separation.</p></details>\n")
HTML = ("<!doctype html><html><head><title>Antimony</title></head><body><article><h1>Antimony</h1>"
        "<p>Antimony prices rose 40% after China's export ban, traders said.</p>{inner}</article>"
        "</body></html>")


# --- documents ------------------------------------------------------------------------------------


def truncated() -> st.SearchStrategy[bytes]:
    """A sample in UTF-8, GB18030, UTF-16 (with BOM) or Big5, cut anywhere, maybe mid-character."""
    return st.builds(lambda text, codec, cut: text.encode(codec, errors="replace")[:cut],
                     st.sampled_from([ZH, EN, DIGEST.format(group=1, marker=2)]),
                     st.sampled_from(["utf-8", "gb18030", "utf-16", "big5", "utf-8-sig"]),
                     st.integers(0, 700))


def digit_runs() -> st.SearchStrategy[bytes]:
    run = st.builds(lambda digit, n, unit: digit * n + unit, st.sampled_from(["9", "1", "〇", "亿", "1,000"]),
                    st.integers(40, 5200), st.sampled_from(["", " tons", "%", "吨", "亿美元", " million"]))
    return st.builds(lambda r, prefix: (prefix + "Output was " + r + " last year.\n").encode(),
                     run, st.sampled_from(["Numbers\n\n", "", "$", "人民币"]))


def deep_front_matter() -> st.SearchStrategy[bytes]:
    flow = st.builds(lambda n, o, c: f"tags: {o * n}{c * n}", st.integers(90, 3000),
                     st.sampled_from(["[", "{a: "]), st.sampled_from(["]", "}"]))
    block = st.builds(lambda n: "\n".join(" " * i + f"k{i}:" for i in range(n)) + " x", st.integers(90, 400))
    dashes = st.builds(lambda n: "tags:\n" + "- " * n + "x", st.integers(90, 2000))
    return st.builds(lambda extra: MARKDOWN.format(extra=extra).encode(), st.one_of(flow, block, dashes))


def giant_groups() -> st.SearchStrategy[bytes]:
    number = st.one_of(st.integers(0, 10**30).map(str), st.integers(1, 5000).map(lambda n: "9" * n))
    return st.builds(lambda g, m: DIGEST.format(group=g, marker=m).encode(), number, number)


def odd_yaml() -> st.SearchStrategy[bytes]:
    """Front matter made of generated text: broken YAML, aliases, dates out of range, odd scalars."""
    fragments = st.sampled_from(["a: &x [1]\nb: *x", "date: 2025-02-30", "date: 0000-01-01", "x: .inf",
                                 "x: 1:2:3:4:5", "? [a, b]\n: c", "- a\n- b", "k: 'unclosed", "title:",
                                 "title: [1, 2]", "date: 99999-01-01", "tags: [1, {a: b}, null]",
                                 "!!binary x"])
    return st.builds(lambda parts, text: MARKDOWN.format(extra="\n".join(parts) + text).encode(),
                     st.lists(fragments, max_size=3), st.text(max_size=40))


def with_nuls() -> st.SearchStrategy[bytes]:
    return st.builds(lambda text, at: (text[:at] + "\x00" + text[at:]).encode(),
                     st.sampled_from([ZH, EN, MARKDOWN.format(extra="")]), st.integers(0, 300))


def long_paragraph() -> st.SearchStrategy[bytes]:
    """One paragraph of a few tens of kilobytes (1 MB cases are in the regression tests)."""
    return st.builds(lambda unit, n: ("Long\n\n" + unit * n).encode(),
                     st.sampled_from(["China exported 1,200 tons of gallium to Japan, up 8%. ",
                                      "美国从马来西亚Lynas Group进口35吨稀土，增长8%，",
                                      "Group 3 [4] - ", "[1][2][3]", "Zijin Mining Group 5N 99.999% "]),
                     st.integers(200, 1500))


def html_pages() -> st.SearchStrategy[bytes]:
    inner = st.one_of(st.builds(lambda n: "<div>" * n + "x" + "</div>" * n, st.integers(0, 3000)),
                      st.text(max_size=200), st.just("<p>" + "&#99999999;" * 50 + "</p>"))
    return st.builds(lambda i: HTML.format(inner=i).encode(), inner)


def mutated() -> st.SearchStrategy[bytes]:
    """A good sample with a few bytes overwritten."""
    def mutate(data: bytes, edits: list[tuple[int, int]]) -> bytes:
        buffer = bytearray(data)
        for at, value in edits:
            buffer[at % len(buffer)] = value
        return bytes(buffer)

    samples = [ZH.encode(), EN.encode(), DIGEST.format(group=2, marker=3).encode(),
               MARKDOWN.format(extra="").encode(), HTML.format(inner="").encode()]
    return st.builds(mutate, st.sampled_from(samples),
                     st.lists(st.tuples(st.integers(0, 10**6), st.integers(0, 255)), max_size=6))


DOCUMENT = st.one_of(
    st.binary(max_size=3000), truncated(), digit_runs(), deep_front_matter(), giant_groups(),
    odd_yaml(), with_nuls(), long_paragraph(), html_pages(), mutated(),
    st.sampled_from([b"", b" \n\t\n", b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff\x00", b"---\n", b"---\n---\n",
                     b"\x00" * 10, "·\n·".encode()]),
)

NAME = st.tuples(
    st.binary(min_size=1, max_size=40).filter(lambda b: b"/" not in b and b"\x00" not in b),
    st.sampled_from([b".txt", b".md", b".html", b"", b".htm"]),
).map(lambda parts: parts[0] + parts[1])


# --- running the CLI --------------------------------------------------------------------------------


@pytest.fixture(scope="module", autouse=True)
def reuse_the_command(monkeypatch_module: pytest.MonkeyPatch) -> None:
    """Building the Typer command costs ~0.15 s a call; every example would pay it twice."""
    monkeypatch_module.setattr(typer.main, "get_command", cache(typer.main.get_command))


@pytest.fixture(scope="module")
def monkeypatch_module() -> Iterator[pytest.MonkeyPatch]:
    with pytest.MonkeyPatch.context() as patch:
        yield patch


@pytest.fixture(scope="module")
def seeded(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A store holding one good document, copied for every example."""
    folder = tmp_path_factory.mktemp("seed")
    (folder / "seed.txt").write_text(EN, "utf-8")
    db = folder / "seed.db"
    code, _, err = cli("ingest", str(folder / "seed.txt"), "--db", str(db))
    assert code == 0, err
    return db


def cli(*args: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(list(args))
    return code, out.getvalue(), err.getvalue()


def assert_clean(code: int, out: str, err: str, allowed: set[int]) -> None:
    assert "Traceback" not in out + err, err
    assert "internal error" not in err, err
    assert code in allowed, (code, err)


def snapshot(db: Path) -> dict[str, Any]:
    with contextlib.closing(sqlite3.connect(db)) as conn:
        return {
            "documents": conn.execute("SELECT id, content_hash, title, body, source_file FROM documents"
                                      " ORDER BY id").fetchall(),
            "near": conn.execute("SELECT original_id, source_file FROM near_duplicates").fetchall(),
            "orphans": [conn.execute(f"SELECT count(*) FROM {table} WHERE document_id NOT IN"
                                     " (SELECT id FROM documents)").fetchone()[0]
                        for table in ("paragraphs", "mentions", "figures", "minhash_keys")],
            "search": conn.execute("SELECT count(*) FROM search").fetchone()[0],
            "seed_rows": conn.execute("SELECT position, text FROM paragraphs WHERE document_id = 1"
                                      " ORDER BY position").fetchall(),
            "integrity": conn.execute("PRAGMA integrity_check").fetchone()[0],
            "foreign_keys": conn.execute("PRAGMA foreign_key_check").fetchall(),
        }


_SUMMARY = re.compile(r"ingested (\d+), duplicates (\d+) \((\d+) near-duplicates linked\), failed (\d+)")


def write_files(folder: Path, files: list[tuple[bytes, bytes]]) -> list[Path]:
    paths = []
    for index, (name, data) in enumerate(files):
        raw = os.path.join(os.fsencode(folder), f"{index}-".encode() + name)
        with open(raw, "wb") as handle:
            handle.write(data)
        paths.append(Path(os.fsdecode(raw)))
    return paths


@given(files=st.lists(st.tuples(NAME, DOCUMENT), min_size=1, max_size=4), as_folder=st.booleans(),
       workers=st.sampled_from([None, "0", "1"]))
@SETTINGS
def test_hostile_files_fail_one_line_each_and_change_nothing(
        seeded: Path, files: list[tuple[bytes, bytes]], as_folder: bool, workers: str | None) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "in"
        folder.mkdir()
        paths = write_files(folder, files)
        db = Path(tmp) / "ev.db"
        shutil.copy(seeded, db)
        before = snapshot(db)
        args = ["ingest", *([str(folder)] if as_folder else map(str, paths)), "--db", str(db)]
        code, out, err = cli(*args, *(["--workers", workers] if workers else []))
        assert_clean(code, out, err, {0, 3})
        after = snapshot(db)

    lines = [line for line in err.splitlines() if line.strip() and not line.startswith("ingesting")]
    shown = {display_path(p): p for p in paths}
    failed: list[Path] = []
    for line in lines:
        owners = [p for name, p in shown.items() if line.startswith(f"{name}: ")]
        assert len(owners) == 1, (line, list(shown))
        reason = line[len(display_path(owners[0])) + 2:]
        assert reason.strip() and reason.isprintable(), line
        failed.append(owners[0])
    assert len(failed) == len(set(failed)), lines
    assert (code == 3) == bool(failed)

    summary = _SUMMARY.fullmatch(out.strip())
    assert summary is not None, out
    ingested, _, _, failed_count = map(int, summary.groups())
    assert failed_count == len(failed)

    kept = {stored_name(str(p)) for p in paths if p not in failed}
    new_documents = after["documents"][len(before["documents"]):]
    assert after["documents"][: len(before["documents"])] == before["documents"]
    assert len(new_documents) == ingested
    assert {row[4] for row in new_documents} <= kept
    assert {row[1] for row in after["near"][len(before["near"]):]} <= kept
    assert after["seed_rows"] == before["seed_rows"]
    assert after["orphans"] == [0, 0, 0, 0] and after["foreign_keys"] == []
    assert after["search"] == len(after["documents"]) and after["integrity"] == "ok"


# --- the read commands on a store with hostile documents ----------------------------------------------


@pytest.fixture(scope="module")
def hostile_store(tmp_path_factory: pytest.TempPathFactory, seeded: Path) -> Path:
    """The seed, the sample documents, and generated documents that ingest accepted."""
    folder = tmp_path_factory.mktemp("hostile")
    samples = [ZH, EN.replace("98%", "97%"), DIGEST.format(group=1, marker=2), DIGEST.format(group="9" * 30,
               marker="9" * 40).replace("Second story", "第三篇"), MARKDOWN.format(extra="speaker: 某人"),
               HTML.format(inner="<p>" + "9" * 5000 + " tons</p>"), "Long\n\n" + "美国进口35吨稀土。" * 3000]
    for index, text in enumerate(samples):
        (folder / f"{index}.txt").write_text(text, "utf-8")
    with open(os.path.join(os.fsencode(folder), b"\xff\xfe-odd.txt"), "wb") as handle:
        handle.write(b"Odd name\n\nGermanium exports fell 50% in 2024.\n")
    db = folder / "store.db"  # inside the folder ingested: ingest leaves its own store out
    shutil.copy(seeded, db)
    code, _, err = cli("ingest", str(folder), "--db", str(db))
    assert code == 0, err
    return db


QUERY = st.one_of(
    st.text(max_size=40),
    st.sampled_from(['"', "*", "NEAR(", "稀土 OR", "a:b", "(((", "^", "'", "-", "稀土", "rare earth",
                     "dysprosium price", "\x00", "9" * 5000, " ", "镓 " * 200, "AND", "{title}: x"]),
    st.lists(st.sampled_from(["稀土", "gallium", "美国", "price", "OR", "NOT", '"', "*"]), max_size=30)
    .map(" ".join),
)
COMMAND: st.SearchStrategy[list[str]] = st.one_of(
    st.builds(lambda q, extra: ["search", q, *extra], QUERY, st.sampled_from(
        [[], ["--json"], ["--lang", "zh"], ["--lang", "xx"], ["--since", "2025-13-01"], ["--limit", "1"],
         ["--material", "镝"], ["--material", "nope"], ["--country", "USA"], ["--until", "2025-01-01"]])),
    st.builds(lambda q, extra: ["digest", q, *extra], QUERY,
              st.sampled_from([[], ["--json"], ["--since", "x"]])),
    st.builds(lambda i: ["show", i], st.one_of(st.integers(-(10**30), 10**30).map(str), st.text(max_size=8),
                                               st.sampled_from(["1", "2", "5", "-1", "0"]))),
    st.builds(lambda i: ["show", i, "--json"], st.integers(1, 12).map(str)),
    st.builds(lambda kind, material: ["facts", "--json", *kind, *material],
              st.sampled_from([[], ["--kind", "percent"], ["--kind", "nope"], ["--kind", ""]]),
              st.sampled_from([[], ["--material", "稀土"], ["--country", "CHN"], ["--limit", "2"]])),
    st.just(["docs", "--json"]), st.just(["docs"]),
    st.builds(lambda name, q: ["workflow", "add", name, q], st.text(max_size=10), QUERY),
    st.builds(lambda name: ["workflow", "run", name], st.text(max_size=10)),
    st.just(["workflow", "list", "--json"]),
)


@given(command=COMMAND)
@SETTINGS
def test_read_commands_never_crash_on_generated_arguments(hostile_store: Path, command: list[str]) -> None:
    if "\x00" in "".join(command):
        command = [part.replace("\x00", "") for part in command]  # argv cannot hold NUL
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "store.db"
        shutil.copy(hostile_store, db)
        code, out, err = cli(*command, "--db", str(db))
    assert_clean(code, out, err, {0, 1, 2})
    if code:
        errors = [line for line in err.splitlines() if line.strip()]
        assert len(errors) == 1 and errors[0].startswith("error: "), err
    elif "--json" in command:
        json.loads(out)


def test_the_hostile_store_reads_back(hostile_store: Path) -> None:
    code, out, _ = cli("docs", "--json", "--db", str(hostile_store))
    documents = json.loads(out)
    assert code == 0 and len(documents) >= 8
    assert any(d["source_file"].endswith("\\xff\\xfe-odd.txt") for d in documents)
    for document in documents:
        code, out, err = cli("show", str(document["id"]), "--db", str(hostile_store))
        assert_clean(code, out, err, {0})


# --- whole-command errors ------------------------------------------------------------------------------

WHOLE_COMMAND: list[tuple[Callable[[Path], list[str]], int]] = [
    (lambda tmp: ["ingest", str(tmp / "empty-folder")], 1),
    (lambda tmp: ["ingest", str(tmp / "good.txt"), "--workers", "-5"], 2),
    (lambda tmp: ["ingest", str(tmp / "good.txt"), "--workers", "many"], 2),
    (lambda tmp: ["ingest", str(tmp / "good.txt"), "--db", str(tmp)], 1),
    (lambda tmp: ["ingest", str(tmp / "good.txt"), "--db", str(tmp / "good.txt" / "x.db")], 1),
    (lambda tmp: ["ingest"], 2),
    (lambda tmp: ["search", "稀土", "--db", str(tmp / "missing.db")], 1),
    (lambda tmp: ["search", "稀土", "--db", str(tmp / "good.txt")], 1),
]


@pytest.mark.parametrize(("make_args", "expected"), WHOLE_COMMAND)
def test_whole_command_errors_are_one_line(tmp_path: Path, make_args: Callable[[Path], list[str]],
                                           expected: int) -> None:
    (tmp_path / "empty-folder").mkdir()
    (tmp_path / "good.txt").write_text(EN, "utf-8")
    args = make_args(tmp_path)
    if "--db" not in args:
        args += ["--db", str(tmp_path / "ev.db")]
    code, out, err = cli(*args)
    assert_clean(code, out, err, {expected})
    assert len([line for line in err.splitlines() if line.strip()]) == 1 and err.startswith("error: ")


def test_the_seed_store_opens(seeded: Path) -> None:
    connect(seeded, read_only=True).close()
