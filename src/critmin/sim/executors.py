"""Where batches run: in this process, in a local process pool, or on a Dask cluster.

Runs are cut into batches of a fixed size and batch i always gets the i-th child of
SeedSequence(seed), so every executor computes the same numbers for the same seed; results are
concatenated in batch order. Dask is an optional extra (`pip install critmin[dask]`).
"""

from __future__ import annotations

from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass

import numpy as np

from critmin.errors import CritminError, UsageError
from critmin.sim.engine import BatchOutput, Compiled, run_batch

DEFAULT_BATCH = 500
"""Runs per batch: small enough that a batch's arrays stay in cache, large enough to amortise Python."""


@dataclass(frozen=True)
class Plan:
    """How many runs, in which batches, from which seed."""

    runs: int
    seed: int
    batch_size: int = DEFAULT_BATCH

    def batches(self) -> list[tuple[int, np.random.SeedSequence]]:
        """(runs in batch, seed) for each batch, in order."""
        if self.runs < 1:
            raise UsageError("--runs must be at least 1")
        count = -(-self.runs // self.batch_size)
        seeds = np.random.SeedSequence(self.seed).spawn(count)
        sizes = [self.batch_size] * (count - 1) + [self.runs - self.batch_size * (count - 1)]
        return list(zip(sizes, seeds, strict=True))


def _run(args: tuple[Compiled, int, np.random.SeedSequence]) -> BatchOutput:
    compiled, runs, seed = args
    return run_batch(compiled, runs, seed)


def run_local(compiled: Compiled, plan: Plan, workers: int = 1) -> list[BatchOutput]:
    """Batches in this process (workers=1) or in a pool of worker processes."""
    batches = plan.batches()
    if workers <= 1 or len(batches) == 1:
        return [run_batch(compiled, runs, seed) for runs, seed in batches]
    with ProcessPoolExecutor(max_workers=workers) as pool:
        return list(pool.map(_run, [(compiled, runs, seed) for runs, seed in batches]))


def run_dask(compiled: Compiled, plan: Plan, address: str | None = None,
             workers: int = 2) -> list[BatchOutput]:
    """Batches on a Dask cluster: the scheduler at `address`, or a LocalCluster when None."""
    try:
        from dask.distributed import Client, LocalCluster
    except ImportError:
        raise CritminError("the dask executor needs the dask extra: pip install 'critmin[dask]'") from None
    cluster = None
    try:
        if address is None:
            cluster = LocalCluster(  # type: ignore[no-untyped-call]
                n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None)
            client = Client(cluster)  # type: ignore[no-untyped-call]
        else:
            client = Client(address)  # type: ignore[no-untyped-call]
    except (OSError, TimeoutError) as exc:
        raise CritminError(f"cannot reach the Dask scheduler at {address}: {exc}") from None
    except (ValueError, TypeError) as exc:  # dask's address parser: 'missing port number'...
        raise UsageError(f"--address {address!r}: {exc} (expected e.g. tcp://host:8786)") from None
    try:
        shared = client.scatter(compiled, broadcast=True)  # type: ignore[no-untyped-call]
        futures = [client.submit(run_batch, shared, runs, seed, pure=False) for runs, seed in plan.batches()]
        return list(client.gather(futures))  # type: ignore[no-untyped-call]
    finally:
        client.close()  # type: ignore[no-untyped-call]
        if cluster is not None:
            cluster.close()
