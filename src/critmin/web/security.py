"""Who may write, and what browsers may load.

Reading is open to anyone who can reach the server (loopback by default). Writing (ingesting
documents) needs the bearer token from CRITMIN_TOKEN, compared in constant time so response
timing does not leak how much of a guess was right. With no token configured, writes are off.
Every response carries a content security policy that allows scripts from this server only, so
even a string that escaped escaping could not load or run code from elsewhere.
"""

from __future__ import annotations

import hmac
from typing import ClassVar

from fastapi import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from critmin.web.errors import WebError

CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data: blob:; connect-src 'self'; object-src 'none'; base-uri 'none'; "
    "frame-ancestors 'none'; form-action 'self'"
)


def require_token(request: Request) -> None:
    """FastAPI dependency for write endpoints: 403 when writes are off, 401 on a missing or wrong token."""
    expected: str | None = request.app.state.settings.token
    if not expected:
        raise WebError(403, "writes are disabled: start the server with CRITMIN_TOKEN set to enable "
                            "document uploads")
    header = request.headers.get("authorization", "")
    scheme, _, given = header.partition(" ")
    if scheme.lower() != "bearer" or not given.strip():
        raise WebError(401, "this endpoint needs the header 'Authorization: Bearer <CRITMIN_TOKEN>'")
    if not hmac.compare_digest(given.strip().encode(), expected.encode()):
        raise WebError(401, "wrong token")


class SecurityHeaders:
    """ASGI middleware adding the content security policy and related headers to every response."""

    HEADERS: ClassVar[list[tuple[bytes, bytes]]] = [
        (b"content-security-policy", CONTENT_SECURITY_POLICY.encode()),
        (b"x-content-type-options", b"nosniff"),
        (b"referrer-policy", b"no-referrer"),
        (b"x-frame-options", b"DENY"),
    ]

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", []), *self.HEADERS]
            await send(message)

        await self.app(scope, receive, with_headers)
