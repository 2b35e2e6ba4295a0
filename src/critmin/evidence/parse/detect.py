"""Turning a file's bytes into text we can trust, and telling Chinese from English.

Evidence arrives as whatever a browser or a colleague saved: UTF-8 with or without a BOM, GB18030
from a Chinese Windows machine, Big5 from Taiwan or Hong Kong, and sometimes a PDF or an image
renamed to `.txt`. Decoding is done here once, strictly, so every parser downstream works on
`str` and a wrong file fails with a sentence the user can act on instead of mojibake.

`DocumentError` lives here rather than in the package `__init__` because every parser module
imports this one; the package re-exports it as its public name.
"""

from __future__ import annotations

import codecs
import re
from pathlib import Path

from charset_normalizer import from_bytes

from critmin.errors import CritminError
from critmin.evidence.models import Language

#: Largest file we read. Real articles and digest pages are well under 1 MiB; anything near this
#: size is a dump or a mistake, and reading it whole would only stall the caller.
MAX_BYTES = 20 * 1024 * 1024

#: How much of the head of a file the binary sniff looks at.
SNIFF_BYTES = 8 * 1024

#: Share of control bytes in the sniffed head above which a file is called binary. Text has a few
#: (tabs, form feeds), binaries without NULs (compressed data) have around 12% or more.
CONTROL_SHARE_LIMIT = 0.10

#: Share of CJK ideographs among letters at or above which text is Chinese, and at or below which
#: it is English. Ideographs are counted one a character and Latin letters one a letter, so a
#: Chinese article quoting a few English names stays well above 0.6, and an English article that
#: quotes a Chinese title or two stays below 0.1.
ZH_SHARE = 0.6
EN_SHARE = 0.1

#: Detected encodings we widen to a superset: charset detection names the smallest encoding that
#: fits the sample, but the rest of the file may use characters only the superset has.
_SUPERSETS = {
    "gb2312": "gb18030",
    "gbk": "gb18030",
    "cp936": "gb18030",
    "big5": "big5hkscs",
}

#: Bytes that are normal in text even though they are below 0x20: tab, LF, VT, FF, CR, ESC, and
#: backspace (old console captures).
_TEXT_CONTROLS = frozenset(b"\t\n\x0b\x0c\r\x1b\x08")

#: CJK unified ideographs (with extension A and the supplementary planes) and compatibility
#: ideographs: Chinese characters, in practice.
_CJK = re.compile("[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f]")


class DocumentError(CritminError):
    """A document could not be read or parsed; the message names the file and the reason."""

    def __init__(self, file: str | Path, reason: str) -> None:
        super().__init__(f"{file}: {reason}")
        self.file = str(file)
        self.reason = reason


def read_bytes(path: Path, max_bytes: int = MAX_BYTES) -> bytes:
    """Read a whole file, refusing empty and oversized ones before decoding starts.

    The size is checked against `stat` first so a huge file is refused without being read, and
    again after reading in case it grew in between.
    """
    try:
        size = path.stat().st_size
        if size > max_bytes:
            raise DocumentError(path, too_large(max_bytes))
        with path.open("rb") as handle:
            data = handle.read(max_bytes + 1)
    except OSError as exc:
        raise DocumentError(path, f"cannot read file: {exc.strerror or exc}") from exc
    if len(data) > max_bytes:
        raise DocumentError(path, too_large(max_bytes))
    if not data:
        raise DocumentError(path, "empty file")
    return data


def decode_bytes(data: bytes, file: str | Path) -> str:
    """Decode file contents to text, or say plainly why not.

    UTF-8 is tried first and strictly, because charset detection on short UTF-8 Chinese text
    sometimes guesses a legacy code page. A UTF-16/32 BOM is honoured before the binary sniff,
    since those encodings are full of NUL bytes.
    """
    if not data:
        raise DocumentError(file, "empty file")
    for bom, codec in (
        (codecs.BOM_UTF32_LE, "utf_32"),
        (codecs.BOM_UTF32_BE, "utf_32"),
        (codecs.BOM_UTF16_LE, "utf_16"),
        (codecs.BOM_UTF16_BE, "utf_16"),
    ):
        if data.startswith(bom):
            try:
                return data.decode(codec)
            except UnicodeDecodeError as exc:
                raise DocumentError(file, "cannot decode text (tried UTF-8 and charset detection)") from exc
    if looks_binary(data):
        raise DocumentError(file, "binary file, not text")
    try:
        return data.decode("utf_8_sig")
    except UnicodeDecodeError:
        pass
    best = from_bytes(data).best()
    if best is None:
        raise DocumentError(file, "cannot decode text (tried UTF-8 and charset detection)")
    encoding = _SUPERSETS.get(best.encoding, best.encoding)
    try:
        return data.decode(encoding)
    except (UnicodeDecodeError, LookupError):
        # The superset should never be stricter than the guess, but if the codec is unknown to
        # this Python, the detector's own decoding is still a sound answer.
        return str(best)


def looks_binary(data: bytes) -> bool:
    """True when the head of `data` has a NUL byte or too many control bytes to be text."""
    head = data[:SNIFF_BYTES]
    if b"\x00" in head:
        return True
    controls = sum(1 for byte in head if (byte < 0x20 and byte not in _TEXT_CONTROLS) or byte == 0x7F)
    return controls > CONTROL_SHARE_LIMIT * len(head)


def language_of(text: str) -> Language:
    """Classify text as Chinese, English or mixed by the share of CJK ideographs among letters.

    Text with no letters at all (numbers, punctuation, nothing) is `mixed`: we cannot tell, and
    `mixed` tells callers to try both languages' rules rather than wrongly skip one. Counting is
    done with C-level helpers because a per-character Python loop dominated parse time on large
    digest pages.
    """
    letters = sum(map(str.isalpha, text))
    if letters == 0:
        return "mixed"
    cjk = len(text) - len(_CJK.sub("", text))
    share = cjk / letters
    if share >= ZH_SHARE:
        return "zh"
    if share <= EN_SHARE:
        return "en"
    return "mixed"


def too_large(max_bytes: int) -> str:
    return f"file is larger than the {_size_text(max_bytes)} limit"


def _size_text(size: int) -> str:
    for unit, scale in (("MiB", 1024 * 1024), ("KiB", 1024)):
        if size >= scale and size % scale == 0:
            return f"{size // scale} {unit}"
    return f"{size} bytes"
