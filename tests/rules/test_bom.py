"""Bad BOM input: one line naming the file, the line item and the field; unknown names get suggestions."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from critmin.errors import CritminError, UsageError
from critmin.kb import KnowledgeBase
from critmin.rules.bom import batch_jobs, make_shipment, read_bom

GOOD_LINE = "  - part: magnets\n    unit_value: 10\n    materials:\n"


def write(tmp_path: Path, text: str, name: str = "bom.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, "utf-8")
    return path


def test_schema_error_names_file_line_item_and_field(tmp_path: Path, kb: KnowledgeBase) -> None:
    path = write(tmp_path, "product: p\ncurrency: USD\nlines:\n  - part: ok\n    unit_value: 1\n"
                           "  - part: rotor magnets\n    unit_value: -3\n")
    with pytest.raises(CritminError) as info:
        read_bom(path, kb)
    assert info.value.message == (f"{path}: line item 2 ('rotor magnets'), field 'unit_value': "
                                  "Input should be greater than or equal to 0")


def test_material_value_rules(tmp_path: Path, kb: KnowledgeBase) -> None:
    path = write(tmp_path, "product: p\ncurrency: USD\nlines:\n" + GOOD_LINE
                 + "      - {material: Dy, mass_kg: 0.1}\n")
    with pytest.raises(CritminError, match=r"line item 1 \('magnets'\), field 'materials\[0\]': "
                                           "a mass needs price_per_kg"):
        read_bom(path, kb)


def test_unknown_material_and_country_list_nearest(tmp_path: Path, kb: KnowledgeBase) -> None:
    path = write(tmp_path, "product: p\ncurrency: USD\nlines:\n" + GOOD_LINE
                 + "      - {material: dysprosum, value_share: 0.1}\n")
    with pytest.raises(CritminError) as info:
        read_bom(path, kb)
    assert info.value.message == (f"{path}: line item 1 ('magnets'), field 'materials[0].material': "
                                  "unknown material 'dysprosum'; did you mean: dysprosium (Dy)?")
    path = write(tmp_path, "product: p\ncurrency: USD\nmade_in: Germny\n"
                           "lines:\n  - {part: a, unit_value: 1}\n")
    with pytest.raises(CritminError,
                       match=r"field 'made_in': unknown country 'Germny'; did you mean: .*Germany"):
        read_bom(path, kb)


def test_unreadable_files(tmp_path: Path, kb: KnowledgeBase) -> None:
    with pytest.raises(CritminError, match="invalid JSON"):
        read_bom(write(tmp_path, '{"product": ', "b.json"), kb)
    with pytest.raises(CritminError, match="no such file"):
        read_bom(tmp_path / "missing.yaml", kb)
    with pytest.raises(CritminError, match="expected a mapping"):
        read_bom(write(tmp_path, "- a\n- b\n"), kb)


def test_shipment_validation(kb: KnowledgeBase) -> None:
    shipment = make_shipment(kb, to="美国", on=dt.date(2026, 1, 1), end_user="Military", ship_from="UK")
    assert (shipment.to, shipment.ship_from, shipment.end_user.value) == ("USA", "GBR", "military")
    with pytest.raises(UsageError, match="end user 'army' is not one of"):
        make_shipment(kb, to="USA", on=dt.date(2026, 1, 1), end_user="army")


def test_batch_csv(tmp_path: Path) -> None:
    write(tmp_path, "bom,to,end_user,on\na.yaml,USA,civil,2026-01-01\n,,,\nsub/b.json,,,\n", "jobs.csv")
    jobs = batch_jobs(tmp_path / "jobs.csv")
    assert [(j.bom.name, j.to, j.where.rsplit(":", 1)[1]) for j in jobs] == [("a.yaml", "USA", "2"),
                                                                           ("b.json", None, "4")]
    write(tmp_path, "path,to\na.yaml,USA\n", "bad.csv")
    with pytest.raises(CritminError, match="needs a 'bom' column"):
        batch_jobs(tmp_path / "bad.csv")


# ---------------------------------------------------------------------------------------------
# numbers a BOM may hold


def valid(extra: str = "", line: str = "  - part: a\n    unit_value: 1\n") -> str:
    return f"product: p\ncurrency: USD\n{extra}lines:\n{line}"


@pytest.mark.parametrize("value", [".inf", "-.inf", ".nan", "1e999", "'inf'", "'nan'"])
def test_non_finite_numbers_are_refused(tmp_path: Path, kb: KnowledgeBase, value: str) -> None:
    with pytest.raises(CritminError, match=r"total_value'?: .*finite number"):
        read_bom(write(tmp_path, valid(f"total_value: {value}\n")), kb)


@pytest.mark.parametrize(("field", "value", "message"), [
    ("total_value: 5e-324\n", "", "smaller than 1e-12"),
    ("total_value: 1e16\n", "", "larger than 1e+15"),
    ("rates: {EUR: 1e-300}\n", "", "EUR: 1e-300 is smaller than 1e-12"),
    ("", "    quantity: 1e300\n", "field 'quantity': 1e+300 is larger than 1e+15"),
    ("", "    unit_value: 0\n    quantity: 0\n", "field 'quantity': Input should be greater than 0"),
    ("semiconductor: {memory_layers: 10000000000000000000}\n", "", "larger than 1e+15"),
])
def test_numbers_must_be_in_a_sane_range(tmp_path: Path, kb: KnowledgeBase, field: str, value: str,
                                         message: str) -> None:
    line = "  - part: a\n" + (value if "unit_value" in value else "    unit_value: 1\n" + value)
    with pytest.raises(CritminError, match=message.replace("(", r"\(").replace("+", r"\+")):
        read_bom(write(tmp_path, valid(field, line)), kb)


def test_numbers_at_the_limits_are_accepted(tmp_path: Path, kb: KnowledgeBase) -> None:
    bom = read_bom(write(tmp_path, valid("total_value: 1e-12\n", "  - part: a\n    unit_value: 1e15\n"
                                         "    quantity: 1e15\n    unit_mass_kg: 1e-12\n")), kb)
    assert bom.total_value == 1e-12 and bom.lines[0].unit_value == 1e15


def test_api_models_refuse_non_finite_numbers(kb: KnowledgeBase) -> None:
    from critmin.rules import parse_bom

    for bad in (float("inf"), float("nan"), "Infinity"):
        with pytest.raises(CritminError, match="finite number"):
            parse_bom({"product": "p", "currency": "USD", "total_value": bad,
                       "lines": [{"part": "a", "unit_value": 1}]}, kb)
