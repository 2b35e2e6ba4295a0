"""Every failure a request can cause becomes a 4xx with `{"error": "..."}`, never a 500.

critmin's own errors already carry a one-line message for people; this module only picks the
status code. Pages (anything outside /api/) get the same message in an HTML error page, escaped
like every other user string.
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, Response
from pydantic import BaseModel
from starlette.exceptions import HTTPException

from critmin.errors import CritminError, NotFoundError

log = logging.getLogger("critmin.web")


class ErrorBody(BaseModel):
    """Every error the API answers: one line for people, naming the field or file at fault."""

    error: str


#: What each error status means, as the OpenAPI document says it.
ERROR_STATUSES: dict[int, str] = {
    400: "Bad input: data that fails validation (the file and field are named), a name the "
         "request cannot use, or a malformed request body",
    401: "Missing or wrong bearer token",
    403: "Writes are disabled (no CRITMIN_TOKEN on the server)",
    404: "A name that does not resolve (with suggestions), an unknown run, or no evidence database",
    413: "Request body over the size limit",
    422: "A parameter or body field of the wrong type, out of range, or unknown",
}


def error_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """The `responses=` of a route that can answer these error statuses, each with `ErrorBody`.

    422 is listed explicitly so that FastAPI does not add its own validation-error schema, which
    is not what this API sends.
    """
    return {status: {"model": ErrorBody, "description": ERROR_STATUSES[status]} for status in statuses}


class WebError(CritminError):
    """A request critmin cannot serve, with the HTTP status that says why."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


def status_for(exc: CritminError) -> int:
    """404 for names that do not resolve, 400 for everything else the user sent."""
    if isinstance(exc, WebError):
        return exc.status
    if isinstance(exc, NotFoundError):
        return 404
    return 400  # UsageError, DataError and the rest: the request carried something wrong


def validation_message(exc: RequestValidationError) -> str:
    """The first problem of a malformed request, as `where: what`, and how many more there are."""
    errors = exc.errors()
    if not errors:
        return "invalid request"
    first = errors[0]
    where = ".".join(str(part) for part in first.get("loc", ()) if part not in ("body", "query", "path"))
    message = str(first.get("msg", "invalid value")).removeprefix("Value error, ")
    more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
    return f"{where}: {message}{more}" if where else f"{message}{more}"


def wants_json(request: Request) -> bool:
    return request.url.path.startswith("/api/")


def error_response(request: Request, status: int, message: str) -> Response:
    """JSON for the API, an escaped HTML page (or fragment, for htmx) for the dashboard."""
    if wants_json(request):
        return JSONResponse({"error": message}, status_code=status)
    templates = request.app.state.templates
    fragment = request.headers.get("hx-request") == "true"
    html = templates.get_template("error.html").render(
        request=request, status=status, message=message, fragment=fragment)
    return HTMLResponse(html, status_code=status)


def install(app: FastAPI) -> None:
    """Register the handlers that turn every exception into a 4xx (or, for a bug, a JSON 500)."""

    @app.exception_handler(CritminError)
    async def _critmin(request: Request, exc: CritminError) -> Response:
        return error_response(request, status_for(exc), exc.message)

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError) -> Response:
        return error_response(request, 422, validation_message(exc))

    @app.exception_handler(HTTPException)
    async def _http(request: Request, exc: HTTPException) -> Response:
        response = error_response(request, exc.status_code, str(exc.detail))
        for key, value in (exc.headers or {}).items():
            response.headers[key] = value
        return response

    @app.exception_handler(Exception)
    async def _bug(request: Request, exc: Exception) -> Response:
        # A bug, not bad input: log it for the operator, tell the user nothing internal.
        log.exception("unhandled error on %s", request.url.path)
        return error_response(request, 500, "internal error; the server log has the details")
