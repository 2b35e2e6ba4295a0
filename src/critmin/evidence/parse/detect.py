"""Turning a file's bytes into text we can trust, and telling Chinese from English.

Evidence arrives as whatever a browser or a colleague saved: UTF-8 with or without a BOM, GB18030
from a Chinese Windows machine, Big5 from Taiwan or Hong Kong, and sometimes a PDF or an image
renamed to `.txt`. Decoding is done here once, strictly, so every parser downstream works on
`str` and a wrong file fails with a sentence the user can act on instead of mojibake.

`DocumentError` lives here rather than in the package `__init__` because every parser module
imports this one; the package re-exports it as its public name.
"""

from __future__ import annotations

import re
from pathlib import Path

from critmin import inputs
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

#: CJK unified ideographs (with extension A and the supplementary planes) and compatibility
#: ideographs: Chinese characters, in practice.
_CJK = re.compile("[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f]")


class DocumentError(CritminError):
    """A document could not be read or parsed; the message names the file and the reason."""

    def __init__(self, file: str | Path, reason: str) -> None:
        self.file = inputs.display_path(file)
        self.reason = reason
        super().__init__(f"{self.file}: {reason}")


def read_bytes(path: Path, max_bytes: int = MAX_BYTES) -> bytes:
    """Read a whole regular file, refusing empty and oversized ones before decoding starts.

    `critmin.inputs` does the reading: named pipes and devices are refused after a `stat` (a pipe
    would block forever), and the size is checked before reading and again after.
    """
    try:
        return inputs.read_bytes(path, max_bytes)
    except inputs.InputError as exc:
        raise DocumentError(path, exc.reason) from None


def decode_bytes(data: bytes, file: str | Path) -> str:
    """Decode file contents to text, or say plainly why not.

    `critmin.inputs.decode_text` decides: a UTF-16/32 BOM, then strict UTF-8, then UTF-8 with
    replacement characters when only a few bytes are bad (charset detection would turn such a file
    into mojibake in a Cyrillic or Latin code page), then charset detection (GB18030, Big5...).
    """
    if not data:
        raise DocumentError(file, "empty file")
    try:
        return inputs.decode_text(data, file)
    except inputs.InputError as exc:
        raise DocumentError(file, exc.reason) from None


def looks_binary(data: bytes) -> bool:
    """True when the head of `data` has a NUL byte or too many control bytes to be text."""
    return inputs.looks_binary(data, SNIFF_BYTES, CONTROL_SHARE_LIMIT)


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
    return inputs.too_large(max_bytes)
