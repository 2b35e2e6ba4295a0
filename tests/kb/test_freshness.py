"""Dataset ages: counts, newest source and latest period come from the records themselves."""

from __future__ import annotations

import json

import pytest

from critmin.cli import main
from critmin.kb import as_of_line, dataset_age, dataset_ages, load_kb, newest_source_date


def test_every_dataset_is_listed_with_its_count() -> None:
    kb = load_kb()
    ages = {a.dataset: a for a in dataset_ages(kb)}
    assert ages["shares"].rows == len(kb.share_rows)
    assert ages["prices"].rows == len(kb.price_points)
    assert ages["sources"].rows == len(kb.sources)
    assert ages["import_reliance"].rows == len(kb.reliance)


def test_as_of_is_the_newest_cited_source() -> None:
    kb = load_kb()
    cited = {s for r in kb.share_rows for s in r.sources}
    expected = max(kb.sources[s].date for s in cited)
    assert dataset_age(kb, "shares").as_of == expected
    assert dataset_age(kb, "shares").latest_period == str(max(r.year for r in kb.share_rows))
    assert dataset_age(kb, "prices").latest_period == max(p.date for p in kb.price_points)


def test_newest_source_date_ignores_unknown_ids() -> None:
    kb = load_kb()
    some = next(iter(kb.sources.values()))
    assert newest_source_date(kb, [some.id, "no-such-source"]) == some.date
    assert newest_source_date(kb, []) is None


def test_as_of_line_names_shown_and_dataset_dates() -> None:
    kb = load_kb()
    source = next(s for s in kb.sources.values() if s.id.startswith("usgs-mcs2022"))
    line = as_of_line(kb, "shares", [source.id])
    assert line.startswith(f"As of {source.date} (newest source shown)")
    assert f"shares dataset as of {dataset_age(kb, 'shares').as_of}" in line
    assert as_of_line(kb, "facilities").startswith("Facilities dataset as of ")


def test_data_info_cli(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["data", "info", "--json"]) == 0
    rows = {r["dataset"]: r for r in json.loads(capsys.readouterr().out)}
    assert rows["shares"]["rows"] == len(load_kb().share_rows)
    assert main(["data", "info"]) == 0
    assert "as of (newest source)" in capsys.readouterr().out


def test_shares_show_their_age(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["shares", "Ga", "--stage", "refining", "--json"]) == 0
    payload = json.loads(capsys.readouterr().out)
    kb = load_kb()
    assert payload["as_of"] == newest_source_date(kb, payload["sources"])
    assert payload["dataset"]["dataset"] == "shares"
    assert main(["shares", "Ga", "--stage", "refining"]) == 0
    assert "(newest source shown)" in capsys.readouterr().out
