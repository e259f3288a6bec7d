"""The one way the package gets a Dask client (coverage runs, stratified MSE).

Dask is imported only when a client is asked for: ``import estimators`` stays light.
"""

from __future__ import annotations

from typing import Any


class _Cluster:
    """Context manager giving a Dask client: the caller's, one at an address, or a local cluster."""

    def __init__(self, client: Any, n_workers: int | None) -> None:
        self.given, self.n_workers = client, n_workers
        self.cluster = self.client = None

    def __enter__(self):
        from dask.distributed import Client, LocalCluster

        if self.given is None:
            import logging
            import os

            self.cluster = LocalCluster(
                n_workers=self.n_workers or os.cpu_count() or 1,
                threads_per_worker=1,  # our estimators are single-threaded numerics
                processes=True,
                dashboard_address=None,
                silence_logs=logging.ERROR,
            )
            self.client = Client(self.cluster)
            return self.client
        if isinstance(self.given, str):
            self.client = Client(self.given)
            return self.client
        return self.given

    def __exit__(self, *exc: Any) -> None:
        if self.client is not None:
            self.client.close()
        if self.cluster is not None:
            self.cluster.close()
