"""Shared fixtures: the bundled knowledge base and a small hand-written one to break on purpose."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from critmin.kb import KnowledgeBase, load_kb

FIXTURES = Path(__file__).parent / "fixtures"
MINIMAL = FIXTURES / "kb_minimal"


@pytest.fixture(scope="session")
def kb() -> KnowledgeBase:
    """The bundled knowledge base, loaded once."""
    return load_kb()


@pytest.fixture
def minimal_dir(tmp_path: Path) -> Path:
    """A writable copy of the minimal fixture data folder."""
    target = tmp_path / "data"
    shutil.copytree(MINIMAL, target)
    return target


@pytest.fixture
def minimal_kb() -> KnowledgeBase:
    return load_kb(MINIMAL)
