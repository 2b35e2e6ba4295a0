"""`critmin backtest`: the episode library (model vs record, per figure) and the 2010 detail."""

from __future__ import annotations

from rich.console import Console

from critmin.cli.app import emit_json, make_console, make_table
from critmin.kb import load_kb
from critmin.sim import EpisodeResult, episode_ids, run_all, run_episode


def print_episode(console: Console, result: EpisodeResult) -> None:
    tag = "calibration" if result.calibration else "out of sample"
    console.print(f"{result.id}: {result.title} ({tag})", style="bold")
    console.print(f"scenario: {result.scenario}; {result.runs} runs, seed {result.seed}")
    table = make_table("Model vs record", "record", "what", "recorded", "model p50 [p5-p95]",
                       "result", right=("recorded",))
    reasons: dict[str, int] = {}
    for r in result.records:
        recorded = r.recorded if isinstance(r.recorded, str) else f"{r.recorded:.2f}"
        if r.model:
            model = r.model
        elif r.model_p50 is None:
            model = ""
        else:
            model = f"{r.model_p50:.2f} [{r.model_p5:.2f}-{r.model_p95:.2f}]"
        verdict: str = r.status
        if r.status == "not-modelled":
            mark = reasons.setdefault(r.reason, len(reasons) + 1)
            verdict = f"not modelled ({mark})"
        table.add_row(r.id, r.what, recorded, model, verdict)
    console.print(table)
    for reason, mark in reasons.items():
        console.print(f"  ({mark}) {reason}")
    console.print(f"{result.passed} pass, {result.failed} fail, {result.not_modelled} not "
                  f"modelled. Bands: " + "; ".join(dict.fromkeys(r.band for r in result.records)))


def run_backtests(episode: str | None, run_every: bool, runs: int, seed: int,
                  json_out: bool) -> None:
    """Run one episode or all of them and print or emit the results."""
    kb = load_kb()
    results = (run_all(kb, runs=runs, seed=seed) if run_every
               else [run_episode(kb, episode or "", runs=runs, seed=seed)])
    if json_out:
        payload = [r.model_dump(mode="json") for r in results]
        emit_json(payload if run_every else payload[0])
        return
    console = make_console()
    for result in results:
        print_episode(console, result)
    if run_every:
        table = make_table("Backtest library", "episode", "sample", "pass", "fail",
                           "not modelled", right=("pass", "fail", "not modelled"))
        for r in results:
            table.add_row(r.id, "calibration" if r.calibration else "out of sample",
                          str(r.passed), str(r.failed), str(r.not_modelled))
        console.print(table)
        out = [r for r in results if not r.calibration]
        passed = sum(r.passed for r in out)
        scored = passed + sum(r.failed for r in out)
        console.print(f"Out of sample: {passed} of {scored} scored records pass "
                      f"({sum(r.not_modelled for r in out)} not modelled).")


def list_episodes() -> list[str]:
    return episode_ids()
