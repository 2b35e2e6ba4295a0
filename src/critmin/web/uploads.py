"""Uploaded files at the edge: a display name that is never a path, and text parsed safely.

Uploads are read into memory (their size is bounded by the body limit) and never written to
disk, so a file name such as `../../etc/passwd` is only ever a label: it is cut to its last
component and to safe characters before it appears in a message or as a document's source.
Decoding and parsing are `critmin.inputs`' (the same as for files given on the command line):
UTF-8, UTF-16/32 with a BOM or a detected legacy encoding such as GB18030; YAML without aliases
(a few lines of nested aliases expand into billions of nodes), a nesting and a digit limit, and
no infinite or NaN numbers. Every failure is a 400 naming the file.
"""

from __future__ import annotations

import re
from typing import Any

from critmin import inputs
from critmin.web.errors import WebError

_UNSAFE = re.compile(r"[^\w.\- ]+")
MAX_NAME = 100


def safe_name(name: str | None, default: str = "upload") -> str:
    """A label for an uploaded file: last path component, safe characters, never empty or dotted."""
    last = (name or "").replace("\\", "/").rsplit("/", 1)[-1]
    cleaned = _UNSAFE.sub("_", last).strip(" .")[:MAX_NAME]
    return cleaned or default


def text_of(data: bytes, name: str) -> str:
    """The text of an upload (any encoding `critmin.inputs` reads), or a 400 naming the file."""
    if not data:
        raise WebError(400, f"{name}: empty file")
    try:
        return inputs.decode_text(data, name)
    except inputs.InputError as exc:
        raise WebError(400, exc.message) from None


def load_structured(text: str, name: str) -> Any:
    """JSON or YAML into plain data; errors name the file (and the line, or the field)."""
    try:
        if name.lower().endswith(".json"):
            return inputs.load_json(text, name)
        if text.lstrip().startswith("{"):  # JSON posted under another name: JSON's own rules
            try:
                return inputs.load_json(text, name)
            except inputs.InputError:
                pass  # YAML flow mappings start with { too
        return inputs.load_yaml(text, name)
    except inputs.InputError as exc:
        raise WebError(400, exc.message) from None
