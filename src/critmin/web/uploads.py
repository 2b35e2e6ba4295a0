"""Uploaded files at the edge: a display name that is never a path, and YAML without aliases.

Uploads are read into memory (their size is bounded by the body limit) and never written to
disk, so a file name such as `../../etc/passwd` is only ever a label: it is cut to its last
component and to safe characters before it appears in a message or as a document's source.
YAML aliases are refused because a few lines of nested aliases expand into billions of nodes
when validated; scenario and BOM files have no use for them.
"""

from __future__ import annotations

import json
import re
from typing import Any

import yaml

from critmin.web.errors import WebError

_UNSAFE = re.compile(r"[^\w.\- ]+")
MAX_NAME = 100


def safe_name(name: str | None, default: str = "upload") -> str:
    """A label for an uploaded file: last path component, safe characters, never empty or dotted."""
    last = (name or "").replace("\\", "/").rsplit("/", 1)[-1]
    cleaned = _UNSAFE.sub("_", last).strip(" .")[:MAX_NAME]
    return cleaned or default


class _NoAliasLoader(yaml.SafeLoader):
    """SafeLoader that refuses anchors' aliases (*name) instead of expanding them."""

    def compose_node(self, parent: Any, index: Any) -> Any:
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()  # type: ignore[no-untyped-call]
            raise yaml.constructor.ConstructorError(
                None, None, "aliases (*name) are not accepted", event.start_mark)
        return super().compose_node(parent, index)


def text_of(data: bytes, name: str) -> str:
    """UTF-8 text of an upload (a BOM is allowed), or a 400 naming the file."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise WebError(400, f"{name}: not a UTF-8 text file") from None


def load_structured(text: str, name: str) -> Any:
    """JSON or YAML (YAML is a superset) into plain data; errors name the file and the line."""
    stripped = text.lstrip()
    if name.lower().endswith(".json") or stripped.startswith("{"):
        try:
            return json.loads(text)
        except json.JSONDecodeError as exc:
            if name.lower().endswith(".json"):
                raise WebError(400, f"{name}: line {exc.lineno}: invalid JSON: {exc.msg}") from None
    try:
        return yaml.load(text, Loader=_NoAliasLoader)  # a SafeLoader subclass: no arbitrary objects
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = f" line {mark.line + 1}:" if mark is not None else ""
        problem = getattr(exc, "problem", None) or "not valid YAML"
        raise WebError(400, f"{name}:{line} {problem}") from None
