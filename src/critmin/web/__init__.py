"""critmin's web dashboard and HTTP API: a thin shell over the knowledge base, evidence store,
rule engine and simulator.

`critmin.web.app.create_app(settings)` builds the FastAPI application; `critmin serve` runs it.
Nothing here computes: each page and endpoint parses its input, calls one service function and
renders the result. The web dependencies are an extra (`pip install 'critmin[web]'`), so this
package imports none of them at import time.
"""
