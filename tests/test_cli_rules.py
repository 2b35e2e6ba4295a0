"""The export-control commands end to end: rules list/show/diff and check (single and batch)."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from critmin.cli import main

EXAMPLES = Path(__file__).resolve().parents[1] / "examples" / "boms"


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_rules_list_by_date_and_jurisdiction(capsys: pytest.CaptureFixture[str]) -> None:
    data = json.loads(run(capsys, "rules", "list", "--on", "2026-01-15", "--jurisdiction", "CN", "--json")[1])
    ids = {m["id"] for m in data["measures"]}
    assert "CN-MOFCOM-GAC-2025-18" in ids and "CN-MOFCOM-2025-61" not in ids and "US-BIS-EAR-734-4" not in ids
    data = json.loads(run(capsys, "rules", "list", "--on", "2026-11-23", "--json")[1])
    n61 = next(m for m in data["measures"] if m["id"] == "CN-MOFCOM-2025-61")
    assert n61["status_confidence"] == "low" and n61["status_notes"]
    code, out, _ = run(capsys, "rules", "list", "--on", "2026-11-23")
    assert code == 0 and "in force (unconfirmed)" in out and "status unconfirmed (low)" in out
    code, _, err = run(capsys, "rules", "list", "--on", "yesterday")
    assert code == 2 and "--on 'yesterday' is not a date" in err


def test_rules_show_and_diff(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "rules", "show", "cn-mofcom-2025-61")
    assert code == 0 and "ratio >= 0.1%" in out and "[sscollege-2025-no61-translation]" in out
    shown = json.loads(run(capsys, "rules", "show", "CN-MOFCOM-2024-46-ART2", "--json")[1])
    suspension = shown["suspensions"][0]
    assert suspension["from"] == "2025-11-09" and suspension["until"] == "2026-11-27"
    code, _, err = run(capsys, "rules", "show", "CN-MOFCOM-2025-16")
    assert code == 1 and err.startswith("error: unknown measure 'CN-MOFCOM-2025-16'; did you mean:")
    result = json.loads(run(capsys, "rules", "diff", "2025-11-01", "2025-11-30", "--json")[1])
    assert any(c["measure"] == "CN-MOFCOM-2025-62" and c["after"] == "suspended" for c in result["changes"])
    code, out, _ = run(capsys, "rules", "diff", "2025-11-01", "2025-11-30")
    assert code == 0 and "2025-11-07  CN-MOFCOM-2025-61: suspended until 2026-11-10" in out


def test_check_one_bom(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "check", str(EXAMPLES / "ev-traction-motor.yaml"), "--to", "USA", "--end-use",
                       "passenger electric vehicle", "--end-user", "civil", "--on", "2026-11-23")
    assert code == 0 and "Overall: licence-required (confidence low)" in out
    assert "1.72% >= 0.1%: the rule applies." in out and "[sscollege-2025-no61-translation]" in out
    data = json.loads(run(capsys, "check", str(EXAMPLES / "gaas-wafers-to-us.yaml"), "--to", "US",
                          "--end-user", "civil", "--on", "2025-06-01", "--json")[1])
    assert data["outcome"] == "presumption-of-denial"
    assert {"results", "shipment", "not_in_force", "sources", "confidence"} <= set(data)
    art2 = next(r for r in data["results"] if r["measure"] == "CN-MOFCOM-2024-46-ART2")
    assert art2["applies"] and art2["contributing"][0]["material"] == "Ga"


def test_check_bad_input(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bom = tmp_path / "bad.yaml"
    bom.write_text("product: p\ncurrency: USD\nlines:\n  - part: magnets\n    unit_value: 1\n    materials:\n"
                   "      - {material: dysprosum, value_share: 0.5}\n", "utf-8")
    code, out, err = run(capsys, "check", str(bom), "--to", "USA")
    assert code == 1 and out == "" and "Traceback" not in err
    assert err.strip() == (f"error: {bom}: line item 1 ('magnets'), field 'materials[0].material': "
                           "unknown material 'dysprosum'; did you mean: dysprosium (Dy)?")
    code, _, err = run(capsys, "check", str(EXAMPLES / "smartphone.json"), "--to", "Atlantis")
    assert code == 1 and "unknown country 'Atlantis'" in err
    code, _, err = run(capsys, "check", str(EXAMPLES / "smartphone.json"))
    assert code == 2 and "--to is required" in err


def test_check_batch_csv_and_folder(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    jobs = tmp_path / "jobs.csv"
    jobs.write_text("bom,to,end_user,on\n"
                    f"{EXAMPLES / 'gaas-wafers-to-us.yaml'},USA,civil,2025-06-01\n"
                    f"{EXAMPLES / 'gaas-wafers-to-us.yaml'},USA,civil,2026-01-15\n"
                    f"{tmp_path / 'missing.yaml'},USA,civil,2026-01-15\n", "utf-8")
    out = tmp_path / "rows.json"
    code, _, err = run(capsys, "check", str(jobs), "--out", str(out))
    assert code == 1 and "missing.yaml: no such file" in err
    rows = json.loads(out.read_text("utf-8"))
    assert [r["outcome"] for r in rows] == ["presumption-of-denial", "licence-required", "error"]
    code, text, _ = run(capsys, "check", str(EXAMPLES), "--to", "DEU", "--end-user", "civil", "--on",
                        "2026-11-23")
    table = list(csv.DictReader(io.StringIO(text)))
    assert code == 0 and len(table) == len(list(EXAMPLES.glob("*.yaml"))) + 1
    by_file = {Path(r["bom"]).name: r for r in table}
    assert by_file["magnet-0.1pct-over.yaml"]["outcome"] == "licence-required"
    assert by_file["magnet-0.1pct-under.yaml"]["outcome"] == "not-controlled"


# ---------------------------------------------------------------------------------------------
# hostile input to check and rules: each case once crashed, hung, half-wrote or misled


Capture = pytest.CaptureFixture[str]


def no_crash(code: int, err: str) -> None:
    assert code in (0, 1, 2) and "Traceback" not in err and "internal error" not in err


def test_check_hostile_files_are_one_line_errors(tmp_path: Path, capsys: Capture) -> None:
    import os

    deep = tmp_path / "deep.yaml"
    deep.write_text("product: " + "[" * 5000 + "]" * 5000 + "\n", "utf-8")
    digits = tmp_path / "digits.json"
    digits.write_text('{"product": "p", "currency": "USD", "lines": [{"part": "a", "unit_value": '
                      + "9" * 5000 + "}]}", "utf-8")
    pipe = tmp_path / "pipe.yaml"
    os.mkfifo(pipe)
    for path, reason in ((deep, "nested deeper than 100 levels"),
                         (digits, "line 1: a number with more than 100 digits"),
                         (Path("/dev/zero"), "is a device or socket, not a regular file"),
                         (pipe, "is a named pipe, not a regular file (it would block)")):
        code, out, err = run(capsys, "check", str(path), "--to", "USA")
        no_crash(code, err)
        assert (code, out, err) == (1, "", f"error: {path}: {reason}\n")


def test_check_many_problems_are_listed_not_joined(tmp_path: Path, capsys: Capture) -> None:
    bom = tmp_path / "bom.yaml"
    bom.write_text("product: p\ncurrency: USD\nlines:\n"
                   + "".join(f"  - part: p{i}\n    unit_value: -{i + 1}\n" for i in range(12)), "utf-8")
    code, _, err = run(capsys, "check", str(bom), "--to", "USA")
    lines = err.splitlines()
    assert code == 1 and lines[0] == f"error: {bom}: 12 problems"
    assert lines[1:6] == [f"  line item {i + 1} ('p{i}'), field 'unit_value': Input should be greater "
                          "than or equal to 0" for i in range(5)]
    assert lines[6:] == ["  (and 7 more)"] and err.count(str(bom)) == 1


def test_check_infinite_values_never_reach_json(tmp_path: Path, capsys: Capture) -> None:
    bom = tmp_path / "inf.yaml"
    bom.write_text("product: p\ncurrency: USD\ntotal_value: .inf\nlines:\n  - {part: a, unit_value: 1}\n",
                   "utf-8")
    code, out, err = run(capsys, "check", str(bom), "--to", "USA", "--json")
    assert (code, out) == (1, "")
    assert err == f"error: {bom}: field 'total_value': inf is not a finite number\n"
    tiny = tmp_path / "tiny.yaml"
    tiny.write_text("product: p\ncurrency: USD\ntotal_value: 5e-324\nlines:\n  - {part: a, unit_value: 1}\n",
                    "utf-8")
    code, out, err = run(capsys, "check", str(tiny), "--to", "USA", "--json")
    assert code == 1 and "smaller than 1e-12, the smallest non-zero number a BOM accepts" in err
    # values at the limits give finite ratios and strict JSON
    edge = tmp_path / "edge.yaml"
    edge.write_text("product: p\ncurrency: USD\nmade_in: DEU\ntotal_value: 1e-12\nlines:\n"
                    "  - part: magnets\n    unit_value: 1e15\n    quantity: 1e15\n    materials:\n"
                    "      - {material: Dy, form: magnet, mass_kg: 1e15, price_per_kg: 1e15, origin: CHN}\n",
                    "utf-8")
    code, out, err = run(capsys, "check", str(edge), "--to", "USA", "--on", "2026-11-23", "--json")
    assert code == 0, err

    def refuse(name: str) -> None:
        raise AssertionError(f"{name} in JSON output")

    data = json.loads(out, parse_constant=refuse)
    assert all(r["ratio"] is None or r["ratio"] < 1e300 for r in data["results"])


def test_check_out_targets_are_checked_before_work(tmp_path: Path, capsys: Capture) -> None:
    bom = str(EXAMPLES / "smartphone.json")
    for target, reason in ((tmp_path / "missing" / "rows.csv", "the folder"),
                           (tmp_path, "is a folder (give a file name)"),
                           (Path("/dev/full"), "not a regular file")):
        for source in (bom, str(EXAMPLES)):
            code, out, err = run(capsys, "check", source, "--to", "DEU", "--out", str(target))
            no_crash(code, err)
            assert code == 1 and out == "" and err.startswith(f"error: {target}: cannot write: ")
            assert reason in err and "checked" not in err
    code, _, err = run(capsys, "check", bom, "--to", "DEU", "--out", bom)
    assert code == 2 and "is the input itself" in err
    code, _, err = run(capsys, "check", bom, "--to", "DEU", "--format", "xml")
    assert code == 2 and err == "error: --format 'xml': expected csv or json\n"
    assert not list(tmp_path.iterdir())


def test_check_out_and_format_work_for_a_single_bom(tmp_path: Path, capsys: Capture) -> None:
    bom = str(EXAMPLES / "gaas-wafers-to-us.yaml")
    args = ("check", bom, "--to", "USA", "--end-user", "civil", "--on", "2025-06-01")
    out = tmp_path / "one.csv"
    code, text, err = run(capsys, *args, "--out", str(out))
    assert (code, text) == (0, "") and err == f"checked 1 BOM; wrote {out}\n"
    rows = list(csv.DictReader(io.StringIO(out.read_text("utf-8"))))
    assert [(r["bom"], r["outcome"]) for r in rows] == [(bom, "presumption-of-denial")]
    code, text, _ = run(capsys, *args, "--format", "json")
    entries = json.loads(text)
    assert code == 0 and len(entries) == 1 and entries[0]["bom"] == bom and entries[0]["error"] is None
    single = json.loads(run(capsys, *args, "--json")[1])
    assert {k: v for k, v in entries[0].items() if k not in ("bom", "error")} == single
    bad = tmp_path / "bad.yaml"
    bad.write_text("product: p\n", "utf-8")
    target = tmp_path / "bad.csv"
    code, text, err = run(capsys, "check", str(bad), "--to", "USA", "--out", str(target))
    assert code == 1 and not target.exists() and err.startswith(f"error: {bad}: ")


def test_check_batch_json_has_the_single_bom_structure(tmp_path: Path,
                                                       capsys: Capture) -> None:
    folder = tmp_path / "boms"
    folder.mkdir()
    (folder / "a.yaml").write_text((EXAMPLES / "ev-traction-motor.yaml").read_text("utf-8"), "utf-8")
    (folder / "b.yaml").write_text("product: p\ncurrency: USD\nlines:\n  - {part: a, unit_value: -1}\n"
                                   "  - {part: b, unit_value: -1}\n", "utf-8")
    code, out, err = run(capsys, "check", str(folder), "--to", "USA", "--end-user", "civil", "--on",
                         "2026-11-23", "--json")
    entries = json.loads(out)
    single = json.loads(run(capsys, "check", str(folder / "a.yaml"), "--to", "USA", "--end-user", "civil",
                            "--on", "2026-11-23", "--json")[1])
    assert code == 1 and err.startswith(f"error: {folder / 'b.yaml'}: 2 problems\n")
    assert {k: v for k, v in entries[0].items() if k not in ("bom", "error")} == single
    assert isinstance(entries[0]["results"][0]["trace"], list) and entries[0]["error"] is None
    assert entries[1]["outcome"] == "error" and len(entries[1]["problems"]) == 2
    assert "\n" not in entries[1]["error"]
    assert entries[1]["error"].startswith(f"{folder / 'b.yaml'}: 2 problems: ")


def test_check_batch_options_are_checked_once(tmp_path: Path, capsys: Capture) -> None:
    code, out, err = run(capsys, "check", str(EXAMPLES), "--to", "Atlantis")
    assert code == 1 and out == "" and err.count("\n") == 1 and "--to: unknown country 'Atlantis'" in err
    code, out, err = run(capsys, "check", str(EXAMPLES), "--to", "DEU", "--end-user", "army")
    assert code == 2 and err == "error: --end-user 'army' is not one of: civil, military, unknown\n"
    code, _, err = run(capsys, "check", str(EXAMPLES))
    assert code == 2 and err.count("\n") == 1 and "--to is required" in err
    code, _, err = run(capsys, "check", "", "--to", "DEU")
    assert code == 2 and "BOM_FILE|DIR|CSV is empty" in err
    code, _, err = run(capsys, "check", str(EXAMPLES), "--to", "x" * 5000)
    assert code == 2 and err == "error: --to: 5,000 characters; expected a name or code of at most 100\n"
    jobs = tmp_path / "jobs.csv"
    jobs.write_text(f"bom,on\n{EXAMPLES / 'smartphone.json'},2026-13-01\n", "utf-8")
    code, out, err = run(capsys, "check", str(jobs), "--to", "DEU")
    assert code == 1
    assert err == f"error: {jobs}:2: 'on' cell '2026-13-01' is not a date (expected YYYY-MM-DD)\n"


def test_check_batch_csv_of_another_file_is_not_echoed(tmp_path: Path, capsys: Capture) -> None:
    jobs = tmp_path / "passwd.csv"
    jobs.write_text("root:x:0:0:root:/root:/bin/bash\ndaemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin\n",
                    "utf-8")
    code, out, err = run(capsys, "check", str(jobs), "--to", "USA")
    assert (code, out) == (1, "")
    assert err == (f"error: {jobs}: not a batch CSV (expected a header with a 'bom' column; optional: to, "
                   "end_use, end_user, on, from)\n")
    jobs.write_bytes(b"bom,to\n" + b"x.yaml,USA\n" * 2000 + b"\x00\n")
    code, _, err = run(capsys, "check", str(jobs), "--to", "USA")
    assert code == 1 and err == f"error: {jobs}: line 2002: a NUL byte (binary data, not a CSV)\n"


def test_rules_diff_dates_newest_first_and_plurals(capsys: Capture) -> None:
    code, out, err = run(capsys, "rules", "diff", "2025-11-30", "2025-11-01")
    assert code == 0 and err == "note: dates given newest first; showing 2025-11-01 -> 2025-11-30\n"
    assert "Status changes 2025-11-01 -> 2025-11-30" in out
    code, out, err = run(capsys, "rules", "diff", "2025-11-30", "2025-11-01", "--json")
    assert json.loads(out)["start"] == "2025-11-01" and "newest first" in err
    code, out, _ = run(capsys, "rules", "list", "--on", "2023-09-01", "--jurisdiction", "CN")
    assert code == 0 and "1 measure in force on 2023-09-01 (CHN)" in out, out
    code, out, _ = run(capsys, "rules", "list", "--on", "2026-01-15")
    assert " measures in force on 2026-01-15" in out
    code, _, err = run(capsys, "rules", "show", "x" * 300)
    assert code == 2 and err.count("\n") == 1 and "x" * 101 not in err


# ---------------------------------------------------------------------------------------------
# screen, and parties in check

FIXTURES = Path(__file__).resolve().parent / "rules" / "fixtures"


def test_screen_json_lists_hits_with_score_list_notice_and_date(capsys: Capture) -> None:
    code, out, _ = run(capsys, "screen", "Huntington Ingalls Industries Inc.", "--on", "2026-01-15", "--json")
    hits = json.loads(out)
    assert code == 0 and len(hits) == 2
    assert [{k: h[k] for k in ("kind", "score", "list", "notice", "date")} for h in hits] == [
        {"kind": "hit", "score": 100.0, "list": "CN-MOFCOM-ECCL",
         "notice": "MOFCOM Announcement No. 51 of 2025", "date": "2025-09-25"},
        {"kind": "hit", "score": 100.0, "list": "CN-MOFCOM-UEL", "notice": "announcement of 2025-03-04",
         "date": "2025-03-04"}]
    code, out, _ = run(capsys, "screen", "亨廷顿英格尔斯工业", "--on", "2026-01-15", "--country", "US")
    assert code == 0 and "1 hit, 0 possible matches" in out and "CN-MOFCOM-ECCL" in out
    code, out, _ = run(capsys, "screen", "Acme Optics GmbH", "--on", "2026-01-15", "--json")
    assert (code, json.loads(out)) == (0, [])


def test_screen_owner_applies_the_fifty_percent_rule(capsys: Capture) -> None:
    args = ("screen", "Example Joint Venture Ltd", "--owner", "SMIC:0.3", "--owner", "DJI:25%", "--json")
    inside = json.loads(run(capsys, *args, "--on", "2025-10-01")[1])
    assert [(m["kind"], m["list"]) for m in inside] == [("hit", "US-BIS-EL")] and "55%" in inside[0]["via"]
    suspended = json.loads(run(capsys, *args, "--on", "2026-01-15")[1])
    assert [m["kind"] for m in suspended] == ["suspended"]
    code, _, err = run(capsys, "screen", "X", "--owner", "SMIC")
    assert code == 2 and err.startswith("error: --owner 'SMIC': expected NAME:SHARE")
    code, _, err = run(capsys, "screen", "X", "--owner", "A:0.7", "--owner", "B:0.6")
    assert code == 2 and "the shares add up to 1.3, more than 1" in err


def test_screen_bad_input_is_one_line(tmp_path: Path, capsys: Capture) -> None:
    code, out, err = run(capsys, "screen", "Acme", "--country", "Atlantis")
    assert (code, out) == (1, "") and err.count("\n") == 1 and "unknown country 'Atlantis'" in err
    bad = tmp_path / "csl.csv"
    bad.write_text("_id,source,name,start_date\n1,Entity List (EL) - Bureau of Industry and Security,Acme,"
                   "2024-13-05\n", "utf-8")
    code, out, err = run(capsys, "screen", "Acme", "--list-file", str(bad))
    assert (code, out) == (1, "")
    assert err == f"error: {bad}: line 2: field 'start_date': '2024-13-05' is not a date (YYYY-MM-DD)\n"
    code, _, err = run(capsys, "screen", "Acme", "--list-file", str(tmp_path / "missing.csv"))
    assert code == 1 and err.count("\n") == 1 and "missing.csv: --list-file: no such file" in err
    broken = tmp_path / "list.yaml"
    broken.write_text("id: MY-LIST\ntitle: t\nauthority: a\njurisdiction: CHN\noutcome: forbidden\n"
                      "effect: e\nnotices:\n  - {date: 2024-01-01, entities: [{names_en: [Acme]}]}\n",
                      "utf-8")
    code, _, err = run(capsys, "screen", "Acme", "--list-file", str(broken))
    assert code == 1 and err.count("\n") == 1 and err.startswith(f"error: {broken}: field 'outcome': ")
    broken.write_text("id: my list\ntitle: t\nauthority: a\njurisdiction: CHN\noutcome: forbidden\n"
                      "effect: e\nnotices: []\n", "utf-8")
    code, _, err = run(capsys, "screen", "Acme", "--list-file", str(broken))
    assert code == 1 and err.count("\n") == 1 and err.startswith(f"error: {broken}: field 'id': ")
    assert err.rstrip().endswith("(and 2 more)")
    code, _, err = run(capsys, "screen", "  ")
    assert code == 2 and "NAME is empty" in err


def test_screen_with_a_csl_file(capsys: Capture) -> None:
    code, out, _ = run(capsys, "screen", "Example Gallium Materials", "--on", "2026-01-01", "--json",
                       "--list-file", str(FIXTURES / "csl-sample.json"))
    hits = json.loads(out)
    assert code == 0 and [(h["list"], h["notice"], h["outcome"]) for h in hits] == [
        ("US-BIS-EL", "90 FR 12345", "presumption-of-denial")]


def test_check_party_changes_the_outcome_and_names_the_notice(capsys: Capture) -> None:
    bom = str(EXAMPLES / "gaas-wafers-to-us.yaml")
    base = ("check", bom, "--to", "USA", "--end-user", "civil", "--on", "2026-01-15")
    assert json.loads(run(capsys, *base, "--json")[1])["outcome"] == "licence-required"
    code, out, _ = run(capsys, *base, "--party", "consignee=Huntington Ingalls Industries, Inc.", "--json")
    data = json.loads(out)
    assert code == 0 and data["outcome"] == "presumption-of-denial"
    eccl = next(r for r in data["results"] if r["measure"] == "CN-MOFCOM-ECCL")
    assert any("MOFCOM Announcement No. 51 of 2025" in step for step in eccl["trace"])
    assert data["screening"][0]["list"] == "CN-MOFCOM-ECCL" and "worldports-2025-09-no51" in data["sources"]
    code, out, _ = run(capsys, *base, "--party", "Huntington Ingalls Industries")
    assert code == 0 and "Overall: presumption-of-denial" in out
    assert "CN-MOFCOM-ECCL — presumption-of-denial" in out
    code, text, _ = run(capsys, *base, "--party", "Huntington Ingalls Industries", "--format", "csv")
    row = next(csv.DictReader(io.StringIO(text)))
    assert "CN-MOFCOM-ECCL=presumption-of-denial" in row["measures"]
    code, _, err = run(capsys, *base, "--party", "consignee=")
    assert code == 2 and err.startswith("error: --party 'consignee=': ")


def test_check_example_with_parties_in_the_file(capsys: Capture) -> None:
    code, out, _ = run(capsys, "check", str(EXAMPLES / "gaas-wafers-with-parties.yaml"), "--to", "USA",
                       "--end-user", "civil", "--on", "2026-01-15", "--json")
    data = json.loads(out)
    assert code == 0 and data["outcome"] == "presumption-of-denial"
    assert [(m["role"], m["query"]) for m in data["screening"]] == [("end-user", "亨廷顿·英格尔斯工业公司")]


def test_check_list_file_batch_parties_and_bad_party_country(tmp_path: Path, capsys: Capture) -> None:
    bom = str(EXAMPLES / "gaas-wafers-to-us.yaml")
    base = ("check", bom, "--to", "USA", "--end-user", "civil", "--on", "2026-01-15")
    code, out, _ = run(capsys, *base, "--party", "end-user=Example Gallium Materials Company Limited",
                       "--list-file", str(FIXTURES / "csl-sample.json"), "--json")
    data = json.loads(out)
    el = next(r for r in data["results"] if r["measure"] == "US-BIS-EL")
    assert code == 0 and el["outcome"] == "presumption-of-denial"
    assert any("90 FR 12345" in step for step in el["trace"])
    folder = tmp_path / "boms"
    folder.mkdir()
    (folder / "a.yaml").write_text((EXAMPLES / "gaas-wafers-to-us.yaml").read_text("utf-8"), "utf-8")
    code, text, _ = run(capsys, "check", str(folder), "--to", "USA", "--end-user", "civil", "--on",
                        "2026-01-15", "--party", "consignee=Planate Management Group")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert code == 0 and rows[0]["outcome"] == "presumption-of-denial"
    assert "CN-MOFCOM-ECCL=presumption-of-denial" in rows[0]["measures"]
    assert "CN-MOFCOM-UEL=presumption-of-denial" in rows[0]["measures"]
    bad = tmp_path / "bad.yaml"
    bad.write_text("product: p\ncurrency: USD\nparties:\n  - {name: Acme, country: Atlantis}\nlines:\n"
                   "  - {part: a, unit_value: 1}\n", "utf-8")
    code, out, err = run(capsys, "check", str(bad), "--to", "USA")
    assert (code, out) == (1, "") and err.count("\n") == 1
    assert err.startswith(f"error: {bad}: field 'parties[0].country': unknown country 'Atlantis'")
