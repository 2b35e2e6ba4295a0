"""`python -m critmin.cli`."""

from critmin.cli.main import run

run()
