"""The licence check from the web: a BOM (uploaded or posted as JSON) and a shipment.

The BOM goes through the rule engine's own edge (`parse_bom`: validated, names resolved) and the
shipment through `make_shipment`, so the web accepts exactly what `critmin check` accepts.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator

from critmin.inputs import InputError, check_depth
from critmin.kb import KnowledgeBase
from critmin.web.errors import WebError
from critmin.web.uploads import load_structured, text_of


class ShipmentIn(BaseModel):
    """Where, when and to whom the product goes."""

    model_config = ConfigDict(extra="forbid", frozen=True, use_attribute_docstrings=True,
                              populate_by_name=True, allow_inf_nan=False)

    to: str = Field(min_length=1, max_length=100)
    """Destination country (code or name)."""
    on: dt.date | None = None
    """Shipment date (default: today)."""
    end_use: str = Field(default="", max_length=500)
    """End use in words."""
    end_user: str = Field(default="unknown", pattern="^(civil|military|unknown)$")
    """civil, military or unknown."""
    ship_from: str | None = Field(default=None, alias="from", max_length=100)
    """Country the shipment leaves (default: where the product is made)."""


class CheckRequest(BaseModel):
    """A BOM (the same mapping as a BOM file; schema in docs/rules.md) and a shipment."""

    model_config = ConfigDict(extra="forbid", frozen=True, use_attribute_docstrings=True,
                              allow_inf_nan=False)

    bom: dict[str, Any]
    """The bill of materials: product, currency, lines..."""
    shipment: ShipmentIn
    """The shipment it travels in."""

    @field_validator("bom")
    @classmethod
    def _plain_data(cls, value: dict[str, Any]) -> dict[str, Any]:
        """The same limits as a BOM file: bounded nesting, finite numbers (JSON bodies may carry
        Infinity and NaN, which Python's parser accepts)."""
        try:
            check_depth(value, "bom")
        except InputError as exc:
            raise ValueError(exc.reason) from None
        return value


def bom_from_upload(data: bytes, name: str) -> dict[str, Any]:
    """An uploaded BOM file (YAML or JSON) as plain data."""
    parsed = load_structured(text_of(data, name), name)
    if not isinstance(parsed, dict):
        raise WebError(400, f"{name}: expected a mapping with product, currency and lines")
    return parsed


def run_check(kb: KnowledgeBase, bom: dict[str, Any], shipment: ShipmentIn,
              name: str = "BOM") -> dict[str, Any]:
    """The decision as JSON (the same keys as `critmin check --json`), with citations."""
    from critmin.rules import check, make_shipment, parse_bom

    parsed = parse_bom(bom, kb, name)
    resolved = make_shipment(kb, to=shipment.to, on=shipment.on or dt.date.today(),
                             end_use=shipment.end_use, end_user=shipment.end_user,
                             ship_from=shipment.ship_from)
    decision = check(parsed, resolved, kb=kb)
    payload: dict[str, Any] = decision.model_dump(mode="json", by_alias=True)
    payload["sources"] = {sid: kb.sources[sid].citation()
                          for sid in dict.fromkeys(s for r in decision.results for s in r.sources)
                          if sid in kb.sources}
    return payload
