"""`critmin serve` (the dashboard and HTTP API) and `critmin report` (a shareable scenario report)."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from typing import Annotated

import typer

from critmin.cli.app import app, make_console
from critmin.errors import CritminError, UsageError
from critmin.kb import load_kb

WEB_MODULES = ("fastapi", "uvicorn", "jinja2", "multipart")
LOOPBACK = {"127.0.0.1", "localhost", "::1"}


def missing_web_modules() -> list[str]:
    """The web extra's modules that cannot be imported here."""
    missing = []
    for name in WEB_MODULES:
        try:
            found = importlib.util.find_spec(name) is not None
        except (ImportError, ValueError):
            found = False
        if not found:
            missing.append(name)
    return missing


def _is_file(path: Path) -> bool:
    try:
        return path.is_file()
    except (OSError, ValueError):  # a name too long for the file system, a NUL byte
        return False


@app.command()
def serve(
    host: Annotated[str, typer.Option("--host", help="Address to bind (default: loopback only).")]
    = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", min=1, max=65535, help="TCP port.")] = 8765,
    db: Annotated[Path | None, typer.Option(
        "--db", help="Evidence database (default: CRITMIN_DB, else evidence.db in the user data folder).",
    )] = None,
) -> None:
    """Open the dashboard and the JSON API (/api/v1) in the browser at http://HOST:PORT/."""
    missing = missing_web_modules()
    if missing:
        raise CritminError("critmin serve needs the web extra: pip install 'critmin[web]' "
                           f"(missing: {', '.join(missing)})")
    import uvicorn

    from critmin.web.app import create_app
    from critmin.web.settings import Settings

    settings = Settings.from_env(db=db)
    if host not in LOOPBACK:
        typer.echo(f"warning: binding {host}: the dashboard is reachable from other machines; "
                   "reads need no token", err=True)
    writes = "enabled (CRITMIN_TOKEN set)" if settings.token else "disabled (set CRITMIN_TOKEN to enable)"
    url = f"http://{host}:{port}"
    # one line, unwrapped: the URL must stay clickable in any terminal width
    typer.echo(f"critmin dashboard on {url}/ · API {url}/api/v1/openapi.json · document uploads "
               f"{writes} · Ctrl+C stops")
    uvicorn.run(create_app(settings), host=host, port=port, log_level="warning")


@app.command()
def report(
    scenario: Annotated[str, typer.Argument(
        help="A bundled scenario name (see critmin scenarios) or a YAML file.")],
    out: Annotated[Path | None, typer.Option(
        "--out", help="Output file (default: report.html, or report.md with --md).")] = None,
    markdown: Annotated[bool, typer.Option("--md", help="Write Markdown instead of HTML.")] = False,
    runs: Annotated[int, typer.Option("--runs", help="Monte Carlo runs.")] = 1000,
    seed: Annotated[int, typer.Option("--seed", help="Random seed; same seed, same numbers.")] = 0,
    sensitivity_runs: Annotated[int, typer.Option(
        "--sensitivity-runs", help="Runs per sensitivity case (0 to skip).")] = 100,
) -> None:
    """Simulate a scenario and write one shareable report: self-contained HTML (opens offline) or Markdown."""
    from critmin.inputs import check_writable_target, display_path, write_atomic
    from critmin.report import simulation_html, simulation_markdown
    from critmin.sim import check_run_options, load_scenario, simulate

    check_run_options(runs=runs, seed=seed, sensitivity_runs=sensitivity_runs)
    target = out or Path("report.md" if markdown else "report.html")
    check_writable_target(target)  # before the run: a bad target fails at once
    source = Path(scenario)
    if _is_file(source) and source.resolve() == target.resolve():
        raise UsageError(f"{display_path(source)}: --out would overwrite the scenario file")
    kb = load_kb()
    result = simulate(kb, load_scenario(scenario, kb), runs=runs, seed=seed,
                      sensitivity_runs=sensitivity_runs)
    write_atomic(target, simulation_markdown(result) if markdown else simulation_html(result))
    make_console().print(f"{result.scenario.name}: {result.runs} runs, seed {result.seed} · "
                         f"{'Markdown' if markdown else 'HTML'} report: "
                         f"{display_path(target.resolve())}")
