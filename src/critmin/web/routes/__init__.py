"""HTTP only: one module per page and its API group, each with a `pages` and an `api` router.

Routes parse input (pydantic models, FastAPI parameters), call one service function from
`critmin.web` and render a template or return a model. Nothing here computes.
"""
