"""`critmin demo`: the tour of the bundled data."""

from __future__ import annotations

from critmin.cli.app import app, make_console, pct
from critmin.cli.kb_commands import chokepoint_table
from critmin.kb import Measure, load_kb
from critmin.kb.models import Stage
from critmin.risk import chokepoints

# ---------------------------------------------------------------------------------------------
# demo


@app.command()
def demo() -> None:
    """A short tour on the bundled data: the chokepoint table and where to go next."""
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
    console.print(
        "\nNext steps:\n"
        "  critmin shares 镝                  Dy falls back to rare-earth totals, labelled\n"
        "  critmin shares graphite --stage mining --year 2024\n"
        "  critmin criticality                EU supply risk with its inputs\n"
        "  critmin facilities --material NdFeB --status planned\n"
        "  critmin imports USA                import dependence by supplier\n"
        "  critmin sources usgs-mcs2025-rare-earths\n"
        "  critmin data check                 validate every bundled figure")

