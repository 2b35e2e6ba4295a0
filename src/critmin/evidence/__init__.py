"""The evidence base: ingest bilingual documents, link them to the knowledge base, search them,
trace every figure to its sentence, and write cited digests.

Public entry points: `connect`, `ingest_paths`, `ingest_uploads`, `search`, `facts`, `list_documents`,
`show_document`, `digest`, `render_markdown`, and the saved-workflow functions. They are
imported on first use, so `critmin shares` never pays for the parsers and the search engine.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # the names as the type checker sees them; at run time they load on first use
    from critmin.evidence.digesting import (
        Digest as Digest,
    )
    from critmin.evidence.digesting import (
        digest as digest,
    )
    from critmin.evidence.digesting import (
        render_markdown as render_markdown,
    )
    from critmin.evidence.ingest import (
        EXIT_SOME_FAILED as EXIT_SOME_FAILED,
    )
    from critmin.evidence.ingest import (
        IngestReport as IngestReport,
    )
    from critmin.evidence.ingest import (
        collect_paths as collect_paths,
    )
    from critmin.evidence.ingest import (
        expand_paths as expand_paths,
    )
    from critmin.evidence.ingest import (
        ingest_paths as ingest_paths,
    )
    from critmin.evidence.ingest import (
        ingest_uploads as ingest_uploads,
    )
    from critmin.evidence.link import (
        linker_for as linker_for,
    )
    from critmin.evidence.read import (
        facts as facts,
    )
    from critmin.evidence.read import (
        list_documents as list_documents,
    )
    from critmin.evidence.read import (
        show_document as show_document,
    )
    from critmin.evidence.searching import (
        SearchHit as SearchHit,
    )
    from critmin.evidence.searching import (
        search as search,
    )
    from critmin.evidence.store import (
        StoreError as StoreError,
    )
    from critmin.evidence.store import (
        connect as connect,
    )
    from critmin.evidence.store import (
        default_db_path as default_db_path,
    )
    from critmin.evidence.workflows import (
        add_workflow as add_workflow,
    )
    from critmin.evidence.workflows import (
        list_workflows as list_workflows,
    )
    from critmin.evidence.workflows import (
        saved_workflows as saved_workflows,
    )
    from critmin.evidence.workflows import (
        workflow_query as workflow_query,
    )


_EXPORTS = {
    "Digest": "digesting", "digest": "digesting", "render_markdown": "digesting",
    "EXIT_SOME_FAILED": "ingest", "IngestReport": "ingest", "collect_paths": "ingest",
    "expand_paths": "ingest", "ingest_paths": "ingest", "ingest_uploads": "ingest",
    "linker_for": "link",
    "facts": "read", "list_documents": "read", "show_document": "read",
    "SearchHit": "searching", "search": "searching",
    "StoreError": "store", "connect": "store", "default_db_path": "store",
    "add_workflow": "workflows", "list_workflows": "workflows", "saved_workflows": "workflows",
    "workflow_query": "workflows",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'critmin.evidence' has no attribute {name!r}")
    value = getattr(importlib.import_module(f"critmin.evidence.{module}"), name)
    globals()[name] = value  # later look-ups skip this function
    return value
