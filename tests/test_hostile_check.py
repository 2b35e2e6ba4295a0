"""`critmin check` fed hostile input: malformed BOMs and batches never crash, hang or half-write.

Each property generates inputs a careless or malicious user could give (random YAML and JSON
structures, BOMs with wrong types, deep nesting, huge digit runs, `.inf`/`.nan`/`1e999`,
denormals, odd encodings, NUL bytes, empty files, huge cells, garbage CSV batches) and runs the
real command in-process. The contract checked every time:

- no uncaught exception: the exit code is a documented one (0, 1, 2), never 70 (internal error);
- no traceback; a failure's first stderr line starts with `error: ` and names the input file;
- a failed single-BOM check writes nothing to `--out`; a written `--out` is complete;
- any JSON on stdout or in `--out` is strict JSON (no NaN, Infinity).
"""

from __future__ import annotations

import contextlib
import csv
import io
import json
import math
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from critmin.cli import main

EXAMPLES = Path(__file__).resolve().parent.parent / "examples" / "boms"
GOOD = EXAMPLES / "ev-traction-motor.yaml"

#: CRITMIN_FUZZ=10 runs ten times the examples, from a random seed, to hunt for new failures.
FUZZ = int(os.environ.get("CRITMIN_FUZZ", "1"))


def examples(count: int) -> settings:
    return settings(max_examples=count * FUZZ, deadline=None, derandomize=FUZZ == 1,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])



# ---------------------------------------------------------------------------------------------
# running the command and checking the contract


@contextlib.contextmanager
def scratch() -> Iterator[Path]:
    with tempfile.TemporaryDirectory(prefix="critmin-hostile-") as folder:
        yield Path(folder)


def run(*args: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(list(args))
    return code, out.getvalue(), err.getvalue()


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def strict_json(text: str) -> Any:
    return json.loads(text, parse_constant=_refuse_constant)


def assert_contract(code: int, out: str, err: str, names: tuple[str, ...]) -> None:
    assert code in (0, 1, 2), (code, err)
    assert "Traceback" not in err and "Traceback" not in out
    assert "internal error" not in err, err
    if code != 0:
        first = err.splitlines()[0] if err else ""
        assert first.startswith("error: "), err
        assert any(name in first for name in names), (names, first)


def check_single(folder: Path, bom: Path, use_json: bool) -> None:
    """One BOM, with --json to stdout or --out to a file; the contract either way."""
    target = folder / "rows.json"
    args = ["check", str(bom), "--to", "USA", "--end-user", "civil", "--on", "2026-11-23"]
    args += ["--json"] if use_json else ["--out", str(target)]
    code, out, err = run(*args)
    assert_contract(code, out, err, (bom.name,))
    if code != 0:
        assert out == ""
        assert not target.exists(), "a failed check wrote --out"
        assert not [p for p in folder.iterdir() if p.name.endswith(".part")]
        return
    if use_json:
        assert strict_json(out)["outcome"]
    else:
        rows = strict_json(target.read_text("utf-8"))
        assert len(rows) == 1 and rows[0]["error"] is None


def check_batch(folder: Path, batch: Path, use_json: bool) -> None:
    """A batch (CSV or folder): refused whole (nothing written) or one complete row per BOM."""
    target = folder / ("rows.json" if use_json else "rows.csv")
    code, out, err = run("check", str(batch), "--to", "USA", "--on", "2026-11-23", "--out", str(target))
    assert_contract(code, out, err, (batch.name,))
    if "not a batch CSV" in err:  # another file's lines are never echoed back
        assert err.count("\n") == 1 and "root:x" not in err
    if not target.exists():
        assert code != 0
        return
    text = target.read_text("utf-8")
    rows = strict_json(text) if use_json else list(csv.DictReader(io.StringIO(text)))
    assert rows, "an empty rows file"
    failed = [r for r in rows if r["outcome"] == "error"]
    assert (code == 1) == bool(failed), (code, failed)
    for row in failed:
        assert row["error"] and "\n" not in row["error"]


# ---------------------------------------------------------------------------------------------
# strategies

SPECIAL_FLOATS = st.sampled_from([math.inf, -math.inf, math.nan, 5e-324, -0.0, 1e308, 1e-310, 1e300])
SCALARS = st.one_of(
    st.none(), st.booleans(), st.integers(min_value=-(10**30), max_value=10**30),
    st.floats(allow_nan=True, allow_infinity=True), SPECIAL_FLOATS,
    st.text(max_size=20), st.sampled_from(["Dy", "dysprosium", "镝", "CHN", "USA", "magnet", "USD", ""]))
ANY = st.recursive(SCALARS, lambda inner: st.one_of(
    st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=8), inner, max_size=4)), max_leaves=12)

NUMBER = st.one_of(st.floats(allow_nan=True, allow_infinity=True), SPECIAL_FLOATS,
                   st.integers(min_value=-(10**20), max_value=10**20),
                   st.sampled_from(["1e999", "-1e999", "nan", "inf", "12", "", "x"]))
MATERIAL = st.fixed_dictionaries(
    {"material": st.one_of(st.sampled_from(["Dy", "Tb", "Ga", "graphite", "dysprosum"]), ANY)},
    optional={"form": st.one_of(st.sampled_from(["magnet", "oxide", "metal", "component"]), ANY),
              "value_share": NUMBER, "mass_kg": NUMBER, "price_per_kg": NUMBER, "mass_share": NUMBER,
              "origin": st.one_of(st.sampled_from(["CHN", "China", "Atlantis"]), ANY),
              "processed_in": ANY, "meets_parameters": ANY})
LINE = st.fixed_dictionaries(
    {"part": st.one_of(st.text(min_size=1, max_size=30), ANY), "unit_value": NUMBER},
    optional={"quantity": NUMBER, "currency": st.sampled_from(["USD", "EUR", "usd", "XXX"]),
              "made_in": st.one_of(st.sampled_from(["CHN", "DEU", "USA"]), ANY),
              "unit_mass_kg": NUMBER, "hs_code": st.one_of(st.sampled_from(["850511", "8505", "12"]), ANY),
              "us_controlled": ANY, "technology_origin": ANY,
              "materials": st.one_of(st.lists(MATERIAL, max_size=3), ANY)})
BOM = st.fixed_dictionaries(
    {"product": st.one_of(st.text(min_size=1, max_size=30), ANY),
     "currency": st.one_of(st.sampled_from(["USD", "EUR"]), ANY),
     "lines": st.one_of(st.lists(LINE, min_size=1, max_size=4), ANY)},
    optional={"total_value": NUMBER, "made_in": st.sampled_from(["DEU", "CHN", "JPN", "Atlantis"]),
              "rates": st.one_of(st.dictionaries(st.sampled_from(["USD", "EUR", "xx"]), NUMBER, max_size=2),
                                 ANY),
              "form": ANY, "semiconductor": st.one_of(
                  st.fixed_dictionaries({}, optional={"logic_node_nm": NUMBER, "memory_layers": NUMBER}),
                  ANY),
              "surprise": ANY})


EXAMPLE_BOMS = [yaml.safe_load(path.read_text("utf-8")) if path.suffix == ".yaml"
                else json.loads(path.read_text("utf-8")) for path in sorted(EXAMPLES.iterdir())
                if path.suffix in (".yaml", ".json")]
EXTREMES = st.sampled_from([0, -1, 1e-12, 9.9e-13, 1e15, 1.1e15, 1e-300, 10**15, 10**16, True, "1e3", "NaN"])


def _leaves(data: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    if isinstance(data, dict):
        return [path] + [leaf for key, value in data.items() for leaf in _leaves(value, (*path, key))]
    if isinstance(data, list):
        return [path] + [leaf for index, value in enumerate(data) for leaf in _leaves(value, (*path, index))]
    return [path]


FINITE = st.one_of(EXTREMES, st.floats(min_value=-1e16, max_value=1e16, allow_nan=False),
                   st.floats(min_value=-1e-10, max_value=1e-10, allow_nan=False))
ODD_TEXT = st.one_of(st.text(max_size=20),
                     st.sampled_from(["", " ", "China", "Atlantis", "magnet", "USD", "x" * 600]))


@st.composite
def mutated_bom(draw: st.DrawFn) -> Any:
    """An example BOM with a field or two replaced: numbers by extreme numbers, text by odd text,
    and now and then anything at all, so most variants get past validation into the engine."""
    bom = json.loads(json.dumps(draw(st.sampled_from(EXAMPLE_BOMS))))
    for _ in range(draw(st.integers(min_value=1, max_value=2))):
        path = draw(st.sampled_from([p for p in _leaves(bom) if p]))
        parent = bom
        for key in path[:-1]:
            parent = parent[key]
        current = parent[path[-1]]
        if draw(st.integers(min_value=0, max_value=5)) == 0:
            parent[path[-1]] = draw(ANY)
        elif isinstance(current, (int, float)) and not isinstance(current, bool):
            parent[path[-1]] = draw(FINITE)
        elif isinstance(current, str):
            parent[path[-1]] = draw(ODD_TEXT)
        elif isinstance(current, list) and current:
            parent[path[-1]] = current * draw(st.integers(min_value=0, max_value=50))
    return json.loads(json.dumps(bom))  # no shared lists, which YAML would write as aliases


def to_yaml(data: Any) -> str:
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False)


def to_json(data: Any) -> str:
    return json.dumps(data, ensure_ascii=False, allow_nan=True)


FRAGMENTS = st.sampled_from([
    "", " ", "\n", "---\n", "~", "[]", "{}", "null", "- a\n- b\n", "product: p\n", "&a [*a, *a]",
    "product: &x p\ncurrency: *x\n", "!!python/object:os.system {}", "a: !!binary AAAA\n",
    "product: p\ncurrency: USD\nlines: [{part: a, unit_value: .inf}]\n",
    "product: p\ncurrency: USD\ntotal_value: .nan\nlines: [{part: a, unit_value: 1}]\n",
    "product: p\ncurrency: USD\nlines: [{part: a, unit_value: 1e999}]\n",
    '{"product": "p", "currency": "USD", "lines": [{"part": "a", "unit_value": Infinity}]}',
    '{"product": "p", "currency": "USD", "lines": [{"part": "a", "unit_value": NaN}]}',
    "product: p\ncurrency: USD\nlines: [{part: a, unit_value: 5e-324, quantity: 1e300}]\n",
    "when: 2025-02-30\n", "product: p\ncurrency: USD\nlines:\n  - part: a\n    unit_value: 1\n\t\n",
    "\x00\x00\x00", "\ufeff", "product: \"\\ud800\"\n", "? [a, b]\n: c\n", "{a: 1, a: 2}\n",
])


@st.composite
def hostile_text(draw: st.DrawFn) -> str:
    """Text built from structural pieces: deep nesting, huge digit runs, fragments, noise."""
    kind = draw(st.integers(min_value=0, max_value=5))
    if kind == 0:
        depth = draw(st.integers(min_value=50, max_value=20_000))
        opener, closer = draw(st.sampled_from([("[", "]"), ("{a: ", "}"), ('{"a": ', "}"), ("- ", "")]))
        if opener == "- ":
            return "".join("  " * i + "- \n" for i in range(min(depth, 3000))) + "  " * depth + "x\n"
        return f"product: {opener * depth}1{closer * depth}\n"
    if kind == 1:
        digits = "9" * draw(st.integers(min_value=90, max_value=50_000))
        where = draw(st.sampled_from(["unit_value: {d}", "unit_value: {d}.5", "unit_value: 1e{d}",
                                      "unit_value: 0.{d}", "unit_value: -{d}", "part: {d}"]))
        return "product: p\ncurrency: USD\nlines:\n  - part: a\n    " + where.format(d=digits) + "\n"
    if kind == 2:
        return draw(FRAGMENTS)
    if kind == 3:
        return "".join(draw(st.lists(FRAGMENTS, max_size=5)))
    if kind == 4:
        return draw(st.text(max_size=200))
    return to_yaml(draw(ANY))


ENCODINGS = st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "utf-16-le", "utf-32", "gb18030", "big5",
                             "latin-1", "shift_jis", "cp1251"])


# ---------------------------------------------------------------------------------------------
# properties


@examples(35)
@given(bom=st.one_of(BOM, mutated_bom()), as_json=st.booleans(), use_json=st.booleans())
def test_random_boms_never_crash(bom: dict[str, Any], as_json: bool, use_json: bool) -> None:
    with scratch() as folder:
        path = folder / ("bom.json" if as_json else "bom.yaml")
        path.write_text(to_json(bom) if as_json else to_yaml(bom), "utf-8")
        check_single(folder, path, use_json)


@examples(40)
@given(text=hostile_text(), suffix=st.sampled_from([".yaml", ".json", ".yml"]), use_json=st.booleans())
def test_hostile_text_never_crashes(text: str, suffix: str, use_json: bool) -> None:
    with scratch() as folder:
        path = folder / f"bom{suffix}"
        path.write_text(text, "utf-8", errors="surrogatepass")
        check_single(folder, path, use_json)


@examples(25)
@given(encoding=ENCODINGS, data=st.binary(max_size=300), noise=st.booleans(), use_json=st.booleans())
def test_odd_encodings_and_bytes(encoding: str, data: bytes, noise: bool, use_json: bool) -> None:
    with scratch() as folder:
        path = folder / "bom.yaml"
        if noise:
            path.write_bytes(data)
        else:
            text = GOOD.read_text("utf-8").replace("EV traction motor", "电机 ÄÖ мотор")
            path.write_bytes(text.encode(encoding, errors="replace"))
        check_single(folder, path, use_json)


CELL = st.one_of(st.text(max_size=30), st.sampled_from([
    "", "\x00", '"', '""', "a\nb", "\r", "USA", "2026-13-01", "civil", "army", "../" * 50, "/dev/zero",
    "/etc/passwd", str(GOOD), "x" * 200_000, "y" * 5000]))
HEADER = st.one_of(st.just(["bom", "to", "on"]), st.just(["BOM"]), st.just(["bom", "bom"]),
                   st.lists(st.sampled_from(["bom", "to", "end_use", "end_user", "on", "from", "path", "",
                                             "x y", "root:x:0:0:root:/root:/bin/bash"]),
                            min_size=1, max_size=7))


@st.composite
def batch_text(draw: st.DrawFn) -> str:
    if draw(st.integers(min_value=0, max_value=4)) == 0:
        return draw(st.one_of(st.text(max_size=300), FRAGMENTS))
    header = draw(HEADER)
    rows = draw(st.lists(st.lists(CELL, max_size=len(header) + 1), max_size=4))
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue()


@examples(40)
@given(text=batch_text(), use_json=st.booleans())
def test_garbage_batches_never_crash(text: str, use_json: bool) -> None:
    with scratch() as folder:
        batch = folder / "jobs.csv"
        batch.write_text(text, "utf-8", errors="surrogatepass")
        check_batch(folder, batch, use_json)


@examples(10)
@given(boms=st.lists(st.one_of(BOM.map(to_yaml), hostile_text()), min_size=1, max_size=4),
       use_json=st.booleans())
def test_folder_batches_never_crash(boms: list[str], use_json: bool) -> None:
    with scratch() as folder:
        batch = folder / "boms"
        batch.mkdir()
        for number, text in enumerate(boms):
            (batch / f"b{number}.yaml").write_text(text, "utf-8", errors="surrogatepass")
        (batch / "good.yaml").write_text(GOOD.read_text("utf-8"), "utf-8")
        check_batch(folder, batch, use_json)
