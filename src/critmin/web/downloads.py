"""CSV twins of the API's JSON lists: the same rows and columns, for spreadsheets.

Every table on the dashboard links its data as JSON and as CSV (`format=csv`); the CSV has one
column per JSON key in the same order, and nested values (source lists, bands) are written as
JSON text in their cell so nothing is lost.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Mapping
from typing import Any, Literal

from fastapi import Query
from fastapi.responses import Response
from pydantic import BaseModel

#: The `format` query parameter of list endpoints.
Format = Literal["json", "csv"]
FormatQuery = Query(default="json", description="json (default) or csv: the same rows and columns")


def _plain(value: Any) -> Any:
    if isinstance(value, BaseModel):
        return value.model_dump(mode="json")
    return value


def rows_of(items: Iterable[Any]) -> list[dict[str, Any]]:
    """JSON-ready dicts from models or mappings."""
    out = []
    for item in items:
        plain = _plain(item)
        out.append(dict(plain) if isinstance(plain, Mapping) else {"value": plain})
    return out


def csv_response(rows: list[dict[str, Any]], filename: str) -> Response:
    """The rows as CSV: columns in first-seen key order, nested values as JSON text."""
    columns: list[str] = []
    for row in rows:
        columns += [k for k in row if k not in columns]
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=columns, lineterminator="\n", extrasaction="ignore")
    writer.writeheader()
    for row in rows:
        writer.writerow({k: (json.dumps(v, ensure_ascii=False) if isinstance(v, list | dict) else v)
                         for k, v in row.items()})
    return Response(buffer.getvalue(), media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="{filename}"'})
