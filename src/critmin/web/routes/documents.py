"""Document uploads for ingest: the one write endpoint, behind the CRITMIN_TOKEN bearer token."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, File, UploadFile
from starlette.concurrency import run_in_threadpool

from critmin.kb import KnowledgeBase
from critmin.web import evidence
from critmin.web.errors import WebError, error_responses
from critmin.web.routes.deps import kb, settings
from critmin.web.security import require_token
from critmin.web.settings import Settings
from critmin.web.uploads import safe_name

pages = APIRouter(include_in_schema=False)
api = APIRouter(tags=["evidence"])

MAX_FILES = 50


@api.post("/documents", dependencies=[Depends(require_token)],
          responses=error_responses(400, 401, 403, 413, 422))
async def upload_documents(files: Annotated[list[UploadFile], File()],
                           base: Annotated[KnowledgeBase, Depends(kb)],
                           config: Annotated[Settings, Depends(settings)]) -> evidence.IngestResult:
    """Ingest uploaded documents (text, Markdown, HTML, digest pages) into the evidence store.

    Needs `Authorization: Bearer <CRITMIN_TOKEN>`. Files are read in memory and never saved under
    their names; a failed file is listed as `name: reason` and the others are still stored.
    """
    if len(files) > MAX_FILES:
        raise WebError(400, f"at most {MAX_FILES} files per upload (got {len(files)})")
    named = [(safe_name(f.filename, f"upload-{i + 1}.txt"), await f.read()) for i, f in enumerate(files)]
    return await run_in_threadpool(evidence.ingest_upload, base, config.db, named)
