"""`critmin simulate`, `critmin backtest` and `critmin scenarios`: the disruption simulator."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from critmin.cli.app import JsonFlag, app, emit_json, json_text, make_console, make_table
from critmin.errors import UsageError
from critmin.inputs import check_writable_target, display_path, write_atomic
from critmin.kb import load_kb
from critmin.report import headline, simulation_html, simulation_markdown
from critmin.sim import (
    EXECUTORS,
    BacktestResult,
    SimulationResult,
    backtest,
    bundled_scenarios,
    check_run_options,
    load_scenario,
    read_scenario,
    simulate,
)


def check_targets(scenario: str, *targets: Path | None) -> None:
    """Fail before any work when an output file cannot be written (missing folder, a folder),
    when two outputs are the same file, or when an output would overwrite the scenario file."""
    given = [t for t in targets if t is not None]
    for target in given:
        check_writable_target(target)
    if len({t.resolve() for t in given}) < len(given):
        raise UsageError("--report and --markdown name the same file")
    source = Path(scenario)
    if _is_file(source) and any(t.resolve() == source.resolve() for t in given):
        raise UsageError(f"{display_path(source)}: an output would overwrite the scenario file")


def _is_file(path: Path) -> bool:
    try:
        return path.is_file()
    except (OSError, ValueError):  # a name too long for the file system, a NUL byte
        return False


# ---------------------------------------------------------------------------------------------
# rendering


def _never(value: float | None, unit: str = "") -> str:
    return "never" if value is None else f"{value:,.0f}{unit}"


def print_flows(console: Console, result: SimulationResult, top: int) -> None:
    """The trade flows that fell most: exporter -> destination, as an index of the baseline."""
    shown = result.flows[:top]
    table = make_table(
        f"Trade flows that fell most (index, 1 = before; {len(shown)} of {len(result.flows)} "
        "that changed; --json has every month)",
        "material", "stage", "from", "to", "baseline", "lowest p50", "end p50 [p5-p95]",
        right=("baseline", "lowest p50", "end p50 [p5-p95]"),
    )
    for f in shown:
        baseline = (f"{f.baseline_volume:,.0f} {f.unit}/y" if f.baseline_volume is not None
                    else f"{f.baseline_share:.1%} of world")
        table.add_row(f.material, f.stage, f.exporter, f.destination, baseline,
                      f"{f.lowest_p50:.2f}", f"{f.p50[-1]:.2f} [{f.p5[-1]:.2f}-{f.p95[-1]:.2f}]")
    console.print(table)


def print_simulation(console: Console, result: SimulationResult, top: int = 10) -> None:
    """The terminal summary: who runs short of what, from when, for how long; prices; what matters."""
    s = result.scenario
    console.print(f"{s.name}", style="bold")
    measures = f" · measures {', '.join(s.measures)}" if s.measures else ""
    console.print(
        f"start {s.start} · {s.horizon_days} days · {result.runs} runs · seed {result.seed} · "
        f"{result.executor}{measures} · {result.elapsed_seconds:.1f} s"
    )
    console.print(headline(result))
    total = len(result.exposures)
    shown = min(top, total)
    count = ("none: nothing ran short within the horizon" if total == 0
             else f"all {total}" if shown == total else f"top {shown} of {total}")
    table = make_table(
        f"Ranked exposures ({count}; lost days = cumulative shortfall in days of normal "
        "output; bands 5-95%)",
        "#",
        "material",
        "kind",
        "who",
        "first short (day p50)",
        "lost days p50",
        "p5-p95",
        "peak short p50",
        right=("#", "first short (day p50)", "lost days p50", "p5-p95", "peak short p50"),
    )
    index = {(x.kind, x.material, x.key): x for x in result.series}
    for e in result.exposures[:top]:
        series = index[(e.kind, e.material, e.key)]
        table.add_row(
            str(e.rank),
            e.material,
            e.kind,
            e.key,
            _never(e.first_shortfall_p50),
            _never(series.lost_days.p50),
            f"{_never(series.lost_days.p5)}-{_never(series.lost_days.p95)}",
            "never" if e.peak_shortfall_p50 is None else f"{e.peak_shortfall_p50 * 100:.0f}%",
        )
    console.print(table)
    prices = make_table(
        "Price index outside and inside the restricting countries (1 = before)",
        "material",
        "market",
        "peak p50",
        "peak p5-p95",
        "trough p50",
        "end p50",
        right=("peak p50", "peak p5-p95", "trough p50", "end p50"),
    )
    for p in result.prices:
        prices.add_row(
            p.material, p.label, f"{p.peak.p50:.2f}", f"{p.peak.p5:.2f}-{p.peak.p95:.2f}",
            "" if p.trough is None or p.trough.p50 is None else f"{p.trough.p50:.2f}", f"{p.p50[-1]:.2f}"
        )
    console.print(prices)
    if result.flows:
        print_flows(console, result, top)
    if result.sensitivity:
        sens = make_table(
            "What matters most (headline: mean lost days summed over destinations)",
            "parameter",
            "at low",
            "at high",
            "swing",
            right=("at low", "at high", "swing"),
        )
        for r in result.sensitivity:
            sens.add_row(r.parameter, f"{r.outcome_low:,.0f}", f"{r.outcome_high:,.0f}", f"{r.swing:,.0f}")
        console.print(sens)
    if result.mitigation:
        console.print(
            "Mitigation counted: "
            + "; ".join(f"{m.label} ({m.group}, from {m.start})" for m in result.mitigation)
        )
    if s.validation:
        console.print(f"What happened: {s.validation}")


def print_backtest(console: Console, result: BacktestResult) -> None:
    console.print(f"Backtest: {result.episode}", style="bold")
    console.print(
        f"recorded: {result.basis}; model: price index of scenario {result.scenario} "
        f"({result.runs} runs, seed {result.seed}); both 1 at the start of 2010"
    )
    table = make_table(
        "Model vs recorded price index",
        "material",
        "date",
        "recorded US$/kg",
        "recorded index",
        "model p50",
        "model p5-p95",
        "error ln(model/rec)",
        right=("recorded US$/kg", "recorded index", "model p50", "model p5-p95", "error ln(model/rec)"),
    )
    for p in result.points:
        table.add_row(
            p.material,
            p.date,
            f"{p.recorded_usd_per_kg:,.0f}",
            f"{p.recorded_index:.2f}",
            f"{p.model_p50:.2f}",
            f"{p.model_p5:.2f}-{p.model_p95:.2f}",
            f"{p.log_error:+.2f}",
        )
    console.print(table)
    for s in result.summaries:
        console.print(
            f"{s.material}: recorded peak {s.recorded_peak:.1f}x ({s.recorded_peak_date}), model peak "
            f"{s.model_peak_p50:.2f}x ({s.model_peak_date}); mean |log error| {s.mean_abs_log_error:.2f}"
        )
    console.print("Where the model is wrong:", style="bold")
    for finding in result.findings:
        console.print(f"  - {finding}")
    for c in result.cross_check:
        values = ", ".join(f"{k}: {v:,}" for k, v in c.values.items())
        console.print(f"Cross-check {c.material} ({c.basis}): {values} [{', '.join(c.sources)}]")


# ---------------------------------------------------------------------------------------------
# commands


@app.command("simulate")
def simulate_command(
    scenario: Annotated[
        str, typer.Argument(help="A bundled scenario name (see critmin scenarios) or a YAML file.")
    ],
    runs: Annotated[int, typer.Option("--runs", help="Monte Carlo runs.")] = 1000,
    seed: Annotated[int, typer.Option("--seed", help="Random seed; same seed, same numbers.")] = 0,
    horizon: Annotated[
        int | None, typer.Option("--horizon", help="Days to simulate (default: the scenario's).")
    ] = None,
    sensitivity_runs: Annotated[
        int, typer.Option("--sensitivity-runs", help="Runs per sensitivity case (0 to skip).")
    ] = 100,
    executor: Annotated[str, typer.Option("--executor", help="local or dask.")] = "local",
    address: Annotated[
        str | None,
        typer.Option("--address", help="Dask scheduler, e.g. tcp://host:8786 (default: a LocalCluster)."),
    ] = None,
    workers: Annotated[
        int, typer.Option("--workers", help="Local worker processes, or LocalCluster workers.")
    ] = 1,
    top: Annotated[int, typer.Option("--top", help="Exposures shown.")] = 10,
    report: Annotated[Path | None, typer.Option("--report", help="Write an HTML report here.")] = None,
    markdown: Annotated[
        Path | None, typer.Option("--markdown", help="Write a Markdown report here.")
    ] = None,
    json_out: JsonFlag = False,
) -> None:
    """Simulate a scenario: shortfalls by destination, sector and stage, prices, what matters most."""
    check_run_options(runs=runs, seed=seed, horizon=horizon, sensitivity_runs=sensitivity_runs,
                      workers=workers, top=top)
    if executor not in EXECUTORS:
        raise UsageError(f"--executor {executor!r}: expected local or dask")
    if address is not None and executor != "dask":
        raise UsageError("--address is only used with --executor dask")
    check_targets(scenario, report, markdown)
    kb = load_kb()
    result = simulate(
        kb,
        load_scenario(scenario, kb),
        runs=runs,
        seed=seed,
        horizon=horizon,
        executor=executor,
        address=address,
        workers=workers,
        sensitivity_runs=sensitivity_runs,
    )
    # rendered before any file is written, so a failure leaves nothing behind
    text = json_text(result.model_dump(mode="json")) if json_out else None
    html = simulation_html(result) if report is not None else None
    notes = simulation_markdown(result) if markdown is not None else None
    if report is not None and html is not None:
        write_atomic(report, html)
    if markdown is not None and notes is not None:
        write_atomic(markdown, notes)
    if text is not None:
        sys.stdout.write(text)
        return
    console = make_console()
    print_simulation(console, result, top)
    if report is not None:
        console.print(f"HTML report: {display_path(report)}")
    if markdown is not None:
        console.print(f"Markdown report: {display_path(markdown)}")


@app.command("backtest")
def backtest_command(
    episode: Annotated[str | None, typer.Argument(
        help="A recorded episode (see --list); omit for the 2010-2011 rare-earth detail.")] = None,
    run_every: Annotated[bool, typer.Option("--all", help="Every recorded episode.")] = False,
    list_only: Annotated[bool, typer.Option("--list", help="List the recorded episodes.")] = False,
    runs: Annotated[int, typer.Option("--runs", help="Monte Carlo runs.")] = 300,
    seed: Annotated[int, typer.Option("--seed", help="Random seed.")] = 0,
    json_out: JsonFlag = False,
) -> None:
    """Replay recorded episodes from their trigger facts and score the model against the record."""
    from critmin.cli import backtest_commands

    check_run_options(runs=runs, seed=seed)
    if list_only:
        names = backtest_commands.list_episodes()
        if json_out:
            emit_json(names)
        else:
            make_console().print("\n".join(names))
        return
    if episode is not None and run_every:
        raise UsageError("give an episode or --all, not both")
    if episode is not None or run_every:
        backtest_commands.run_backtests(episode, run_every, runs, seed, json_out)
        return
    result = backtest(load_kb(), runs=runs, seed=seed)
    if json_out:
        emit_json(result.model_dump(mode="json"))
        return
    print_backtest(make_console(), result)


@app.command("scenarios")
def scenarios_command(json_out: JsonFlag = False) -> None:
    """The bundled scenarios, by name."""
    rows = []
    for name, path in bundled_scenarios().items():
        scenario, _ = read_scenario(str(path))
        rows.append(
            {
                "name": name,
                "title": scenario.name,
                "start": scenario.start.isoformat(),
                "horizon_days": scenario.horizon_days,
                "measures": scenario.measures,
            }
        )
    if json_out:
        emit_json(rows)
        return
    table = make_table(
        "Bundled scenarios (critmin simulate NAME)", "name", "title", "start", "days", "measures"
    )
    for row in rows:
        table.add_row(
            str(row["name"]),
            str(row["title"]),
            str(row["start"]),
            str(row["horizon_days"]),
            ", ".join(str(m) for m in row["measures"]),  # type: ignore[attr-defined]
        )
    make_console().print(table)
