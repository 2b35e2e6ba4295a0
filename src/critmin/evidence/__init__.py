"""The evidence base: ingest bilingual documents, link them to the knowledge base, search them,
trace every figure to its sentence, and write cited digests.

Public entry points: `connect`, `ingest_paths`, `ingest_uploads`, `search`, `facts`, `list_documents`,
`show_document`, `digest`, `render_markdown`, and the saved-workflow functions. They are
imported on first use, so `critmin shares` never pays for the parsers and the search engine.
"""

from __future__ import annotations

import importlib
from typing import Any

_EXPORTS = {
    "Digest": "digest", "digest": "digest", "render_markdown": "digest",
    "IngestReport": "ingest", "expand_paths": "ingest", "ingest_paths": "ingest",
    "ingest_uploads": "ingest",
    "linker_for": "link",
    "facts": "read", "list_documents": "read", "show_document": "read",
    "SearchHit": "search", "search": "search",
    "connect": "store", "default_db_path": "store",
    "add_workflow": "workflows", "list_workflows": "workflows", "workflow_query": "workflows",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'critmin.evidence' has no attribute {name!r}")
    return getattr(importlib.import_module(f"critmin.evidence.{module}"), name)
