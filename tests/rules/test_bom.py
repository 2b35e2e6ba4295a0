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
    with pytest.raises(CritminError, match=r"not a batch CSV \(expected a header with a 'bom' column"):
        batch_jobs(tmp_path / "bad.csv")


# ---------------------------------------------------------------------------------------------
# hostile files: each once crashed, hung or was misread


def valid(extra: str = "", line: str = "  - part: a\n    unit_value: 1\n") -> str:
    return f"product: p\ncurrency: USD\n{extra}lines:\n{line}"


def test_deep_nesting_and_huge_numbers_are_refused_by_line(tmp_path: Path, kb: KnowledgeBase) -> None:
    with pytest.raises(CritminError, match="nested deeper than 100 levels"):
        read_bom(write(tmp_path, "product: " + "[" * 5000 + "]" * 5000 + "\n"), kb)
    with pytest.raises(CritminError, match="nested deeper than 100 levels"):
        read_bom(write(tmp_path, '{"product": ' + "[" * 5000 + "]" * 5000 + "}", "b.json"), kb)
    path = write(tmp_path, valid(line="  - part: a\n    unit_value: " + "9" * 5000 + "\n"))
    with pytest.raises(CritminError, match=r"bom.yaml: line 5: a number with more than 100 digits"):
        read_bom(path, kb)


def test_encodings_are_decoded_like_documents(tmp_path: Path, kb: KnowledgeBase) -> None:
    text = ("product: 电机转子磁钢组件，稀土永磁电机\ncurrency: USD\nlines:\n"
            "  - part: 转子磁钢\n    unit_value: 1\n")
    for encoding in ("utf-16", "utf-32", "gb18030", "utf-8-sig"):
        path = tmp_path / f"{encoding}.yaml"
        path.write_bytes(text.encode(encoding))
        assert read_bom(path, kb).lines[0].part == "转子磁钢", encoding


def test_devices_pipes_and_oversized_files_are_refused(tmp_path: Path, kb: KnowledgeBase) -> None:
    import os

    from critmin.rules import bom as bom_module

    with pytest.raises(CritminError, match="/dev/zero: is a device or socket, not a regular file"):
        read_bom(Path("/dev/zero"), kb)
    pipe = tmp_path / "pipe.yaml"
    os.mkfifo(pipe)
    with pytest.raises(CritminError, match="is a named pipe, not a regular file"):
        read_bom(pipe, kb)  # returns at once: nothing is opened
    assert bom_module.MAX_BOM_BYTES == 16 * 1024 * 1024
    big = tmp_path / "big.yaml"
    with big.open("wb") as handle:
        handle.truncate(bom_module.MAX_BOM_BYTES + 1)
    with pytest.raises(CritminError, match="larger than the 16 MiB limit"):
        read_bom(big, kb)
    with pytest.raises(CritminError, match="empty file"):
        read_bom(write(tmp_path, "", "empty.yaml"), kb)


@pytest.mark.parametrize("value", [".inf", "-.inf", ".nan", "1e999", "'inf'", "'nan'"])
def test_non_finite_numbers_are_refused(tmp_path: Path, kb: KnowledgeBase, value: str) -> None:
    with pytest.raises(CritminError, match=r"total_value'?: .*finite number"):
        read_bom(write(tmp_path, valid(f"total_value: {value}\n")), kb)


def test_json_infinity_is_refused(tmp_path: Path, kb: KnowledgeBase) -> None:
    path = write(tmp_path, '{"product": "p", "currency": "USD", "total_value": Infinity, '
                           '"lines": [{"part": "a", "unit_value": 1}]}', "b.json")
    with pytest.raises(CritminError, match="Infinity is not a number JSON allows"):
        read_bom(path, kb)


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


def test_many_problems_name_the_file_once(tmp_path: Path, kb: KnowledgeBase) -> None:
    from critmin.rules.bom import ProblemsError

    lines = "".join(f"  - part: part{i}\n    unit_value: -1\n" for i in range(30))
    path = write(tmp_path, f"product: p\ncurrency: USD\nlines:\n{lines}")
    with pytest.raises(ProblemsError) as info:
        read_bom(path, kb)
    message = info.value.message.splitlines()
    assert message[0] == f"{path}: 30 problems"
    assert message[1] == ("  line item 1 ('part0'), field 'unit_value': Input should be greater than or "
                          "equal to 0")
    assert len(message) == 7 and message[-1] == "  (and 25 more)"
    assert info.value.message.count(str(path)) == 1
    assert len(info.value.problems) == 30
    assert "\n" not in info.value.one_line() and info.value.one_line().count(str(path)) == 1


def test_unknown_names_are_all_reported(tmp_path: Path, kb: KnowledgeBase) -> None:
    path = write(tmp_path, "product: p\ncurrency: USD\nmade_in: Atlantis\nlines:\n" + GOOD_LINE
                 + "      - {material: dysprosum, value_share: 0.1, origin: Narnia}\n")
    with pytest.raises(CritminError) as info:
        read_bom(path, kb)
    lines = info.value.message.splitlines()
    assert lines[0] == f"{path}: 3 problems"
    assert any("'materials[0].material': unknown material 'dysprosum'" in line for line in lines)
    assert any("'materials[0].origin': unknown country 'Narnia'" in line for line in lines)
    assert any("field 'made_in': unknown country 'Atlantis'" in line for line in lines)


def test_other_files_are_not_echoed_as_fields(tmp_path: Path, kb: KnowledgeBase) -> None:
    path = write(tmp_path, "password: hunter2\nhost: db.internal\n", "config.yaml")
    with pytest.raises(CritminError) as info:
        read_bom(path, kb)
    assert info.value.message == f"{path}: not a BOM (expected a mapping with product, currency and lines)"
    with pytest.raises(CritminError, match="not a BOM"):
        read_bom(Path("/etc/passwd"), kb)


def test_long_or_control_character_names_are_clipped(tmp_path: Path, kb: KnowledgeBase) -> None:
    path = write(tmp_path, valid(line="  - part: \"" + "x" * 400 + "\\n\"\n    unit_value: -1\n"
                                      "    made_in: \"" + "y" * 200 + "\"\n"))
    with pytest.raises(CritminError) as info:
        read_bom(path, kb)
    assert "x" * 59 + "…" in info.value.message and "y" * 101 not in info.value.message
    assert "String should have at most 100 characters" in info.value.message
    assert all(len(line) < 300 for line in info.value.message.splitlines())


# ---------------------------------------------------------------------------------------------
# hostile batch CSVs


def test_batch_csv_nul_and_huge_cells_name_the_line(tmp_path: Path) -> None:
    path = tmp_path / "jobs.csv"
    path.write_bytes(b"bom,to\n" + b"a.yaml,USA\n" * 1000 + b"b.yaml\x00,USA\n")  # past the binary sniff
    with pytest.raises(CritminError, match=r"jobs.csv: line 1002: a NUL byte"):
        batch_jobs(path)
    path.write_bytes(b"bom,to\na.yaml\x00,USA\n")
    with pytest.raises(CritminError, match=r"jobs\.csv: binary file, not text"):
        batch_jobs(path)
    write(tmp_path, 'bom,to\na.yaml,USA\n"' + "a" * 200_000 + '",USA\n', "jobs.csv")
    with pytest.raises(CritminError) as info:
        batch_jobs(path)
    assert info.value.message == f"{path}: line 3: not a valid CSV: a cell longer than 131,072 characters"
    write(tmp_path, "bom,to\n" + "b" * 5000 + ",USA\n", "jobs.csv")
    with pytest.raises(CritminError, match="line 2: the 'bom' cell has 5,000 characters"):
        batch_jobs(path)
    write(tmp_path, "bom,to\na.yaml,USA,extra\n", "jobs.csv")
    with pytest.raises(CritminError, match="line 2: 3 cells but the header has 2 columns"):
        batch_jobs(path)


def test_batch_csv_never_echoes_another_file(tmp_path: Path) -> None:
    secret = "root:x:0:0:root:/root:/bin/bash\nalice:$6$salt$hash:19000:0:99999:7:::\n"
    path = write(tmp_path, secret, "shadow.csv")
    with pytest.raises(CritminError) as info:
        batch_jobs(path)
    assert info.value.message == (f"{path}: not a batch CSV (expected a header with a 'bom' column; "
                                  "optional: to, end_use, end_user, on, from)")
    path = write(tmp_path, "bom,root:x:0:0:root:/root:/bin/bash\n", "mixed.csv")
    with pytest.raises(CritminError, match="not a batch CSV") as info:
        batch_jobs(path)
    assert "/bin/bash" not in info.value.message
    path = write(tmp_path, "bom,to,colour,size,weight,shape\na.yaml,USA\n", "extra.csv")
    with pytest.raises(CritminError) as info:
        batch_jobs(path)
    assert info.value.message.endswith("line 1: unknown columns 'colour', 'size', 'weight' and 1 more; "
                                       "expected bom, to, end_use, end_user, on, from")
    write(tmp_path, "BOM, To \na.yaml,USA\n", "upper.csv")
    assert batch_jobs(tmp_path / "upper.csv")[0].to == "USA"
    with pytest.raises(CritminError, match="is a device or socket"):
        batch_jobs(Path("/dev/zero"))


def test_batch_folder_reports_unreadable_entries(tmp_path: Path) -> None:
    (tmp_path / "broken.yaml").symlink_to(tmp_path / "nowhere")
    (tmp_path / ".hidden.yaml").write_text("x", "utf-8")
    (tmp_path / "sub.yaml").mkdir()
    (tmp_path / "notes.txt").write_text("x", "utf-8")
    assert [j.bom.name for j in batch_jobs(tmp_path)] == ["broken.yaml"]
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(CritminError, match="no BOM files"):
        batch_jobs(empty)
