"""Documents, one document, and facts read back from the store."""

from __future__ import annotations

import sqlite3

import pytest

from critmin.errors import CritminError, UsageError
from critmin.evidence.read import facts, list_documents, show_document


def test_list_and_show(loaded: sqlite3.Connection) -> None:
    docs = list_documents(loaded)
    assert len(docs) == 18
    dated = [d.published for d in docs if d.published]
    assert dated == sorted(dated, reverse=True)
    markdown = next(d for d in docs if d.format == "markdown")
    view = show_document(loaded, markdown.id)
    assert view.paragraphs[0].position == 0 and view.paragraphs[0].text == markdown.title
    assert any(p.english for p in view.paragraphs[1:])
    assert any(e["entity_id"] == "lynas" for e in view.entities)
    with pytest.raises(CritminError, match="no document with id 999"):
        show_document(loaded, 999)


def test_facts_carry_provenance(loaded: sqlite3.Connection) -> None:
    rows = facts(loaded, kind="mass")
    assert rows and all(r.kind == "mass" for r in rows)
    f35 = next(r for r in rows if r.original.startswith("417"))
    assert f35.title.startswith("中美博弈再升级") and f35.publisher == "Sou Hu Cai Jing"
    assert f35.published and f35.published.startswith("2025-10-26") and f35.paragraph >= 1
    assert "F-35" in f35.sentence


def test_facts_by_material_and_country(loaded: sqlite3.Connection) -> None:
    ree = facts(loaded, materials={"REE", "Dy", "Nd"})
    assert ree and all(r.material in {"REE", "Dy", "Nd"} for r in ree)
    usa = facts(loaded, country="USA")
    assert usa and all(r.country == "USA" for r in usa)
    with pytest.raises(UsageError):
        facts(loaded, kind="weight")
