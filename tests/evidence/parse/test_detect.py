"""Reading bytes: encodings are detected, and wrong files fail with a sentence naming the file."""

from __future__ import annotations

from pathlib import Path

import pytest

from critmin import inputs
from critmin.evidence.parse import MAX_BYTES, DocumentError, language_of, read_document_file

FIXTURES = Path(__file__).parents[2] / "fixtures" / "evidence"

GB18030_TEXT = (
    "稀土出口管制的影响\n稀土是现代工业的重要原料。中国在稀土开采、冶炼和分离环节占据全球主要份额。\n"
    "二〇二五年十月，商务部宣布对部分稀土技术实施出口管制，要求相关企业申请许可证。\n"
    "分析人士认为，这一措施将影响全球永磁材料供应链，欧洲和日本的汽车制造商已经开始寻找替代来源。\n"
)
BIG5_TEXT = (
    "臺灣半導體與稀土\n稀土是現代工業的重要原料。臺灣的半導體產業高度依賴進口材料，業界擔心出口管制將造成供應鏈中斷。\n"
    "經濟部表示，將與日本及美國企業合作，建立多元的採購來源，以降低風險。\n"
)


def reason(path: Path, **kwargs: int) -> str:
    with pytest.raises(DocumentError) as caught:
        read_document_file(path, **kwargs)
    assert caught.value.exit_code == 1
    assert caught.value.file == str(path)
    assert str(caught.value) == f"{path}: {caught.value.reason}"
    return caught.value.reason


def test_gb18030_is_detected() -> None:
    assert (FIXTURES / "chinese-gb18030.txt").read_bytes() == GB18030_TEXT.encode("gb18030")
    assert read_document_file(FIXTURES / "chinese-gb18030.txt") == GB18030_TEXT


def test_big5_is_detected() -> None:
    assert (FIXTURES / "chinese-big5.txt").read_bytes() == BIG5_TEXT.encode("big5")
    assert read_document_file(FIXTURES / "chinese-big5.txt") == BIG5_TEXT


def test_utf8_with_and_without_bom(tmp_path: Path) -> None:
    plain = tmp_path / "plain.txt"
    plain.write_bytes("镓 gallium\r\n".encode())
    with_bom = tmp_path / "bom.txt"
    with_bom.write_bytes("\ufeff镓 gallium\n".encode())
    assert read_document_file(plain) == "镓 gallium\n"
    assert read_document_file(with_bom) == "镓 gallium\n"


def test_utf16_with_bom(tmp_path: Path) -> None:
    path = tmp_path / "notepad.txt"
    path.write_bytes("锗价格\nGermanium price\n".encode("utf-16"))
    assert read_document_file(path) == "锗价格\nGermanium price\n"


def test_empty_file() -> None:
    assert reason(FIXTURES / "empty.txt") == "empty file"


def test_binary_file() -> None:
    assert reason(FIXTURES / "image.txt") == "binary file, not text"


def test_mostly_control_bytes_is_binary(tmp_path: Path) -> None:
    path = tmp_path / "controls.txt"
    path.write_bytes(bytes(range(1, 8)) * 100 + b"some text")
    assert reason(path) == "binary file, not text"


def test_size_limit(tmp_path: Path) -> None:
    path = tmp_path / "big.txt"
    with path.open("wb") as handle:
        handle.truncate(MAX_BYTES + 1)  # sparse: nothing is written
    assert MAX_BYTES == 20 * 1024 * 1024
    assert reason(path) == "file is larger than the 20 MiB limit"
    small = tmp_path / "small.txt"
    small.write_bytes(b"x" * 2048)
    assert reason(small, max_bytes=1024) == "file is larger than the 1 KiB limit"


def test_missing_file(tmp_path: Path) -> None:
    assert reason(tmp_path / "missing.txt") == "no such file"


def test_undecodable(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    class NoMatch:
        def best(self) -> None:
            return None

    monkeypatch.setattr(inputs, "from_bytes", lambda data: NoMatch())
    path = tmp_path / "latin.txt"
    path.write_bytes(b"caf\xe9 \xff\xfe\xfd")
    assert reason(path) == "cannot decode text (tried UTF-8, UTF-16/32 and charset detection)"


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("中国控制了全球约90%的稀土精炼产能。", "zh"),
        ("据Reuters报道，中国控制了全球约90%的稀土精炼产能。", "zh"),
        ("China controls about 90% of rare earth refining.", "en"),
        ("China controls about 90% of rare earth refining, 稀土.", "en"),
        ("稀土精炼 rare earth refining", "mixed"),
        ("90% 2025-10-26", "mixed"),
        ("", "mixed"),
    ],
)
def test_language_of(text: str, language: str) -> None:
    assert language_of(text) == language
