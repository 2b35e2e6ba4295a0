"""critmin.inputs: hostile files get one sentence naming the file, never a hang or a crash."""

from __future__ import annotations

import errno
import json
import os
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from critmin.inputs import (
    MAX_DEPTH,
    InputError,
    decode_text,
    display_path,
    flow_depth,
    list_files,
    load_json,
    load_structured,
    load_yaml,
    read_bytes,
    read_text,
    utf8_error_share,
    write_atomic,
)

# --- reading --------------------------------------------------------------------------------


def test_a_named_pipe_is_refused_without_opening_it(tmp_path: Path) -> None:
    pipe = tmp_path / "pipe.yaml"
    os.mkfifo(pipe)
    with pytest.raises(InputError, match="named pipe"):
        read_text(pipe, 1024)  # would block forever if it were opened


def test_a_device_is_refused_before_reading() -> None:
    with pytest.raises(InputError, match="/dev/zero: is a device"):
        read_bytes(Path("/dev/zero"), 1024)


def test_folders_missing_files_and_size_limits(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="is a folder"):
        read_bytes(tmp_path, 10)
    with pytest.raises(InputError, match="no such file"):
        read_bytes(tmp_path / "missing.yaml", 10)
    big = tmp_path / "big.txt"
    big.write_bytes(b"x" * 2048)
    with pytest.raises(InputError, match="larger than the 1 KiB limit"):
        read_bytes(big, 1024)
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    with pytest.raises(InputError, match="empty file"):
        read_bytes(empty, 10)
    assert read_text(empty, 10, allow_empty=True) == ""


def test_an_over_long_path_is_one_short_line(tmp_path: Path) -> None:
    long = tmp_path / ("a" * 300) / ("b" * 5000)
    with pytest.raises(InputError) as caught:
        read_bytes(long, 10)
    assert "too long" in caught.value.message
    assert len(caught.value.message) < 300


def test_unreadable_files_say_permission_denied(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    locked = tmp_path / "locked.txt"
    locked.write_text("x")

    def denied(*_args: object, **_kwargs: object) -> None:
        raise PermissionError(errno.EACCES, "Permission denied")

    monkeypatch.setattr(Path, "open", denied)  # root reads any file, so the refusal is simulated
    with pytest.raises(InputError, match=r"locked\.txt: cannot read: permission denied"):
        read_bytes(locked, 10)


# --- decoding -------------------------------------------------------------------------------

TEXT = "中国对镓、锗相关物项实施出口管制，自2023年8月1日起施行。Gallium and germanium."


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "utf-16", "utf-32", "gb18030"])
def test_text_is_decoded_in_the_encodings_users_save(encoding: str) -> None:
    assert decode_text((TEXT * 4).encode(encoding), "f.txt") == TEXT * 4


def test_a_few_corrupted_bytes_stay_utf8_instead_of_a_code_page() -> None:
    data = bytearray((TEXT * 20).encode("utf-8"))
    data[100:103] = b"\xff\xfe\xfd"
    text = decode_text(bytes(data), "f.txt")
    assert "出口管制" in text and "\ufffd" in text
    assert 0 < utf8_error_share(bytes(data)) <= 0.01


def test_binary_data_is_refused() -> None:
    with pytest.raises(InputError, match="binary"):
        decode_text(b"PK\x03\x04\x00\x00binary", "f.txt")


@settings(max_examples=200, deadline=None)
@given(st.binary(min_size=1, max_size=400))
def test_any_bytes_decode_or_raise_input_error(data: bytes) -> None:
    try:
        assert isinstance(decode_text(data, "f.txt"), str)
    except InputError as exc:
        assert exc.message.startswith("f.txt: ")


# --- parsing --------------------------------------------------------------------------------


def test_deep_nesting_is_refused_not_a_recursion_error() -> None:
    with pytest.raises(InputError, match=f"nested deeper than {MAX_DEPTH}"):
        load_yaml("[" * 20_000, "s.yaml")
    with pytest.raises(InputError, match=f"nested deeper than {MAX_DEPTH}"):
        load_json("[" * 20_000 + "]" * 20_000, "s.json")
    with pytest.raises(InputError, match="nested deeper"):
        load_yaml("a:\n" + "".join("  " * i + "- \n" for i in range(1, 150)), "s.yaml")


def test_long_numbers_are_named_by_line() -> None:
    with pytest.raises(InputError, match=r"s\.yaml: line 2: a number with more than"):
        load_yaml("a: 1\nb: " + "9" * 5000, "s.yaml")
    with pytest.raises(InputError, match="line 1"):
        load_json('{"a": ' + "1" * 5000 + "}", "s.json")


@pytest.mark.parametrize("text", ["value: .inf", "value: -.inf", "value: .nan", "lines: [{value: .inf}]"])
def test_non_finite_numbers_are_refused_with_their_field(text: str) -> None:
    with pytest.raises(InputError, match="is not a finite number") as caught:
        load_yaml(text, "b.yaml")
    assert "value" in caught.value.message


@pytest.mark.parametrize("text", ["[Infinity]", "[NaN]", "[-Infinity]", '{"v": 1e999}'])
def test_json_constants_and_overflowing_floats_are_refused(text: str) -> None:
    with pytest.raises(InputError):
        load_json(text, "b.json")


def test_aliases_and_bad_dates_are_refused() -> None:
    with pytest.raises(InputError, match="line 2: invalid YAML: aliases"):
        load_yaml("a: &x [1, 2]\nb: *x\n", "s.yaml")
    with pytest.raises(InputError, match="invalid YAML value"):
        load_yaml("start: 2025-02-30\n", "s.yaml")


def test_structured_chooses_by_suffix() -> None:
    assert load_structured('{"a": 1}', "x.json") == {"a": 1}
    assert load_structured("a: 1", "x.yaml") == {"a": 1}


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=300))
def test_any_text_parses_or_raises_input_error(text: str) -> None:
    for name in ("f.yaml", "f.json"):
        try:
            data = load_structured(text, name)
        except InputError as exc:
            assert exc.message.startswith(f"{name}: ") and "\n" not in exc.message
        else:
            json.dumps(data, default=str, allow_nan=False)  # finite, plain data


# --- writing --------------------------------------------------------------------------------


def test_write_atomic_replaces_whole_files(tmp_path: Path) -> None:
    target = tmp_path / "report.html"
    write_atomic(target, "first")
    write_atomic(target, "second")
    assert target.read_text() == "second"
    assert [p.name for p in tmp_path.iterdir()] == ["report.html"]  # no temporary left behind


def test_write_atomic_refuses_bad_targets_before_writing(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="is a folder"):
        write_atomic(tmp_path, "x")
    with pytest.raises(InputError, match="does not exist"):
        write_atomic(tmp_path / "missing" / "r.html", "x")
    with pytest.raises(InputError, match="not a regular file"):
        write_atomic(Path("/dev/full"), "x")


def test_a_full_disk_leaves_the_old_file_and_no_temporary(tmp_path: Path,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "r.md"
    target.write_text("old")

    def no_space(_fd: int) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "fsync", no_space)
    with pytest.raises(InputError, match=r"r\.md: cannot write: no space left on the device"):
        write_atomic(target, "new")
    assert target.read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["r.md"]


# --- names and folders ----------------------------------------------------------------------


def test_undecodable_file_names_print_as_escapes() -> None:
    name = os.fsdecode(b"/tmp/\xff\xfenews\n.txt")
    shown = display_path(name)
    assert shown == "/tmp/\\xff\\xfenews\\n.txt"
    shown.encode("utf-8")  # printable on any terminal


def test_list_files_reports_loops_and_skips_nothing_silently(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("a")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "b.md").write_text("b")
    (tmp_path / ".hidden.txt").write_text("h")
    (tmp_path / "loop").symlink_to(tmp_path / "loop")
    (tmp_path / "dangling").symlink_to(tmp_path / "nowhere")
    (tmp_path / "linked-folder").symlink_to(tmp_path / "sub")
    files, errors = list_files(tmp_path)
    assert [p.relative_to(tmp_path).as_posix() for p in files] == ["a.txt", "sub/b.md"]
    assert sorted(Path(e.file).name for e in errors) == ["dangling", "loop"]
    assert all("symlink" in e.reason for e in errors)


def test_flow_depth_counts_brackets_and_stops_early() -> None:
    assert flow_depth("a: [1, {b: [2]}]") == 3
    assert flow_depth("]]] [x]") == 1  # stray closers never go below zero
    assert flow_depth("[" * 1_000_000, stop_above=MAX_DEPTH) == MAX_DEPTH + 1


def test_nul_bytes_in_paths_and_huge_keys_stay_one_short_line(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="NUL byte"):
        read_bytes(Path("bad\x00name.yaml"), 10)
    with pytest.raises(InputError, match="NUL byte"):
        write_atomic(tmp_path / "bad\x00name.html", "x")
    with pytest.raises(InputError) as caught:
        load_yaml("k" * 5000 + ": .inf", "b.yaml")
    assert len(caught.value.message) < 200
