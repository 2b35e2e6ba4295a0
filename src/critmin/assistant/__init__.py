"""critmin for assistants: a Model Context Protocol (MCP) server over stdio.

Public entry points: `build_server()` (the server with every tool registered, for in-process
clients and tests) and `run_stdio()` (what `critmin mcp` runs). The tools mirror the API and
the CLI's `--json` documents: shares, chokepoints, criticality, facilities, check, screen,
simulate, search, facts and digest, each answering with its sources.
"""

from critmin.assistant.server import TOOL_NAMES, build_server, run_stdio

__all__ = ["TOOL_NAMES", "build_server", "run_stdio"]
