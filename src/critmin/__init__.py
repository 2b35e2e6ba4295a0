"""critmin: critical-minerals supply-chain intelligence with a source behind every figure."""

__version__ = "0.1.0"
