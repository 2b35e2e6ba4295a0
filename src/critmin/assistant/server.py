"""The MCP server: one tool per question critmin answers, each calling a capability's public API.

Assistants ask in words; each tool takes the same names the CLI takes (any material or country
name, English or Chinese), returns the same JSON as the CLI's `--json`, and carries the
citations of every figure it returns (`sources`: id -> citation), so an answer built on a tool
call can cite its numbers. A critmin error (an unknown name, a bad BOM) comes back as a tool
error with critmin's one-line message, which the model can read and correct; anything else is
a crash the SDK reports without internals.

Runs are bounded (`MAX_ASSISTANT_RUNS`) so a model cannot start an hour of Monte Carlo.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from functools import wraps
from typing import Any, ParamSpec, TypeVar

from mcp.server.mcpserver import MCPServer
from mcp.server.mcpserver.exceptions import ToolError

from critmin import __version__
from critmin.errors import CritminError

P = ParamSpec("P")
R = TypeVar("R")

#: Largest number of Monte Carlo runs a tool call may ask for.
MAX_ASSISTANT_RUNS = 500
#: Largest number of search hits or facts one call returns.
MAX_ASSISTANT_ROWS = 100

TOOL_NAMES = ("shares", "chokepoints", "criticality", "facilities", "check", "screen",
              "simulate", "search", "facts", "digest")

INSTRUCTIONS = (
    "critmin answers questions about critical-minerals supply chains with sourced figures: "
    "who mines, refines and makes parts (shares, chokepoints, facilities), EU supply risk "
    "(criticality), whether a shipment needs an export licence (check) or a party is listed "
    "(screen), what a restriction would do (simulate), and what the news says (search, facts, "
    "digest over the local evidence store). Every answer lists its sources; cite them."
)


def _user_errors(fn: Callable[P, R]) -> Callable[P, R]:
    """critmin's own errors reach the model as readable tool errors."""

    @wraps(fn)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return fn(*args, **kwargs)
        except CritminError as exc:
            raise ToolError(str(exc)) from None

    return wrapper


def _citations(ids: Iterable[str]) -> dict[str, str]:
    from critmin.kb import load_kb

    kb = load_kb()
    return {s: kb.sources[s].citation() for s in dict.fromkeys(ids) if s in kb.sources}


def _day(text: str | None) -> dt.date:
    if not text:
        return dt.date.today()
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise CritminError(f"bad date {text!r}; expected YYYY-MM-DD") from None


def _rows(limit: int) -> int:
    if not 1 <= limit <= MAX_ASSISTANT_ROWS:
        raise CritminError(f"limit must be 1-{MAX_ASSISTANT_ROWS}, not {limit}")
    return limit


# --- knowledge base ---------------------------------------------------------------------------


def shares(material: str, stage: str | None = None, year: int | None = None) -> dict[str, Any]:
    """Countries' production (or reserves) and shares for a material, stage by stage, with
    sources. `material` is any name or alias in English or Chinese; `stage` is mining,
    refining (separation), metal or magnet; omit `year` for every year."""
    from critmin.kb import load_kb, parse_stage

    kb = load_kb()
    found = kb.material(material)
    series = kb.shares(found, stage=parse_stage(stage) if stage else None, year=year)
    return {"material": found.id, "material_name": found.names.en,
            "series": [s.model_dump(mode="json") for s in series],
            "sources": _citations(i for s in series for i in s.sources)}


def chokepoints(top: int = 10) -> dict[str, Any]:
    """The most concentrated material x stage pairs (latest year each), ranked by HHI 0-10,000."""
    from critmin.kb import load_kb
    from critmin.risk import chokepoints as rank

    ranked = rank(load_kb(), top=_rows(top))
    return {"chokepoints": [c.model_dump(mode="json") for c in ranked],
            "sources": _citations(i for c in ranked for i in c.sources)}


def criticality(shares: str = "study") -> dict[str, Any]:
    """EU CRM 2023 supply risk: published SR and EI beside critmin's computation from the
    study's inputs (`shares`: "study" for the study's data window, "latest" for the latest
    bundled production shares), with the missing inputs named."""
    from critmin.kb import load_kb
    from critmin.risk import supply_risks

    if shares not in ("study", "latest"):
        raise CritminError(f"shares must be 'study' or 'latest', not {shares!r}")
    results = supply_risks(load_kb(), shares=shares)
    return {"materials": [r.model_dump(mode="json") for r in results],
            "sources": _citations(i for r in results for i in r.sources)}


def facilities(material: str | None = None, country: str | None = None,
               status: str | None = None) -> dict[str, Any]:
    """Mines, separation plants, metal and magnet works and recycling plants, filtered by
    material, country and status (operating, commissioning, under_construction, planned,
    tender, on_hold, idle, closed)."""
    from critmin.kb import load_kb

    kb = load_kb()
    found = kb.facilities_for(material=kb.material(material) if material else None,
                              country=kb.country(country) if country else None, status=status)
    return {"facilities": [f.model_dump(mode="json") for f in found],
            "sources": _citations(i for f in found for i in f.sources)}


# --- rules ------------------------------------------------------------------------------------


def check(bom: dict[str, Any], to: str, on: str | None = None, end_use: str = "",
          end_user: str = "unknown", ship_from: str | None = None,
          parties: list[str] | None = None) -> dict[str, Any]:
    """Whether a product (a BOM: `{"product": ..., "origin": ..., "lines": [{"part", "material",
    "mass_kg" or "value", "origin"}...]}`, as in critmin's BOM files) shipped to `to` on `on`
    (YYYY-MM-DD, default today) needs an export licence, under which measure, with the trace.
    `parties` are names, or ROLE=NAME with role consignee, end-user or intermediary."""
    from critmin.kb import load_kb
    from critmin.rules import check as run_check
    from critmin.rules import make_shipment

    kb = load_kb()
    shipment = make_shipment(kb, to=to, on=_day(on), end_use=end_use, end_user=end_user,
                             ship_from=ship_from, parties=parties or ())
    decision = run_check(bom, shipment, kb=kb)
    payload = decision.model_dump(mode="json")
    ids = [s for r in decision.results for s in getattr(r, "sources", ())]
    payload["sources"] = _citations(ids)
    return payload


def screen(name: str, country: str | None = None, on: str | None = None) -> dict[str, Any]:
    """A counterparty's name against the bundled party lists (MOFCOM, US lists) on a day:
    hits with score, matched alias, list, notice and date; possible matches to review."""
    from critmin.rules import screen as run_screen

    hits = run_screen(name, _day(on), country=country)
    return {"hits": [h.model_dump(mode="json") for h in hits]}


# --- simulator --------------------------------------------------------------------------------


def simulate(scenario: str | dict[str, Any], runs: int = 200, seed: int = 0,
             horizon_days: int | None = None) -> dict[str, Any]:
    """What happens if a country restricts a material: a bundled scenario's name (see critmin
    scenarios) or a scenario as JSON (fields as in docs/scenarios.md). Returns who runs short,
    from when, how badly, and what prices do, with bands; at most 500 runs."""
    from critmin.kb import load_kb
    from critmin.sim import load_scenario, load_scenario_data
    from critmin.sim import simulate as run

    if not 1 <= runs <= MAX_ASSISTANT_RUNS:
        raise CritminError(f"runs must be 1-{MAX_ASSISTANT_RUNS}, not {runs}")
    kb = load_kb()
    resolved = (load_scenario(scenario, kb) if isinstance(scenario, str)
                else load_scenario_data(scenario, "scenario", kb))
    result = run(kb, resolved, runs=runs, seed=seed, horizon=horizon_days)
    payload = result.model_dump(mode="json")
    # bands per week are for charts; an assistant needs the peaks and who is exposed
    payload.pop("series", None)
    for price in payload.get("prices", []):
        for key in ("p5", "p50", "p95"):
            price.pop(key, None)
    return payload


# --- evidence ---------------------------------------------------------------------------------


def _store() -> Any:
    from critmin.evidence import connect, default_db_path

    path = default_db_path()
    if not path.exists():
        raise CritminError(f"no evidence store at {path}; ingest documents first "
                           "(critmin ingest FOLDER)")
    return connect(path, read_only=True)


def search(query: str, lang: str | None = None, material: str | None = None,
           limit: int = 10) -> dict[str, Any]:
    """Search the local evidence store (Chinese or English; a query in one language finds
    documents in the other): documents with snippets, best first."""
    from critmin.evidence import search as run_search
    from critmin.kb import load_kb

    conn = _store()
    try:
        hits = run_search(conn, load_kb(), query, lang=lang, material=material, limit=_rows(limit))
    finally:
        conn.close()
    return {"hits": [h.model_dump(mode="json") for h in hits]}


def facts(material: str | None = None, kind: str | None = None, limit: int = 20) -> dict[str, Any]:
    """Numeric claims in the evidence store (percent, mass, money, count, date, purity...),
    each with the sentence it was read from and its document."""
    from critmin.evidence import facts as run_facts
    from critmin.kb import load_kb

    wanted = None
    if material:
        kb = load_kb()
        found = kb.material(material)
        wanted = {found.id} | {m.id for m in kb.materials.values() if m.parent == found.id}
    conn = _store()
    try:
        rows = run_facts(conn, materials=wanted, kind=kind, limit=_rows(limit))
    finally:
        conn.close()
    return {"facts": [f.model_dump(mode="json") for f in rows]}


def digest(topic: str) -> dict[str, Any]:
    """A digest of what the evidence store says about a topic: grouped points, each with its
    numbered citations to documents."""
    from critmin.evidence import digest as run_digest
    from critmin.kb import load_kb

    conn = _store()
    try:
        result = run_digest(conn, load_kb(), topic)
    finally:
        conn.close()
    return result.model_dump(mode="json")


TOOLS: dict[str, Callable[..., dict[str, Any]]] = {
    "shares": shares, "chokepoints": chokepoints, "criticality": criticality,
    "facilities": facilities, "check": check, "screen": screen, "simulate": simulate,
    "search": search, "facts": facts, "digest": digest,
}


def build_server() -> MCPServer:
    """The server with every tool registered (read-only tools, except none write anything)."""
    server: MCPServer = MCPServer("critmin", instructions=INSTRUCTIONS, version=__version__)
    for name in TOOL_NAMES:
        fn = TOOLS[name]
        server.tool(name=name, description=(fn.__doc__ or "").strip())(_user_errors(fn))
    return server


def run_stdio() -> None:
    """Serve over stdio until the client disconnects."""
    build_server().run("stdio")
