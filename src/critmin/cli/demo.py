"""`critmin demo`: the tour of the bundled data, the evidence store on sample documents, then the
headline disruption scenario.

The sample documents are `examples/documents/`, packaged into the wheel as
`critmin/demo_documents` (pyproject's force-include), so the demo finds them after a plain
`pip install .` as well as in a source checkout. They are ingested into a temporary database.

The headline is the April 2025 licensing of seven rare earths: it is in force, it was observed
(exports, approval rates, plant stoppages, prices), so a reader can set the model beside what
happened; the October 2025 package was suspended before it took effect.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from contextlib import ExitStack, closing, contextmanager
from importlib import resources
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape

from critmin.cli.app import app, make_console, pct
from critmin.cli.kb_commands import chokepoint_table
from critmin.cli.sim_commands import print_simulation
from critmin.kb import KnowledgeBase, Measure, load_kb
from critmin.kb.models import Stage
from critmin.report import write_simulation_html
from critmin.risk import chokepoints
from critmin.sim import load_scenario, simulate

HEADLINE = "april-2025-seven-rare-earths"
DEMO_RUNS = 200
DEMO_SENSITIVITY_RUNS = 40
DEMO_QUERY = "镓"  # gallium, in Chinese: the hits include English documents
DEMO_MATERIAL = "Ga"

#: Where the sample documents sit in a source checkout (src/critmin/cli/demo.py -> the repo root).
CHECKOUT_DOCUMENTS = Path(__file__).resolve().parents[3] / "examples" / "documents"


@contextmanager
def sample_documents() -> Iterator[Path | None]:
    """The folder of sample documents: the packaged copy, else the checkout's; None if neither."""
    with ExitStack() as stack:
        packaged = resources.files("critmin").joinpath("demo_documents")
        if packaged.is_dir():
            yield stack.enter_context(resources.as_file(packaged))
        elif CHECKOUT_DOCUMENTS.is_dir():
            yield CHECKOUT_DOCUMENTS
        else:
            yield None


def evidence_tour(console: Console, kb: KnowledgeBase) -> None:
    """Ingest the sample documents into a temporary database, search it, and trace one figure."""
    # from the modules, as the evidence commands do: once the module critmin.evidence.searching is
    # imported, the package attribute `search` is that module, not the function
    from critmin.evidence import connect, expand_paths, facts, ingest_paths, linker_for, search

    with sample_documents() as folder:
        if folder is None:
            console.print("Sample documents not found (critmin/demo_documents in the package, "
                          "examples/documents in the source); evidence step skipped.")
            return
        with tempfile.TemporaryDirectory(prefix="critmin-demo-") as tmp, \
                closing(connect(Path(tmp) / "evidence.db")) as conn:
            files = expand_paths([folder])
            report = ingest_paths(conn, linker_for(kb), files, workers=0)
            console.print(f"Ingested {report.ingested} documents from {len(files)} sample files "
                          f"(failed {len(report.failed)}): a digest page, Markdown with front matter, "
                          "HTML, English text and GB18030 Chinese text, from")
            console.print(f"  {escape(str(folder))}")
            console.print(f"\nSearch {DEMO_QUERY} (gallium, in Chinese), top hits:")
            for rank, hit in enumerate(search(conn, kb, DEMO_QUERY, limit=3), start=1):
                console.print(f"{rank}. {escape(hit.title)}")
                console.print(f"   {escape(hit.publisher or 'unknown publisher')} · "
                              f"{(hit.published or 'undated')[:10]} · {hit.language} · "
                              f"relevance {hit.relevance:.2f}")
            for fact in facts(conn, materials={DEMO_MATERIAL}, kind="percent", limit=1):
                country = kb.country_name(fact.country) if fact.country else "no country"
                console.print(f"\nA figure and where it was said: {escape(fact.original)} "
                              f"({fact.kind}; {kb.materials[DEMO_MATERIAL].names.en}; {country})")
                console.print(f"  “{escape(fact.sentence)}”")
                console.print(f"  {escape(fact.title)} · {escape(fact.publisher or 'unknown publisher')} · "
                              f"{(fact.published or 'undated')[:10]} · paragraph {fact.paragraph}")


# ---------------------------------------------------------------------------------------------
# demo


@app.command()
def demo(
    out: Annotated[Path, typer.Option("--out", help="Where to write the HTML report.")]
    = Path("critmin-demo-report.html"),
) -> None:
    """A short tour: the chokepoint table, sample news searched, then the headline scenario simulated."""
    kb = load_kb()
    console = make_console()
    console.rule("critmin demo")
    console.print(f"Knowledge base: {len(kb.materials)} materials, {len(kb.share_rows)} sourced "
                  f"share rows, {len(kb.facilities)} facilities, {len(kb.sources)} sources.\n")
    console.print(chokepoint_table(chokepoints(kb, top=15),
                                    "The 15 most concentrated material x stage pairs"))
    ree = kb.material("rare earths")
    mining = [s for s in kb.shares(ree, stage=Stage.MINING, measure=Measure.PRODUCTION)]
    if mining:
        latest = max(mining, key=lambda s: s.year)
        leaders = ", ".join(f"{kb.country_name(r.country)} {pct(r.share)}"
                            for r in latest.countries()[:4])
        console.print(f"\nRare-earth mine production {latest.year}: {leaders} "
                      f"[{', '.join(latest.sources)}]")
    console.print()
    console.rule("Evidence store: sample news documents, searched and traced")
    evidence_tour(console, kb)
    console.print()
    console.rule(f"Disruption simulator: {HEADLINE} ({DEMO_RUNS} runs)")
    result = simulate(kb, load_scenario(HEADLINE, kb), runs=DEMO_RUNS, seed=0,
                      sensitivity_runs=DEMO_SENSITIVITY_RUNS)
    print_simulation(console, result, top=8)
    write_simulation_html(result, out)
    console.print(f"\nHTML report written to {out.resolve()}")
    console.print(
        "\nNext steps:\n"
        "  critmin ingest FOLDER              store your own news documents\n"
        "  critmin search 稀土                search them in English or Chinese\n"
        "  critmin scenarios                  bundled disruption scenarios\n"
        "  critmin simulate us-rare-earth-embargo-1y --runs 2000 --report us.html\n"
        "  critmin backtest --all             twelve recorded episodes, model vs record\n"
        "  critmin rules list --on 2025-12-01 export-control measures in force that day\n"
        "  critmin rules diff 2025-10-01 2025-12-01   what changed between two dates\n"
        "  critmin check BOM.yaml --to USA --end-use \"EV traction motors\"   licence check\n"
        "  critmin shares 镝                  Dy falls back to rare-earth totals, labelled\n"
        "  critmin shares graphite --stage mining --year 2024\n"
        "  critmin criticality                EU supply risk with its inputs\n"
        "  critmin facilities --material NdFeB --status planned\n"
        "  critmin imports USA                import dependence by supplier\n"
        "  critmin sources usgs-mcs2025-rare-earths\n"
        "  critmin data check                 validate every bundled figure")

