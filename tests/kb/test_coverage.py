"""Every EU critical raw material has a material entry, found by its English and Chinese names."""

from __future__ import annotations

import re

import pytest

from critmin.kb import KnowledgeBase

# The 34 critical raw materials of Regulation (EU) 2024/1252 (Critical Raw Materials Act), Annex II
# Section 1, items (a) antimony to (ah) vanadium: the list of the EU's 2023 CRM assessment, with
# copper and nickel (battery grade) included as strategic raw materials. Source id in the KB:
# eu-reg-2024-1252-annex-ii (sources/coverage.yaml).
# Each row: the name as the Annex gives it, the material id it resolves to, a Chinese name.
EU_CRM_2023: list[tuple[str, str, str]] = [
    ("antimony", "Sb", "锑"),
    ("arsenic", "As", "砷"),
    ("bauxite/alumina/aluminium", "Al", "铝土矿"),
    ("baryte", "baryte", "重晶石"),
    ("beryllium", "Be", "铍"),
    ("bismuth", "Bi", "铋"),
    ("boron", "B", "硼"),
    ("cobalt", "Co", "钴"),
    ("coking coal", "coking-coal", "炼焦煤"),
    ("copper", "Cu", "铜"),
    ("feldspar", "feldspar", "长石"),
    ("fluorspar", "fluorspar", "萤石"),
    ("gallium", "Ga", "镓"),
    ("germanium", "Ge", "锗"),
    ("hafnium", "Hf", "铪"),
    ("helium", "He", "氦"),
    ("heavy rare earth elements", "HREE", "重稀土"),
    ("light rare earth elements", "LREE", "轻稀土"),
    ("lithium", "Li", "锂"),
    ("magnesium", "Mg", "镁"),
    ("manganese", "Mn", "锰"),
    ("graphite", "graphite", "石墨"),
    ("nickel — battery grade", "Ni", "电池级镍"),
    ("niobium", "Nb", "铌"),
    ("phosphate rock", "phosphate-rock", "磷矿石"),
    ("phosphorus", "P", "磷"),
    ("platinum group metals", "PGM", "铂族金属"),
    ("scandium", "Sc", "钪"),
    ("silicon metal", "Si", "金属硅"),
    ("strontium", "Sr", "锶"),
    ("tantalum", "Ta", "钽"),
    ("titanium metal", "Ti", "金属钛"),
    ("tungsten", "W", "钨"),
    ("vanadium", "V", "钒"),
]

# The names the EU's 2023 CRM study and common usage give where the Annex is terser.
OTHER_NAMES: list[tuple[str, str]] = [
    ("boron/borate", "B"), ("borates", "B"), ("natural graphite", "graphite"), ("bauxite", "Al"),
    ("alumina", "Al"), ("aluminum", "Al"), ("barite", "baryte"), ("PGMs", "PGM"),
    ("HREE", "HREE"), ("LREE", "LREE"), ("nickel", "Ni"), ("battery-grade nickel", "Ni"),
    ("镍", "Ni"), ("铝", "Al"), ("metallurgical coal", "coking-coal"),
    ("焦煤", "coking-coal"), ("fluorite", "fluorspar"), ("celestine", "Sr"),
    ("phosphorous", "P"), ("copper cathode", "Cu"), ("阴极铜", "Cu"), ("铜精矿", "Cu"),
]

HS_CODE = re.compile(r"\d{4}(\d{2})?")


def test_the_list_has_34_distinct_materials() -> None:
    assert len(EU_CRM_2023) == 34
    assert len({material for _, material, _ in EU_CRM_2023}) == 34


@pytest.mark.parametrize(("name", "material", "chinese"), EU_CRM_2023)
def test_each_critical_raw_material_resolves(
        kb: KnowledgeBase, name: str, material: str, chinese: str) -> None:
    assert kb.material(name).id == material
    assert kb.material(name.upper()).id == material
    assert kb.material(chinese).id == material
    entry = kb.materials[material]
    assert kb.material(entry.names.en).id == material
    assert kb.material(entry.names.zh).id == material


@pytest.mark.parametrize(("name", "material"), OTHER_NAMES)
def test_other_names_resolve(kb: KnowledgeBase, name: str, material: str) -> None:
    assert kb.material(name).id == material


def test_copper_and_nickel_have_their_chinese_names(kb: KnowledgeBase) -> None:
    assert kb.material("copper").names.zh == "铜"
    assert kb.material("nickel").names.zh == "镍"


def test_hs_codes_are_headings_or_subheadings(kb: KnowledgeBase) -> None:
    bad = {m.id: code for m in kb.materials.values() for code in m.hs_codes
           if not isinstance(code, str) or not HS_CODE.fullmatch(code)}
    assert bad == {}


def test_every_critical_raw_material_with_its_own_trade_has_hs_codes(kb: KnowledgeBase) -> None:
    # HREE and LREE are traded as the rare-earth headings that REE carries (2805 30, 2846).
    missing = [material for _, material, _ in EU_CRM_2023
               if material not in {"HREE", "LREE"} and not kb.materials[material].hs_codes]
    assert missing == []


def test_hs_codes_sit_in_the_chapters_of_minerals_chemicals_and_metals(kb: KnowledgeBase) -> None:
    # 25-28 ores, minerals, fuels and chemicals; 71 precious metals; 72 ferro-alloys; 74-81 base
    # metals; 85 magnets. Catches a code typed with a digit dropped or swapped.
    chapters = {"25", "26", "27", "28", "71", "72", "74", "75", "76", "80", "81", "85"}
    stray = {m.id: code for m in kb.materials.values() for code in m.hs_codes
             if code[:2] not in chapters}
    assert stray == {}
