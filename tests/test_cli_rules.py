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
