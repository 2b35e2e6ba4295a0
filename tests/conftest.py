"""Shared fixtures: the bundled knowledge base, a small hand-written one to break on purpose, and
the shared research corpus, which only some checkouts have.

The research corpus lives beside the repository (`../shared/corpus`): CI and the developers'
machines have it, a fresh clone does not. Tests that read it are skipped when it is missing, with
one reason: a test marked `@needs_corpus` (or `@pytest.mark.corpus`), one that uses the `corpus`
fixture (directly or through another fixture, such as the evidence tests' `loaded`), and one whose
body names a module-level `CORPUS` path. Tests that can run on the sample documents in
`examples/documents` use `EXAMPLE_DOCUMENTS` instead and run everywhere.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from types import CodeType

import pytest

from critmin.kb import KnowledgeBase, load_kb

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = Path(__file__).parent / "fixtures"
MINIMAL = FIXTURES / "kb_minimal"
CORPUS = ROOT.parent / "shared" / "corpus"
EXAMPLE_DOCUMENTS = ROOT / "examples" / "documents"
CORPUS_MISSING = "../shared/corpus not present (CI has it)"

needs_corpus = pytest.mark.corpus


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "corpus: reads ../shared/corpus; skipped where it is missing")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if CORPUS.is_dir():
        return
    skip = pytest.mark.skip(reason=CORPUS_MISSING)
    for item in items:
        function = getattr(item, "function", None)
        if item.get_closest_marker("corpus") is not None or (
                function is not None and _names_corpus(function.__code__)):
            item.add_marker(skip)


def _names_corpus(code: CodeType) -> bool:
    """True when the code, or code nested in it (comprehensions, lambdas), reads a global CORPUS."""
    return "CORPUS" in code.co_names or any(
        isinstance(const, CodeType) and _names_corpus(const) for const in code.co_consts)


@pytest.fixture(scope="session")
def corpus() -> Path:
    """The shared research corpus folder; the test is skipped where it is missing."""
    if not CORPUS.is_dir():
        pytest.skip(CORPUS_MISSING)
    return CORPUS


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
