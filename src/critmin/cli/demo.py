"""`critmin demo`: the tour of the bundled data, then the headline disruption scenario.

The headline is the April 2025 licensing of seven rare earths: it is in force, it was observed
(exports, approval rates, plant stoppages, prices), so a reader can set the model beside what
happened; the October 2025 package was suspended before it took effect.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from critmin.cli.app import app, make_console, pct
from critmin.cli.kb_commands import chokepoint_table
from critmin.cli.sim_commands import print_simulation
from critmin.kb import Measure, load_kb
from critmin.kb.models import Stage
from critmin.report import write_simulation_html
from critmin.risk import chokepoints
from critmin.sim import load_scenario, simulate

HEADLINE = "april-2025-seven-rare-earths"
DEMO_RUNS = 200
DEMO_SENSITIVITY_RUNS = 40

# ---------------------------------------------------------------------------------------------
# demo


@app.command()
def demo(
    out: Annotated[Path, typer.Option("--out", help="Where to write the HTML report.")]
    = Path("critmin-demo-report.html"),
) -> None:
    """A short tour: the chokepoint table, then the headline scenario simulated, with its report."""
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
    console.rule(f"Disruption simulator: {HEADLINE} ({DEMO_RUNS} runs)")
    result = simulate(kb, load_scenario(HEADLINE, kb), runs=DEMO_RUNS, seed=0,
                      sensitivity_runs=DEMO_SENSITIVITY_RUNS)
    print_simulation(console, result, top=8)
    write_simulation_html(result, out)
    console.print(f"\nHTML report written to {out.resolve()}")
    console.print(
        "\nNext steps:\n"
        "  critmin scenarios                  bundled disruption scenarios\n"
        "  critmin simulate us-rare-earth-embargo-1y --runs 2000 --report us.html\n"
        "  critmin backtest                   the 2010-2011 episode, model vs recorded prices\n"
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

