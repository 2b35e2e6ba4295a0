"""Concentration and criticality: HHI, top shares, EU supply risk, import dependence."""

from critmin.risk.concentration import Concentration, chokepoints, concentration, hhi, top_share
from critmin.risk.criticality import SupplyRisk, governance_weighted_hhi, supply_risk, supply_risks
from critmin.risk.exposure import ImportDependence, import_dependence

__all__ = [
    "Concentration",
    "ImportDependence",
    "SupplyRisk",
    "chokepoints",
    "concentration",
    "governance_weighted_hhi",
    "hhi",
    "import_dependence",
    "supply_risk",
    "supply_risks",
    "top_share",
]
