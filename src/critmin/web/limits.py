"""Request body size limits, enforced before any endpoint sees the body.

A declared Content-Length over the limit is refused at once, unread. Otherwise the body is read
here, counting as it streams (a chunked upload has no Content-Length), and refused as soon as it
passes the limit; a body within the limit is handed on unchanged. Memory held per request is
therefore bounded by the limit of its path: document uploads get the larger one.
"""

from __future__ import annotations

import json
from collections.abc import Callable

from starlette.types import ASGIApp, Message, Receive, Scope, Send

DOCUMENTS_PATH = "/api/v1/documents"


def size_text(size: int) -> str:
    """2 MiB rather than 2097152 bytes, in messages."""
    mib = 1024 * 1024
    return f"{size // mib} MiB" if size % mib == 0 else f"{size:,} bytes"


class BodyLimit:
    """ASGI middleware: 413 with a JSON error for bodies over the limit of their path."""

    def __init__(self, app: ASGIApp, limit_for: Callable[[str], int]) -> None:
        self.app = app
        self.limit_for = limit_for

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] in ("GET", "HEAD", "OPTIONS"):
            await self.app(scope, receive, send)
            return
        limit = self.limit_for(scope["path"])
        too_large = f"request body is larger than the {size_text(limit)} limit"
        declared = dict(scope["headers"]).get(b"content-length")
        if declared is not None:
            if not declared.isdigit():
                await refuse(send, 400, "Content-Length is not a number")
                return
            if int(declared) > limit:
                await refuse(send, 413, too_large)
                return
        chunks: list[bytes] = []
        seen = 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            body = message.get("body", b"")
            seen += len(body)
            if seen > limit:
                await refuse(send, 413, too_large)
                return
            chunks.append(body)
            if not message.get("more_body", False):
                break
        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": b"".join(chunks), "more_body": False}
            return await receive()

        await self.app(scope, replay, send)


async def refuse(send: Send, status: int, message: str) -> None:
    """A complete JSON error response, sent without involving the application."""
    body = json.dumps({"error": message}).encode()
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"application/json"),
                            (b"content-length", str(len(body)).encode()),
                            (b"connection", b"close")]})
    await send({"type": "http.response.body", "body": body})
