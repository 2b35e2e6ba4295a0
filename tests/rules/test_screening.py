"""Counterparty screening: normalisation across scripts, dated listings, the CSL loader, the 50% rule."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

import pytest

from critmin.errors import CritminError
from critmin.inputs import InputError
from critmin.kb import KnowledgeBase
from critmin.rules import (
    MatchKind,
    Outcome,
    Owner,
    Party,
    PartyRole,
    RuleSet,
    Screener,
    engine,
    load_screener,
    make_shipment,
    read_bom,
    screen,
)
from critmin.rules.models import Confidence, Decision
from critmin.rules.screening import (
    PartyList,
    bundled_screener,
    compact,
    normalise,
    parse_party_list,
    read_csl,
)

FIXTURES = Path(__file__).resolve().parent / "fixtures"
EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "boms"
D = dt.date.fromisoformat


def resolver(kb: KnowledgeBase) -> Callable[[str], str | None]:
    def resolve(code: str) -> str | None:
        try:
            return kb.country(code).id
        except CritminError:
            return None
    return resolve


@pytest.mark.parametrize(("raw", "key"), [
    ("Lockheed Martin Corp.", "lockheed martin"),
    ("LOCKHEED MARTIN CORPORATION", "lockheed martin"),
    ("ＬＯＣＫＨＥＥＤ　ＭＡＲＴＩＮ，Ｉｎｃ．", "lockheed martin"),      # full-width forms (NFKC)
    ("Raytheon Missiles & Defense", "raytheon missiles and defense"),
    ("Example Optics S.A.", "example optics"),                         # dotted initials joined, then dropped
    ("Beispiel Werkstoffe GmbH", "beispiel werkstoffe"),
    ("中国航空工业集团有限公司", "zhong guo hang kong gong ye"),         # two Chinese suffixes, then pinyin
    ("洛克希德·马丁公司", "luo ke xi de ma ding"),
    ("Exelis公司", "exelis"),                                          # mixed script
    ("The Company", "the company"),                                    # only legal words: kept
])
def test_normalisation(raw: str, key: str) -> None:
    assert normalise(raw) == key


def test_chinese_characters_and_pinyin_meet() -> None:
    assert compact(normalise("中国航空工业集团")) == compact(normalise("Zhongguo Hangkong Gongye"))
    assert compact(normalise("亨廷頓·英格爾斯工業公司")) == compact(normalise("亨廷顿·英格尔斯工业"))
    assert compact(normalise("中国航空工业集团")) != compact(normalise("中国航空发动机集团"))


def test_bundled_lists_load_with_counts() -> None:
    screener = bundled_screener()
    counts = {lst.id: sum(len(n.entities) for n in lst.notices) for lst in screener.lists}
    assert counts == {"CN-MOFCOM-ECCL": 25, "CN-MOFCOM-UEL": 44, "US-BIS-EL": 12}
    assert screener.rules["US-BIS-MEU"] is screener.by_id["US-BIS-EL"].affiliates


@pytest.mark.parametrize("query", ["Huntington Ingalls Industries",            # suffix ', Inc.' dropped
                                   "HUNTINGTON INGALLS INDUSTRIES INC",
                                   "亨廷顿·英格尔斯工业公司",  # simplified; the source is traditional
                                   "Hengtingdun Yinggeersi Gongye"])            # pinyin
def test_listed_entity_found_in_every_script(query: str) -> None:
    hits = [m for m in screen(query, D("2026-01-15")) if m.kind is MatchKind.HIT]
    eccl = [(m.notice, m.date, m.entity) for m in hits if m.list_id == "CN-MOFCOM-ECCL"]
    assert eccl == [("MOFCOM Announcement No. 51 of 2025", D("2025-09-25"),
                     "Huntington Ingalls Industries, Inc.")]
    assert all(m.score >= 90 and m.outcome is Outcome.PRESUMPTION_OF_DENIAL for m in hits)
    # the Unreliable Entity List has it since 2025-03-04, under its English name only
    uel = [m.date for m in hits if m.list_id == "CN-MOFCOM-UEL"]
    assert uel == ([] if any("\u4e00" <= c <= "\u9fff" for c in query) or "Gongye" in query
                   else [D("2025-03-04")])
    assert [m.list_id for m in screen(query, D("2025-09-24"))] == [m.list_id for m in hits
                                                                   if m.list_id == "CN-MOFCOM-UEL"]
    assert screen(query, D("2025-03-03")) == []                                 # not yet listed


def test_near_miss_is_a_review_and_country_mismatch_too() -> None:
    partial = screen("Huntington Ingalls", D("2026-01-15"))
    assert [(m.kind, m.list_id) for m in partial] == [(MatchKind.REVIEW, "CN-MOFCOM-ECCL"),
                                                     (MatchKind.REVIEW, "CN-MOFCOM-UEL")]
    assert all(75 <= m.score < 90 and m.outcome is Outcome.CANNOT_DETERMINE for m in partial)
    elsewhere = screen("Huntington Ingalls Industries", D("2026-01-15"), country="United Kingdom")
    assert [m.kind for m in elsewhere] == [MatchKind.REVIEW, MatchKind.REVIEW]
    assert "the listed entity is in USA, the party in GBR" in (elsewhere[0].note or "")
    assert screen("Acme Optics GmbH", D("2026-01-15")) == []


def test_suspended_then_unconfirmed_listing() -> None:
    during = screen("Skydio Inc.", D("2025-06-01"))
    assert [(m.kind, m.outcome, m.status) for m in during] == [
        (MatchKind.SUSPENDED, Outcome.NOT_CONTROLLED, "suspended")]
    after = screen("Skydio Inc.", D("2025-09-01"))
    assert [(m.kind, m.status, m.confidence) for m in after] == [
        (MatchKind.HIT, "in force (unconfirmed)", Confidence.LOW)]
    assert after[0].notice == "Unreliable Entity List Working Mechanism announcement [2025] No. 7"
    # No. 8's suspension has no reported end: still suspended a year later
    assert [m.kind for m in screen("Shield AI", D("2026-06-01"))] == [MatchKind.SUSPENDED]


def removable_list() -> PartyList:
    return parse_party_list({
        "id": "TEST-LIST", "title": "Test list", "authority": "test", "jurisdiction": "CHN",
        "outcome": "presumption-of-denial", "effect": "test",
        "notices": [{"number": "Test Notice No. 1", "date": "2024-01-10", "entities": [
            {"names_en": ["Aviation Industry Corporation of China, Ltd."],
             "names_zh": ["中国航空工业集团有限公司"],
             "aliases": ["AVIC"], "country": "CHN", "removed": "2024-06-01"}]}]}, "test")


def test_removed_entity_is_a_hit_only_before_removal() -> None:
    screener = Screener([removable_list()])
    for query in ("Aviation Industry Corporation of China", "中国航空工业集团", "Zhongguo Hangkong Gongye"):
        before = screener.screen(query, D("2024-05-31"))
        assert [(m.kind, m.notice, m.removed) for m in before] == [(MatchKind.HIT, "Test Notice No. 1",
                                                                    D("2024-06-01"))]
        assert screener.screen(query, D("2024-06-01")) == []
        assert screener.screen(query, D("2024-01-09")) == []


def test_fifty_percent_rule_with_a_hand_computed_aggregate() -> None:
    screener = bundled_screener()
    listed = [Owner(name="SMIC", share=0.30), Owner(name="DJI", share=0.25),
              Owner(name="Unlisted Example Fund", share=0.45)]
    # 0.30 + 0.25 = 0.55 >= 0.50 while the affiliates rule is in force (2025-09-29 to 2025-11-09)
    found = screener.owned("Example Joint Venture Co., Ltd.", listed, D("2025-10-01"))
    assert [(m.kind, m.list_id, m.outcome) for m in found] == [
        (MatchKind.HIT, "US-BIS-EL", Outcome.LICENCE_REQUIRED)]
    assert "owned 55% in aggregate" in (found[0].via or "")
    assert found[0].query == "Example Joint Venture Co., Ltd."
    # 0.30 alone is under the threshold; exactly 0.50 meets it
    assert screener.owned("JV", [Owner(name="SMIC", share=0.30), Owner(name="Unlisted", share=0.70)],
                          D("2025-10-01")) == []
    half = screener.owned("JV", [Owner(name="SMIC", share=0.25), Owner(name="DJI", share=0.25)],
                          D("2025-10-01"))
    assert [m.kind for m in half] == [MatchKind.HIT]
    # before the rule, during its suspension, and after the suspension (unconfirmed)
    assert screener.owned("JV", listed, D("2025-09-28")) == []
    assert [m.kind for m in screener.owned("JV", listed, D("2026-01-15"))] == [MatchKind.SUSPENDED]
    late = screener.owned("JV", listed, D("2026-11-20"))
    assert [(m.kind, m.status, m.confidence) for m in late] == [(MatchKind.HIT, "in force (unconfirmed)",
                                                                 Confidence.LOW)]
    # owners on a list the rule does not cover (MOFCOM's) do not count
    assert screener.owned("JV", [Owner(name="Lockheed Martin", share=0.9)], D("2025-10-01")) == []


def test_csl_csv_and_json_loader(kb: KnowledgeBase) -> None:
    lists = read_csl(FIXTURES / "csl-sample.csv", resolver(kb))
    assert sorted((lst.id, sum(len(n.entities) for n in lst.notices)) for lst in lists) == [
        ("US-BIS-EL", 2), ("US-BIS-MEU", 1)]
    screener = Screener(lists)
    hit = screener.screen("示例稀有金属贸易", D("2025-01-01"))
    assert [(m.list_id, m.notice, m.country, m.outcome) for m in hit] == [
        ("US-BIS-EL", "89 FR 99999", "CHN", Outcome.PRESUMPTION_OF_DENIAL)]   # licence policy read
    assert [m.kind for m in screener.screen("Example Removed Optics Ltd", D("2023-06-30"))] == [MatchKind.HIT]
    assert screener.screen("Example Removed Optics Ltd", D("2023-07-01")) == []   # end_date is the last day
    meu = screener.screen("Example Aero Engine Institute", D("2025-01-01"))
    assert [(m.list_id, m.outcome) for m in meu] == [("US-BIS-MEU", Outcome.LICENCE_REQUIRED)]
    from_json = Screener(read_csl(FIXTURES / "csl-sample.json", resolver(kb)))
    gallium = from_json.screen("Example Gallium Materials", D("2026-01-01"))
    assert [(m.list_id, m.notice, m.listed) for m in gallium] == [
        ("US-BIS-EL", "90 FR 12345", D("2025-03-25"))]
    assert from_json.screen("Example Gallium Materials", D("2025-03-24")) == []


@pytest.mark.parametrize(("text", "message"), [
    ("_id,source,name,start_date\n1,Entity List (EL) - Bureau of Industry and Security,Acme,2024-13-05\n",
     "line 2: field 'start_date': '2024-13-05' is not a date (YYYY-MM-DD)"),
    ("_id,source,name,start_date\n1,Entity List (EL) - Bureau of Industry and Security,,2024-01-05\n",
     "line 2: field 'name': empty (every entry needs a name)"),
    ("root:x:0:0:root:/root:/bin/bash\n", "not a Consolidated Screening List file"),
    ('{"results": [{"source": "Entity List (EL) - Bureau of Industry and Security", "name": "Acme", '
     '"end_date": "soon"}]}', "results[0]: field 'end_date': 'soon' is not a date (YYYY-MM-DD)"),
    ('{"results": [1]}', "results[0]: expected a mapping of field: value"),
])
def test_malformed_list_files_are_refused_whole(tmp_path: Path, kb: KnowledgeBase, text: str,
                                                message: str) -> None:
    path = tmp_path / ("list.json" if text.startswith("{") else "list.csv")
    path.write_text(text, "utf-8")
    with pytest.raises(InputError) as caught:
        read_csl(path, resolver(kb))
    assert caught.value.message.startswith(f"{path}: ") and message in caught.value.message
    assert "\n" not in caught.value.message


def test_a_csl_file_replaces_the_bundled_list_and_keeps_the_fifty_percent_rule(kb: KnowledgeBase) -> None:
    screener = load_screener([FIXTURES / "csl-sample.csv"], kb)
    assert {lst.id for lst in screener.lists} == {"CN-MOFCOM-UEL", "CN-MOFCOM-ECCL", "US-BIS-EL",
                                                  "US-BIS-MEU"}
    assert screener.screen("SMIC", D("2025-10-01")) == []                     # bundled EL entries replaced
    owned = screener.owned("JV", [Owner(name="Example Rare Metals", share=0.6)], D("2025-10-01"))
    assert [(m.kind, m.outcome) for m in owned] == [(MatchKind.HIT, Outcome.PRESUMPTION_OF_DENIAL)]


def test_blocking_index_scores_few_candidates() -> None:
    entities = [{"names_en": [f"Synthetic Entity {n:05d} Trading"], "country": "CHN"} for n in range(5000)]
    big = parse_party_list({"id": "BIG", "title": "big", "authority": "t", "jurisdiction": "CHN",
                            "outcome": "licence-required", "effect": "t",
                            "notices": [{"date": "2020-01-01", "entities": entities}]}, "big")
    screener = Screener([big])
    candidates = screener._candidates(compact(normalise("Synthetic Entity 04321 Trading")))
    assert len(candidates) <= 2 * Screener.MAX_CANDIDATES < 5000
    found = screener.screen("Synthetic Entity 04321 Trading Co.", D("2021-01-01"))
    assert found[0].entity == "Synthetic Entity 04321 Trading" and found[0].score == 100


# ---------------------------------------------------------------------------------------------
# screening inside the check


def gaas(kb: KnowledgeBase, rules: RuleSet, day: str, parties: list[Party | str]) -> Decision:
    shipment = make_shipment(kb, to="USA", on=D(day), end_user="civil", parties=parties)
    return engine.check(read_bom(EXAMPLES / "gaas-wafers-to-us.yaml", kb), shipment, rules, kb)


def test_listed_consignee_changes_the_decision_and_names_the_notice(kb: KnowledgeBase,
                                                                    rules: RuleSet) -> None:
    clean = gaas(kb, rules, "2026-01-15", ["consignee=Acme Optics GmbH"])
    assert clean.outcome is Outcome.LICENCE_REQUIRED
    listed = gaas(kb, rules, "2026-01-15", ["consignee=Huntington Ingalls Industries Inc"])
    assert listed.outcome is Outcome.PRESUMPTION_OF_DENIAL
    result = next(r for r in listed.results if r.measure == "CN-MOFCOM-ECCL")
    assert result.applies and result.outcome is Outcome.PRESUMPTION_OF_DENIAL
    assert any("consignee 'Huntington Ingalls Industries Inc' matches" in s
               and "MOFCOM Announcement No. 51 of 2025 of 2025-09-25" in s for s in result.trace)
    assert "worldports-2025-09-no51" in result.sources
    assert [(m.role, m.list_id) for m in listed.screening] == [("consignee", "CN-MOFCOM-ECCL"),
                                                                ("consignee", "CN-MOFCOM-UEL")]


def test_near_miss_party_is_cannot_determine_not_a_pass(kb: KnowledgeBase, rules: RuleSet) -> None:
    decision = gaas(kb, rules, "2026-01-15", [Party(name="Huntington Ingalls", role=PartyRole.END_USER)])
    assert decision.outcome is Outcome.CANNOT_DETERMINE
    result = next(r for r in decision.results if r.measure == "CN-MOFCOM-ECCL")
    assert any(s.startswith("review: possible match: end-user 'Huntington Ingalls'") for s in result.trace)
    assert result.missing == ["confirmation that end-user 'Huntington Ingalls' is not 'Huntington Ingalls "
                              "Industries, Inc.' (CN-MOFCOM-ECCL, MOFCOM Announcement No. 51 of 2025)"]


def test_parties_in_the_bom_file_are_screened(kb: KnowledgeBase, rules: RuleSet) -> None:
    bom = read_bom(EXAMPLES / "gaas-wafers-with-parties.yaml", kb)
    assert [p.country for p in bom.parties] == ["USA", "HKG", "USA"]
    shipment = make_shipment(kb, to="USA", on=D("2026-01-15"), end_user="civil")
    decision = engine.check(bom, shipment, rules, kb)
    assert decision.outcome is Outcome.PRESUMPTION_OF_DENIAL
    assert [(m.role, m.list_id, m.kind) for m in decision.screening] == [
        ("end-user", "CN-MOFCOM-ECCL", MatchKind.HIT)]
    screening = next(r for r in decision.results if r.measure == "CN-MOFCOM-ECCL")
    assert "Screened 3 parties" in screening.trace[0]


def test_no_match_says_what_was_screened(kb: KnowledgeBase, rules: RuleSet) -> None:
    decision = gaas(kb, rules, "2026-01-15", ["Acme Optics GmbH", "intermediary=Beispiel Logistik AG"])
    summary = next(r for r in decision.results if r.measure == "PARTY-SCREENING")
    assert not summary.applies and summary.outcome is Outcome.NOT_CONTROLLED
    assert summary.trace[0].startswith(
        "Screened 2 parties (party 'Acme Optics GmbH', intermediary 'Beispiel Logistik AG')")
    no_parties = gaas(kb, rules, "2026-01-15", [])
    assert all(r.measure != "PARTY-SCREENING" for r in no_parties.results)


def test_common_words_alone_do_not_make_a_match() -> None:
    listed = parse_party_list({
        "id": "TEST-WORDS", "title": "t", "authority": "t", "jurisdiction": "USA",
        "outcome": "licence-required", "effect": "t", "notices": [{"date": "2020-01-01", "entities": [
            {"names_en": ["Acme Optics Technology Co., Ltd."]},
            {"names_en": ["Nelsermit Precision Trading Inc."]}]}]},
        "test")
    screener = Screener([listed])
    assert screener.screen("Apex Optics Technology Ltd", D("2021-01-01")) == []   # 'optics technology' shared
    assert [m.kind for m in screener.screen("ACME OPTICS TECHNOLOGY", D("2021-01-01"))] == [MatchKind.HIT]
    typo = screener.screen("Nelsermit Precison Trading", D("2021-01-01"))       # typo in a common word
    assert [m.kind for m in typo] == [MatchKind.HIT]
