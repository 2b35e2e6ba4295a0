"""The check: a BOM and a shipment against every measure in force that day, with a trace.

Pure: measures, knowledge base and date come in as arguments; nothing is read or printed. The
BOM is validated, resolved and compiled to plain data at the edge (critmin.rules.bom): values
converted and materials indexed by id, so a check looks up only the materials some measure
controls and costs in proportion to the controlled content, not to the size of the BOM.
Results that depend on the shipment alone (a measure on exports from China, for a shipment
leaving Germany) are computed once per shipment and shared; they are immutable.

Missing data never reads as "not controlled": a step that needs a fact the BOM does not give
ends in cannot-determine and names the fact, unless the answer is the same whatever the fact is
(e.g. even counting every line of unknown origin as Chinese, the ratio stays under the threshold).
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from critmin.kb import KnowledgeBase
from critmin.rules.bom import PlainBom, PlainLine, PlainUse, compile_bom
from critmin.rules.models import (
    CONFIDENCE_RANK,
    OUTCOME_RANK,
    Bom,
    Condition,
    ConditionKind,
    Confidence,
    Contribution,
    Decision,
    EndUser,
    Item,
    Measure,
    MeasureKind,
    MeasureResult,
    Outcome,
    Shipment,
    Threshold,
    most_restrictive,
    weakest,
)
from critmin.rules.screening import Screener, bundled_screener, screen_parties, screening_results
from critmin.rules.status import Status, StatusOn, status_on

#: Words in an end-use description that make it a military end use (case-insensitive substrings).
MILITARY_TERMS = ("military", "defence", "defense", "weapon", "munition", "armed forces", "army", "navy",
                  "air force", "missile", "warship", "fighter jet", "军")


def is_military_use(end_use: str) -> bool:
    text = end_use.casefold()
    return any(term in text for term in MILITARY_TERMS)


# ---------------------------------------------------------------------------------------------
# the rule set: measures indexed once, statuses cached per day


@dataclass(frozen=True)
class _Compiled:
    measure: Measure
    by_material: dict[str, tuple[Item, ...]]
    hs_items: tuple[tuple[str, Item], ...]
    unmatchable: tuple[Item, ...]


@dataclass
class _Day:
    active: list[tuple[_Compiled, StatusOn]]
    not_in_force: list[str]
    dual_use: dict[str, dict[str, tuple[Item, ...]]]


class RuleSet:
    """Measures indexed by material and HS code, with their in-force status cached per day, and
    the party lists a shipment's parties are screened against (bundled unless given)."""

    def __init__(self, measures: Sequence[Measure], screener: Screener | None = None) -> None:
        self._screener = screener
        self.measures = tuple(measures)
        self.by_id = {m.id: m for m in self.measures}
        self._compiled = [self._compile(m) for m in self.measures]
        self.has_hs = any(c.hs_items for c in self._compiled)
        self._days: dict[dt.date, _Day] = {}
        self._shipment_only: dict[tuple[str, Shipment, str | None], MeasureResult] = {}

    @property
    def screener(self) -> Screener:
        """The party-list index; the bundled lists are loaded the first time a party is screened."""
        if self._screener is None:
            self._screener = bundled_screener()
        return self._screener

    @staticmethod
    def _compile(measure: Measure) -> _Compiled:
        by_material: dict[str, list[Item]] = {}
        hs: list[tuple[str, Item]] = []
        unmatchable: list[Item] = []
        for item in measure.items:
            if item.material is not None:
                by_material.setdefault(item.material, []).append(item)
            hs += [(code, item) for code in item.hs_codes]
            if item.material is None and not item.hs_codes:
                unmatchable.append(item)
        return _Compiled(measure, {k: tuple(v) for k, v in by_material.items()}, tuple(hs),
                         tuple(unmatchable))

    def statuses(self, day: dt.date) -> list[StatusOn]:
        return [status_on(m, day) for m in self.measures]

    def day(self, day: dt.date) -> _Day:
        cached = self._days.get(day)
        if cached is not None:
            return cached
        active: list[tuple[_Compiled, StatusOn]] = []
        not_in_force: list[str] = []
        dual_use: dict[str, dict[str, list[Item]]] = {}
        for compiled in self._compiled:
            status = status_on(compiled.measure, day)
            if status.in_force:
                active.append((compiled, status))
                if compiled.measure.kind is MeasureKind.EXPORT:
                    per = dual_use.setdefault(compiled.measure.jurisdiction, {})
                    for mid, items in compiled.by_material.items():
                        per.setdefault(mid, []).extend(items)
            elif status.status in (Status.SUSPENDED, Status.REVOKED, Status.NOT_YET_EFFECTIVE):
                not_in_force.append(f"{compiled.measure.id}: {status.detail}")
        result = _Day(active, not_in_force,
                      {j: {k: tuple(v) for k, v in per.items()} for j, per in dual_use.items()})
        self._days[day] = result
        return result


# ---------------------------------------------------------------------------------------------
# the BOM, scanned once


@dataclass
class _Scan:
    total: float
    hits: dict[str, list[PlainUse]]
    hs_lines: list[tuple[int, str, str]]
    part_lines: dict[str | None, list[PlainLine]]
    no_made_in: list[PlainLine]


def _scan(bom: PlainBom, rules: RuleSet) -> _Scan:
    """The compiled BOM's indexes, narrowed to what the rule set can use."""
    return _Scan(bom.total, bom.by_material, bom.hs_lines if rules.has_hs else [], bom.by_made_in,
                 bom.by_made_in.get(None, []))


# ---------------------------------------------------------------------------------------------
# one measure


@dataclass
class _Work:
    """What a measure's evaluation accumulates before it becomes a MeasureResult."""

    trace: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)
    confidence: list[Confidence] = field(default_factory=list)
    contributing: list[Contribution] = field(default_factory=list)
    ratio: float | None = None


@dataclass
class _Context:
    bom: PlainBom
    shipment: Shipment
    kb: KnowledgeBase | None
    scan: _Scan
    ship_from: str | None
    military_use: bool
    day: _Day
    rules: RuleSet


def _name(ctx: _Context, material: str) -> str:
    if ctx.kb is not None and material in ctx.kb.materials:
        return f"{material} ({ctx.kb.materials[material].names.en})"
    return material


def _pct(value: float) -> str:
    return f"{value * 100:.4g}%"


def _meets(ratio: float, threshold: Threshold) -> bool:
    if math.isclose(ratio, threshold.ratio, rel_tol=1e-9, abs_tol=1e-15):
        return threshold.comparison == ">="
    return ratio > threshold.ratio


def _contribution(ctx: _Context, line_no: int, part: str, material: str | None, value: float) -> Contribution:
    total = ctx.scan.total
    return Contribution.trusted(line=line_no, part=part, material=material, value=round(value, 6),
                                share=value / total if total else 0.0)


@dataclass
class _Matches:
    matched: list[tuple[PlainUse | None, Item, str]] = field(default_factory=list)
    undetermined: list[tuple[Item, str]] = field(default_factory=list)


def _match_entries(ctx: _Context, items_by_material: dict[str, tuple[Item, ...]],
                   entries: Iterable[tuple[str, PlainUse]], out: _Matches, work: _Work) -> None:
    """Match BOM materials against controlled items by material, form and technical parameters."""
    for mid, entry in entries:
        where = f"line {entry.line_no} ({entry.part})"
        form = entry.form
        items = items_by_material.get(mid, ())
        if form is not None and all(i.forms is not None and form not in i.forms for i in items):
            forms = sorted({f.value for i in items for f in i.forms or ()})
            work.trace.append(f"{where}: {_name(ctx, mid)} as {form.value} is not in a controlled form "
                              f"({', '.join(forms)}).")
            continue
        for item in items:
            if item.forms is None:
                out.undetermined.append((item, f"{where}: {_name(ctx, mid)} — the controlled forms of "
                                               f"{item.description!r} are not confirmed; compare with the "
                                               "text"))
                work.missing.append(f"confirmation that {mid} on {where} is not an item of "
                                    f"{item.description!r} (forms unconfirmed)")
                continue
            if form is None:
                out.undetermined.append((item, f"{where}: {_name(ctx, mid)} has no form"))
                work.missing.append(f"form of {mid} on {where}")
                continue
            if form not in item.forms:
                continue
            if item.parameters:
                if entry.meets_parameters is None:
                    out.undetermined.append((item, f"{where}: {_name(ctx, mid)} as {form.value} is "
                                                   f"{item.description!r} only if {item.parameters}"))
                    work.missing.append(f"whether {mid} on {where} meets: {item.parameters} "
                                        "(set meets_parameters)")
                    continue
                if entry.meets_parameters is False:
                    work.trace.append(f"{where}: {_name(ctx, mid)} as {form.value} does not meet "
                                      f"{item.parameters} (per the BOM): not {item.description!r}.")
                    continue
            out.matched.append((entry, item, f"{where}: {_name(ctx, mid)} as {form.value} is "
                                             f"{item.description!r}{_code(item)}"))


def _code(item: Item) -> str:
    if not item.code:
        return ""
    return f" ({item.code}{', code inferred, not confirmed' if not item.code_confirmed else ''})"


def _match_hs(ctx: _Context, compiled: _Compiled, matched_lines: set[int], out: _Matches,
              work: _Work) -> None:
    """Lines (and the product) whose HS code meets a reference code of a controlled item."""
    for line_no, part, code in ctx.scan.hs_lines:
        if line_no in matched_lines:
            continue
        where = "the product" if line_no == 0 else f"line {line_no} ({part})"
        for ref, item in compiled.hs_items:
            if code.startswith(ref):
                if item.parameters:
                    out.undetermined.append((item, f"{where}: HS {code} matches reference code {ref} of "
                                                   f"{item.description!r}, controlled only if "
                                                   f"{item.parameters}"))
                    work.missing.append(f"whether {where} meets: {item.parameters}")
                else:
                    out.matched.append((None, item, f"{where}: HS {code} matches reference code {ref} of "
                                                    f"{item.description!r}{_code(item)} (HS codes are "
                                                    "reference only; the description governs)"))
                break
            if ref.startswith(code) and len(code) >= 6:
                out.undetermined.append((item, f"{where}: HS {code} covers reference code {ref} of "
                                               f"{item.description!r}"))
                work.missing.append(f"the full HS code of {where}, or confirmation it is not "
                                    f"{item.description!r}")
                break


def _conditions(ctx: _Context, conditions: Sequence[Condition], base: Outcome, work: _Work) -> Outcome:
    """Apply end-user and end-use conditions to an outcome; unknown end users may mean denial."""
    outcome = base
    possible: list[Outcome] = []
    shipment, semi = ctx.shipment, ctx.bom.semiconductor
    for condition in conditions:
        holds = False
        if condition.when is ConditionKind.MILITARY_END_USER:
            if shipment.end_user is EndUser.MILITARY:
                holds = True
            elif shipment.end_user is EndUser.UNKNOWN:
                possible.append(condition.outcome)
                work.trace.append(f"End user not stated: a military end user would mean "
                                  f"{condition.outcome.value} ({condition.text}).")
                work.missing.append("the end user (civil or military)")
                work.sources += condition.sources
        elif condition.when is ConditionKind.MILITARY_END_USE:
            holds = ctx.military_use
        elif semi is not None:
            logic = semi.logic_node_nm is not None and condition.logic_node_nm_max is not None \
                and semi.logic_node_nm <= condition.logic_node_nm_max
            memory = semi.memory_layers is not None and condition.memory_layers_min is not None \
                and semi.memory_layers >= condition.memory_layers_min
            holds = logic or memory
        if holds:
            work.trace.append(f"Condition {condition.when.value} holds: {condition.text} -> "
                              f"{condition.outcome.value}.")
            work.sources += condition.sources
            work.confidence.append(condition.confidence)
            outcome = most_restrictive([outcome, condition.outcome])
    if any(OUTCOME_RANK[p] > OUTCOME_RANK[outcome] for p in possible):
        return Outcome.CANNOT_DETERMINE
    return outcome


def _grouped(
    matched: list[tuple[PlainUse | None, Item, str]],
) -> list[tuple[PlainUse | None, list[Item], str]]:
    """One trace line per BOM line and material, listing every item it matches."""
    groups: dict[tuple[int, str | None, int], tuple[PlainUse | None, list[Item], list[str]]] = {}
    for index, (entry, item, text) in enumerate(matched):
        key = (entry.line_no, entry.material, 0) if entry is not None else (-1, None, index)
        group = groups.setdefault(key, (entry, [], []))
        group[1].append(item)
        group[2].append(text)
    out = []
    for entry, items, texts in groups.values():
        if len(items) == 1:
            out.append((entry, items, texts[0]))
        else:
            head = texts[0].split(" is ", 1)[0]
            names = " / ".join(repr(i.description) + _code(i) for i in items)
            out.append((entry, items, f"{head} is one of: {names}"))
    return out


def _settle(ctx: _Context, compiled: _Compiled, matches: _Matches, work: _Work) -> tuple[bool, Outcome]:
    """Outcome from matched and undetermined items, then the measure's conditions."""
    measure = compiled.measure
    matched_outcome: Outcome | None = None
    for entry, items, text in _grouped(matches.matched):
        work.trace.append(text + ".")
        # any one matching item makes the line controlled: trust the best-supported one
        best = min(items, key=lambda i: CONFIDENCE_RANK[i.confidence])
        work.confidence.append(best.confidence)
        if best.confidence is not Confidence.HIGH and best.note:
            work.trace.append(f"Caveat ({best.confidence.value}): {best.note}")
        for item in items:
            work.sources += item.sources
        if entry is not None:
            work.contributing.append(_contribution(ctx, entry.line_no, entry.part, entry.material,
                                                   entry.value))
        item_outcome = most_restrictive([i.outcome or measure.outcome for i in items])
        matched_outcome = item_outcome if matched_outcome is None else most_restrictive(
            [matched_outcome, item_outcome])
    for item, text in matches.undetermined:
        work.trace.append(text + ": cannot determine.")
        work.sources += item.sources
    if matched_outcome is None:
        if matches.undetermined:
            return True, Outcome.CANNOT_DETERMINE
        return False, Outcome.NOT_CONTROLLED
    outcome = _conditions(ctx, measure.conditions, matched_outcome, work)
    worst_open = most_restrictive([i.outcome or measure.outcome for i, _ in matches.undetermined])
    if matches.undetermined and OUTCOME_RANK[worst_open] > OUTCOME_RANK[outcome]:
        outcome = Outcome.CANNOT_DETERMINE
    return True, outcome


def _aimed_elsewhere(ctx: _Context, measure: Measure, work: _Work) -> bool:
    """A measure aimed at named destinations says nothing about shipments elsewhere."""
    if measure.destinations and ctx.shipment.to not in measure.destinations:
        work.trace.append(f"Aimed at {', '.join(measure.destinations)}; the destination is "
                          f"{ctx.shipment.to}: does not apply.")
        return True
    return False


def _export(ctx: _Context, compiled: _Compiled, work: _Work) -> tuple[bool, Outcome]:
    measure = compiled.measure
    jurisdiction = measure.jurisdiction
    if _aimed_elsewhere(ctx, measure, work):
        return False, Outcome.NOT_CONTROLLED
    if ctx.ship_from is not None and ctx.ship_from != jurisdiction:
        work.trace.append(f"The shipment leaves {ctx.ship_from}; this measure licenses exports from "
                          f"{jurisdiction}: does not apply.")
        return False, Outcome.NOT_CONTROLLED
    if ctx.ship_from is None:
        work.trace.append(f"This measure licenses exports from {jurisdiction}; where the shipment leaves "
                          "from is not given, so the lines are matched as if it left from there.")
    else:
        work.trace.append(f"The shipment leaves {jurisdiction}: its listed items need a licence.")
    entries = [(mid, e) for mid in compiled.by_material for e in ctx.scan.hits.get(mid, ())]
    matches = _Matches()
    _match_entries(ctx, compiled.by_material, entries, matches, work)
    if compiled.hs_items:
        matched_lines = {e.line_no for e, _, _ in matches.matched if e is not None}
        _match_hs(ctx, compiled, matched_lines, matches, work)
    if compiled.unmatchable:
        work.trace.append("Not assessed (no material id or HS code to match on): "
                          + "; ".join(i.description for i in compiled.unmatchable) + ".")
    if measure.technologies:
        codes = ", ".join(t.code or t.description for t in measure.technologies)
        work.trace.append(f"Also controls technology ({codes}); a goods BOM does not describe "
                          "technology transfers: check those separately.")
    applies, outcome = _settle(ctx, compiled, matches, work)
    if not applies:
        work.trace.append("No line is a controlled item of this measure.")
        work.missing.clear()
    elif ctx.ship_from is None:
        work.missing.append("the country the shipment leaves from (`from`, or the BOM's made_in)")
        outcome = Outcome.CANNOT_DETERMINE
    return applies, outcome


def _threshold(measure: Measure, destination: str) -> Threshold:
    default = measure.thresholds[0]
    for threshold in measure.thresholds:
        if threshold.destinations is None:
            default = threshold
        elif destination in threshold.destinations:
            return threshold
    return default


def _value_content(ctx: _Context, compiled: _Compiled, work: _Work) -> tuple[bool, Outcome]:
    measure = compiled.measure
    jurisdiction = measure.jurisdiction
    counted: list[tuple[int, str, str | None, float]] = []
    facts: list[Confidence] = []
    caveats: list[str] = []
    unknown_value = 0.0
    tech_entries: list[tuple[str, PlainUse]] = []
    if measure.content == "materials":
        for mid, items in compiled.by_material.items():
            entries = ctx.scan.hits.get(mid)
            if not entries:
                continue
            before = len(counted)
            for entry in entries:
                tech_entries.append((mid, entry))
                origin, processed = entry.origin, entry.processed_in
                if origin == jurisdiction or processed == jurisdiction:
                    counted.append((entry.line_no, entry.part, mid, entry.value))
                elif origin is None or processed is None:
                    unknown_value += entry.value
                    absent = " and ".join(f for f, v in (("origin", origin), ("processed_in", processed))
                                          if v is None)
                    work.missing.append(f"{absent} of {mid} on line {entry.line_no} ({entry.part})")
            if len(counted) > before:
                for item in items:
                    facts.append(item.confidence)
                    work.sources += item.sources
                    if item.confidence is not Confidence.HIGH and item.note:
                        caveats.append(f"Caveat on {mid} ({item.confidence.value}): {item.note}")
    else:
        for line in ctx.scan.part_lines.get(jurisdiction, ()):
            if line.us_controlled:
                counted.append((line.line_no, line.part, None, line.value))
            elif line.us_controlled is None:
                unknown_value += line.value
                work.missing.append(f"us_controlled of line {line.line_no} ({line.part}), "
                                    f"made in {jurisdiction}")
        for line in ctx.scan.no_made_in:
            unknown_value += line.value
            work.missing.append(f"made_in of line {line.line_no} ({line.part})")
    if not counted and not unknown_value and not (measure.direct_product and tech_entries):
        what = (f"controlled content of {jurisdiction} origin" if measure.content == "materials"
                else f"part made in {jurisdiction}")
        work.trace.append(f"No {what} in the BOM: does not apply.")
        work.missing.clear()
        return False, Outcome.NOT_CONTROLLED
    made_in = ctx.bom.made_in
    if made_in is None:
        work.trace.append(f"The rule reaches products made outside {jurisdiction}; the product's made_in "
                          "is not given.")
        work.missing.append("the product's made_in")
        return True, Outcome.CANNOT_DETERMINE
    if made_in == jurisdiction:
        work.trace.append(f"The product is made in {jurisdiction}: not a foreign-made item; this rule does "
                          "not apply.")
        work.missing.clear()
        return False, Outcome.NOT_CONTROLLED
    if measure.destinations and ctx.shipment.to not in measure.destinations:
        work.trace.append(f"Aimed at {', '.join(measure.destinations)}; the destination is "
                          f"{ctx.shipment.to}: does not apply.")
        work.missing.clear()
        return False, Outcome.NOT_CONTROLLED
    threshold = _threshold(measure, ctx.shipment.to)
    work.sources += threshold.sources
    work.confidence.append(threshold.confidence)
    total = ctx.scan.total
    content = sum(c[3] for c in counted)
    ratio = content / total if total else 0.0
    work.ratio = ratio
    upper = (content + unknown_value) / total if total else 0.0
    work.trace.append(f"Foreign-made (made in {made_in}). Controlled {jurisdiction}-origin content "
                      f"{content:,.2f} {ctx.bom.currency} / product value {total:,.2f} {ctx.bom.currency} "
                      f"= {_pct(ratio)}; threshold {threshold.comparison} {_pct(threshold.ratio)} "
                      f"({threshold.text}).")
    if threshold.confidence is not Confidence.HIGH and threshold.note:
        work.trace.append(f"Caveat ({threshold.confidence.value}): {threshold.note}")
    for line_no, part, material, value in counted:
        work.contributing.append(_contribution(ctx, line_no, part, material, value))
    if counted:
        shown = "; ".join(f"line {n} ({p}){' ' + m if m else ''} {v:,.2f}" for n, p, m, v in counted[:10])
        more = f"; and {len(counted) - 10} more (see contributing lines)" if len(counted) > 10 else ""
        work.trace.append(f"Counted: {shown}{more}.")
    scope = measure.product_scope
    if scope is not None:
        work.sources += scope.sources
        if ctx.bom.form in scope.forms:
            work.trace.append(f"The product is a {ctx.bom.form.value}: named in scope by the text.")
        else:
            work.trace.append(scope.otherwise)
            facts.append(scope.confidence)
    if _meets(ratio, threshold):
        work.trace.append(f"{_pct(ratio)} {threshold.comparison} {_pct(threshold.ratio)}: the rule applies.")
        work.trace += list(dict.fromkeys(caveats))
        work.confidence += facts
        work.missing.clear()
        return True, _conditions(ctx, measure.conditions, measure.outcome, work)
    if unknown_value and _meets(upper, threshold):
        work.trace.append(f"Below the threshold on known origins, but lines of unknown origin could bring it "
                          f"to {_pct(upper)}: cannot determine.")
        work.confidence += facts
        return True, Outcome.CANNOT_DETERMINE
    if unknown_value:
        work.trace.append(f"Even counting every line of unknown origin, the ratio is at most {_pct(upper)}.")
        work.missing.clear()
    work.trace.append(f"{_pct(ratio)} does not meet {threshold.comparison} {_pct(threshold.ratio)}.")
    if measure.direct_product is not None:
        return _direct_product(ctx, measure, tech_entries, work)
    return False, Outcome.NOT_CONTROLLED


def _direct_product(ctx: _Context, measure: Measure, entries: list[tuple[str, PlainUse]],
                    work: _Work) -> tuple[bool, Outcome]:
    rule = measure.direct_product
    assert rule is not None
    jurisdiction = measure.jurisdiction
    abroad = [(mid, e) for mid, e in entries if e.made_in != jurisdiction]
    made_with = [(mid, e) for mid, e in abroad if e.technology_origin == jurisdiction]
    unknown = [(mid, e) for mid, e in abroad if e.technology_origin is None]
    if made_with:
        work.sources += rule.sources
        work.trace.append(f"Direct-product rule: {rule.description}. Made with {jurisdiction}-origin "
                          "technology: " + "; ".join(f"line {e.line_no} ({e.part}) {mid}"
                                                     for mid, e in made_with) + ".")
        for mid, e in made_with:
            work.contributing.append(_contribution(ctx, e.line_no, e.part, mid, e.value))
        return True, _conditions(ctx, measure.conditions, measure.outcome, work)
    if unknown:
        work.sources += rule.sources
        work.trace.append(f"Direct-product rule ({rule.description}): technology origin not given.")
        work.missing += [f"technology_origin of line {e.line_no} ({e.part})" for _, e in unknown]
        return True, Outcome.CANNOT_DETERMINE
    return False, Outcome.NOT_CONTROLLED


def _end_user(ctx: _Context, compiled: _Compiled, work: _Work) -> tuple[bool, Outcome]:
    measure = compiled.measure
    jurisdiction = measure.jurisdiction
    if _aimed_elsewhere(ctx, measure, work):
        return False, Outcome.NOT_CONTROLLED
    end_user = ctx.shipment.end_user
    military = end_user is EndUser.MILITARY or ctx.military_use
    if not military and end_user is EndUser.CIVIL:
        work.trace.append("Civil end user and no military end use: this measure does not reach them.")
        return False, Outcome.NOT_CONTROLLED
    dual_use = ctx.day.dual_use.get(jurisdiction, {})
    linked: list[tuple[str, PlainUse]] = []
    for mid in dual_use:
        for entry in ctx.scan.hits.get(mid, ()):
            origin, processed = entry.origin, entry.processed_in
            if ctx.ship_from == jurisdiction or jurisdiction in (origin, processed):
                linked.append((mid, entry))
            elif origin is None or processed is None:
                work.missing.append(f"origin and processed_in of {mid} on line {entry.line_no} "
                                    f"({entry.part})")
    matches = _Matches()
    _match_entries(ctx, dual_use, linked, matches, work)
    open_origin = bool(work.missing)
    if not matches.matched and not matches.undetermined:
        if open_origin:
            work.trace.append(f"Controlled materials of unknown origin: they may be {jurisdiction}-origin "
                              "dual-use items.")
            return True, Outcome.CANNOT_DETERMINE
        work.trace.append(f"No {jurisdiction}-origin dual-use item in the BOM: does not apply.")
        return False, Outcome.NOT_CONTROLLED
    work.trace.append(f"{jurisdiction}-origin dual-use items (items of {jurisdiction}'s export measures in "
                      "force) in the BOM:")
    for found, items, text in _grouped(matches.matched):
        work.trace.append(text + ".")
        work.sources += [s for i in items for s in i.sources]
        if found is not None:
            work.contributing.append(_contribution(ctx, found.line_no, found.part, found.material,
                                                   found.value))
    for _, text in matches.undetermined:
        work.trace.append(text + ": cannot determine.")
    outcome = _conditions(ctx, measure.conditions, Outcome.NOT_CONTROLLED, work)
    if outcome is Outcome.NOT_CONTROLLED and end_user is EndUser.UNKNOWN:
        outcome = Outcome.CANNOT_DETERMINE
    if not matches.matched and outcome is not Outcome.NOT_CONTROLLED:
        outcome = Outcome.CANNOT_DETERMINE
    return True, outcome


_EVALUATORS = {
    MeasureKind.EXPORT: _export,
    MeasureKind.VALUE_CONTENT: _value_content,
    MeasureKind.END_USER: _end_user,
}


def _shipment_only(ctx: _Context, measure: Measure) -> bool:
    """Whether the measure's result depends on the shipment alone (it cannot reach this shipment)."""
    if measure.destinations and ctx.shipment.to not in measure.destinations:
        return measure.kind is not MeasureKind.VALUE_CONTENT
    if measure.kind is MeasureKind.EXPORT:
        return ctx.ship_from is not None and ctx.ship_from != measure.jurisdiction
    if measure.kind is MeasureKind.END_USER:
        return ctx.shipment.end_user is EndUser.CIVIL and not ctx.military_use
    return False


def _evaluate(ctx: _Context, compiled: _Compiled, status: StatusOn) -> MeasureResult:
    """One measure's result; results that depend on the shipment alone are computed once and shared."""
    measure = compiled.measure
    if not _shipment_only(ctx, measure):
        return _evaluate_bom(ctx, compiled, status)
    cache = ctx.rules._shipment_only
    key = (measure.id, ctx.shipment, ctx.ship_from)
    found = cache.get(key)
    if found is None:
        if len(cache) > 10_000:
            cache.clear()
        found = cache[key] = _evaluate_bom(ctx, compiled, status)
    return found


def _evaluate_bom(ctx: _Context, compiled: _Compiled, status: StatusOn) -> MeasureResult:
    measure = compiled.measure
    work = _Work()
    work.trace.append(f"{measure.document}: {status.detail}.")
    applies, outcome = _EVALUATORS[measure.kind](ctx, compiled, work)
    if outcome is not Outcome.NOT_CONTROLLED:
        work.sources = [*measure.sources, *work.sources]
        work.confidence.append(measure.confidence)
        if measure.confidence is not Confidence.HIGH and measure.note:
            work.trace.append(f"Caveat ({measure.confidence.value}): {measure.note}")
        for note in status.notes:
            work.trace.append(f"Status on {ctx.shipment.date} unconfirmed ({note.confidence.value}): "
                              f"{note.note}")
            work.confidence.append(note.confidence)
            work.sources += note.sources
        for suspension in measure.suspensions:
            if suspension.until < ctx.shipment.date:
                work.sources += suspension.sources
        if measure.licence is not None and outcome in (Outcome.LICENCE_REQUIRED, Outcome.CASE_BY_CASE):
            lic = measure.licence
            parts = [p for p in (lic.validity and f"validity: {lic.validity}",
                                 lic.review and f"review: {lic.review}") if p]
            work.trace.append(f"Licence ({lic.confidence.value}): " + "; ".join(parts) + ".")
            work.sources += lic.sources
    work.trace.append(f"Outcome: {outcome.value}.")
    threshold = _threshold(measure, ctx.shipment.to) if measure.thresholds else None
    return MeasureResult.trusted(
        measure=measure.id, title=measure.title, document=measure.document,
        jurisdiction=measure.jurisdiction, applies=applies, outcome=outcome, ratio=work.ratio,
        threshold=threshold.ratio if threshold else None,
        comparison=threshold.comparison if threshold else None,
        contributing=work.contributing, missing=list(dict.fromkeys(work.missing)), trace=work.trace,
        sources=list(dict.fromkeys(work.sources)), confidence=weakest(*work.confidence))


def check(bom: Bom | PlainBom, shipment: Shipment, rules: RuleSet,
          kb: KnowledgeBase | None = None) -> Decision:
    """Every measure in force on the shipment date applied to the BOM, with the overall outcome.

    `bom` must have resolved ids (critmin.rules.bom does that at the edge) and is compiled to
    plain data unless it already is; `kb` only supplies display names for the trace.
    """
    if not isinstance(bom, PlainBom):
        bom = compile_bom(bom)
    day = rules.day(shipment.date)
    ctx = _Context(bom=bom, shipment=shipment, kb=kb, scan=_scan(bom, rules),
                   ship_from=shipment.ship_from or bom.made_in,
                   military_use=is_military_use(shipment.end_use), day=day, rules=rules)
    results = [_evaluate(ctx, compiled, status) for compiled, status in day.active]
    parties = (*shipment.parties, *bom.parties)
    matches = []
    if parties:
        matches = screen_parties(parties, shipment.date, rules.screener)
        results += screening_results(parties, matches, shipment.date, rules.screener)
    outcome = most_restrictive([r.outcome for r in results])
    drivers = [r.confidence for r in results if r.outcome is outcome]
    return Decision.trusted(
        product=bom.product, currency=bom.currency, total_value=bom.total, shipment=shipment,
        outcome=outcome, confidence=weakest(*drivers), results=results, not_in_force=list(day.not_in_force),
        screening=matches)
