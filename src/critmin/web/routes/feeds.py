"""Atom feeds: the newest evidence about a material, for feed readers and alerting.

A reader subscribes to `/feeds/evidence/{material}.atom` and sees each stored document that
mentions the material (its family included), newest first, with its publisher and a snippet.
Without an evidence store the feed is valid and empty, so a subscription never breaks.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated
from urllib.parse import quote
from xml.etree import ElementTree as ET

from fastapi import APIRouter, Depends, Path, Request
from fastapi.responses import Response

from critmin.kb import KnowledgeBase
from critmin.web import evidence
from critmin.web.evidence import SearchFilters
from critmin.web.routes.deps import kb, settings
from critmin.web.settings import Settings

pages = APIRouter(include_in_schema=False)
api = APIRouter()

ATOM = "http://www.w3.org/2005/Atom"
#: Entries in one feed.
FEED_ENTRIES = 50


def _stamp(published: str | None) -> str:
    """An RFC 3339 time for a partial ISO date (feeds need a full one)."""
    if published:
        parts = (published[:10] + "-01-01")[:10].split("-")
        try:
            day = dt.date(int(parts[0]), int(parts[1] or 1), int(parts[2] or 1))
            return f"{day.isoformat()}T00:00:00Z"
        except ValueError:
            pass
    return "1970-01-01T00:00:00Z"


@pages.get("/feeds/evidence/{material}.atom")
def evidence_feed(request: Request, material: Annotated[str, Path(max_length=100)],
                  base: Annotated[KnowledgeBase, Depends(kb)],
                  config: Annotated[Settings, Depends(settings)]) -> Response:
    """The newest stored documents about a material, as Atom 1.0."""
    found = base.material(material)  # unknown: 404 with suggestions
    hits = []
    if evidence.exists(config.db):
        hits = evidence.search(base, config.db, SearchFilters(q=found.names.en, material=found.id,
                                                              limit=FEED_ENTRIES))
    hits = sorted(hits, key=lambda h: h.published or "", reverse=True)
    ET.register_namespace("", ATOM)
    feed = ET.Element(f"{{{ATOM}}}feed")
    ET.SubElement(feed, f"{{{ATOM}}}title").text = f"critmin: evidence on {found.names.en}"
    ET.SubElement(feed, f"{{{ATOM}}}id").text = f"urn:critmin:evidence:{found.id}"
    ET.SubElement(feed, f"{{{ATOM}}}updated").text = _stamp(hits[0].published if hits else None)
    ET.SubElement(feed, f"{{{ATOM}}}link", href=str(request.url), rel="self")
    author = ET.SubElement(feed, f"{{{ATOM}}}author")
    ET.SubElement(author, f"{{{ATOM}}}name").text = "critmin"
    for hit in hits:
        entry = ET.SubElement(feed, f"{{{ATOM}}}entry")
        ET.SubElement(entry, f"{{{ATOM}}}title").text = hit.title
        ET.SubElement(entry, f"{{{ATOM}}}id").text = f"urn:critmin:document:{hit.id}"
        ET.SubElement(entry, f"{{{ATOM}}}updated").text = _stamp(hit.published)
        ET.SubElement(entry, f"{{{ATOM}}}link",
                      href=f"/search?q={quote(hit.title)}", rel="alternate")
        ET.SubElement(entry, f"{{{ATOM}}}summary").text = (
            f"{hit.publisher or 'unknown publisher'}: "
            + hit.snippet.replace("«", "").replace("»", ""))
    body = ET.tostring(feed, encoding="unicode", xml_declaration=True)
    return Response(body, media_type="application/atom+xml; charset=utf-8")
