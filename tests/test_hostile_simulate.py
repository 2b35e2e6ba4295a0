"""`critmin simulate` on malformed scenario files: one line, a documented exit code, nothing half-written.

Hypothesis builds scenario files the way a careless or hostile user would: random mappings, a
valid scenario with one field replaced by the wrong type, a huge or non-finite number, a date
out of range, an empty list or an unknown name; deep nesting and very long numbers written as
text; the whole file in another encoding, with NUL bytes or with random bytes spliced in. Each
file is simulated in-process through `critmin.cli.main`, and whatever the outcome:

- no exception escapes and the exit code is 0, 1 or 2 (never 70, an internal error);
- on failure the first line of stderr is `error: ...` and names the file, with no traceback,
  and neither the --report nor the --markdown file exists;
- on success stdout is strict JSON (no NaN or Infinity) and both reports were written.

RuntimeWarnings (overflow, invalid value) are errors here: a warning from numpy means a value
got through that the engine cannot handle.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import io
import json
import tempfile
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from critmin.cli import main

BASE: dict[str, Any] = {
    "name": "hostile test",
    "start": dt.date(2026, 1, 1),
    "horizon_days": 30,
    "materials": ["Ga"],
    "destinations": ["USA", "JPN"],
    "restrictions": [{
        "exporter": "CHN", "materials": ["Ga"], "stages": ["refining"], "destinations": ["USA"],
        "start": dt.date(2026, 1, 1), "duration_days": 20,
        "licensing": {"approval_probability": 0.2, "delay_days": 10, "delay_sigma": 0.3},
    }],
    "inventories": [{"sector": "semiconductor_equipment", "days": 10}],
    "mitigation": {"stockpiles": [{"country": "USA", "material": "Ga", "days_of_demand": 5,
                                   "start": dt.date(2026, 1, 5), "over_days": 10}]},
    "consumption_shares": {"USA": 0.1, "JPN": 0.1},
    "parameters": {"prices.flexibility": 0.9},
}

#: Every field path of BASE that a mutation may replace or delete.
PATHS: list[tuple[Any, ...]] = []


def _collect(node: Any, path: tuple[Any, ...]) -> None:
    if path:
        PATHS.append(path)
    if isinstance(node, dict):
        for key, value in node.items():
            _collect(value, (*path, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            _collect(value, (*path, index))


_collect(BASE, ())

scalars = st.one_of(
    st.none(), st.booleans(), st.text(max_size=20),
    st.integers(min_value=-(10**30), max_value=10**30),
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from([0, -1, 1, 999_999_999, 10**20, 1e308, -1e308, 1e-320, "", "\x00", "minning",
                     "Atlantis", "unobtainium", "9999-12-31", "0001-01-01", "2026-02-30", "USA"]),
    st.dates(min_value=dt.date(1, 1, 1), max_value=dt.date(9999, 12, 31)),
)
values = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3),
    max_leaves=8,
)


def _set(data: Any, path: tuple[Any, ...], value: Any, delete: bool) -> Any:
    node = data
    for part in path[:-1]:
        node = node[part]
    if delete:
        del node[path[-1]]
    else:
        node[path[-1]] = value
    return data


@st.composite
def mutated(draw: st.DrawFn) -> Any:
    """BASE with one to three fields replaced, deleted or added."""
    data = json.loads(json.dumps(BASE, default=str))  # a deep copy with dates as text
    for _ in range(draw(st.integers(1, 3))):
        action = draw(st.sampled_from(["replace", "delete", "add"]))
        if action == "add":
            data[draw(st.text(min_size=1, max_size=10))] = draw(values)
            continue
        path, value = draw(st.sampled_from(PATHS)), draw(values)
        with contextlib.suppress(KeyError, IndexError, TypeError):  # a parent was removed before
            _set(data, path, value, delete=action == "delete")
    return data


def _dump(data: Any) -> str:
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False)


@st.composite
def scenario_text(draw: st.DrawFn) -> str:
    kind = draw(st.sampled_from(["mutated", "mutated", "mutated", "random", "deep", "digits",
                                 "special"]))
    if kind == "mutated":
        return _dump(draw(mutated()))
    if kind == "random":
        return _dump(draw(st.dictionaries(st.text(max_size=10), values, max_size=6) | values))
    if kind == "deep":
        depth = draw(st.integers(50, 3000))
        opener, closer = draw(st.sampled_from([("[", "]"), ("{a: ", "}")]))
        return f"name: {opener * depth}1{closer * depth}\n"
    if kind == "digits":
        digits = draw(st.integers(90, 6000))
        return _dump(BASE) + f"year: {'9' * digits}\n"
    special = draw(st.sampled_from([
        "horizon_days: .inf\n", "parameters: {prices.cap: .nan}\n", "year: -.inf\n",
        "restrictions: &a [1]\nmaterials: *a\n", "destinations: []\n", "restrictions: []\n",
        "start: 0001-01-01\n", "start: 9999-12-31\n", "start: 2026-02-30\n",
        "!!python/object/apply:os.system [ls]\n", "\t- tab\n", ": :\n", "%YAML 9.9\n---\n",
    ]))
    text = _dump({k: v for k, v in BASE.items() if not special.startswith(f"{k}:")})
    return special if special.startswith(("!!", "\t", ":", "%")) else text + special


@st.composite
def scenario_bytes(draw: st.DrawFn) -> bytes:
    text = draw(scenario_text())
    encoding = draw(st.sampled_from(["utf-8", "utf-8", "utf-8-sig", "utf-16", "utf-32", "gb18030",
                                     "latin-1"]))
    data = text.encode(encoding, errors="replace")
    damage = draw(st.sampled_from(["none", "none", "none", "nul", "bytes", "truncate", "empty"]))
    if damage == "nul":
        at = draw(st.integers(0, len(data)))
        data = data[:at] + b"\x00" + data[at:]
    elif damage == "bytes":
        at = draw(st.integers(0, len(data)))
        data = data[:at] + draw(st.binary(min_size=1, max_size=16)) + data[at:]
    elif damage == "truncate":
        data = data[: draw(st.integers(0, len(data)))]
    elif damage == "empty":
        data = b""
    return data


def _strict(text: str) -> Any:
    def refuse(name: str) -> Any:
        raise AssertionError(f"{name} in --json output")

    return json.loads(text, parse_constant=refuse)


@pytest.mark.filterwarnings("error::RuntimeWarning")
@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=scenario_bytes())
def test_malformed_scenarios_fail_cleanly(data: bytes) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "hostile scenario.yaml"
        path.write_bytes(data)
        report, notes = Path(folder) / "out.html", Path(folder) / "out.md"
        out, err = io.StringIO(), io.StringIO()
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            code = main(["simulate", str(path), "--runs", "5", "--sensitivity-runs", "0",
                         "--horizon", "20", "--json", "--report", str(report), "--markdown", str(notes)])
        stderr = err.getvalue()
        assert "Traceback" not in stderr
        assert code in (0, 1, 2), stderr
        if code == 0:
            assert _strict(out.getvalue())["runs"] == 5
            assert report.is_file() and notes.is_file()
        else:
            first = stderr.splitlines()[0] if stderr else ""
            assert first.startswith("error: ") and str(path) in first, stderr
            assert not report.exists() and not notes.exists()
            assert out.getvalue() == ""
        assert sorted(p.name for p in Path(folder).iterdir() if p.name.startswith(".")) == []


def test_the_valid_base_runs() -> None:
    """The base the mutations start from is itself valid, so mutations test what they change."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "base.yaml"
        path.write_text(_dump(BASE), "utf-8")
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            assert main(["simulate", str(path), "--runs", "5", "--sensitivity-runs", "0", "--json"]) == 0
        assert _strict(out.getvalue())["scenario"]["name"] == "hostile test"
