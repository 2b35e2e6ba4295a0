"""`critmin mcp`: serve critmin's tools to assistants over the Model Context Protocol (stdio)."""

from __future__ import annotations

from critmin.cli.app import app


@app.command("mcp")
def mcp_command() -> None:
    """Serve critmin's tools (shares, chokepoints, criticality, facilities, check, screen,
    simulate, search, facts, digest) to an assistant over MCP on stdin/stdout."""
    from critmin.assistant import run_stdio

    run_stdio()
