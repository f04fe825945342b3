"""gunicorn settings for the catalogue, overridable from the environment (README: Deployment).

Workers share only the database, the media origin and translations/ (each reloads an edited catalogue on
its next request), so any number of workers on any number of machines behave as one process.
"""

from __future__ import annotations

import gc
import multiprocessing
import os
import threading
import time
from collections.abc import Callable, Iterable
from typing import Any

from gunicorn.workers import gthread

bind = os.environ.get("CATALOGUE_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("CATALOGUE_WORKERS", multiprocessing.cpu_count() * 2 + 1))
# gunicorn's threaded worker, which leaves new connections to the other workers while it is busy (ThreadWorker below).
worker_class = "catalogue.gunicorn_config.ThreadWorker"
# 4 threads per worker. They used to crash workers with SIGSEGV: the garbage collector, run by whichever thread
# allocated, cleaned up ORM objects of other threads' live sessions (CollectionGate below, which now collects only
# between requests). Measured with benchmarks/load.py on SQLite, 2 workers, wrk -c64, 15-20 s a page, on a shared
# 2-core machine (load 6-10, so only large differences count): cache hits (the common case) equal within noise,
# 4 threads vs 1: home 1,624 vs 1,927 and 926 vs 751 req/s, watch 1,562 vs 1,333, api 1,363 vs 1,009, no errors;
# rendered pages (page cache off) at least as fast with far fewer requests over wrk's 2 s: home 40 vs 12 req/s
# (32 vs 246 timeouts), then 33 vs 30 (107 vs 294); api 77 vs 10 (56 vs 140), then 54 vs 34 (21 vs 235).
# Peak memory 104 vs 100 MB a worker.
threads = int(os.environ.get("CATALOGUE_THREADS", 4))
timeout = 60
graceful_timeout = 30
keepalive = 5
# Recycle workers now and then, so a slow leak in any library never grows without bound; rarely, because a
# recycled worker costs a second of start-up and drops its keep-alive connections (measured under wrk).
max_requests = 100_000
max_requests_jitter = 10_000
accesslog = os.environ.get("CATALOGUE_ACCESS_LOG", "-")
errorlog = "-"
# Behind a proxy on the same host, trust its X-Forwarded-* headers (set FORWARDED_ALLOW_IPS otherwise).
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")


class CollectionGate:
    """Python's cyclic garbage collector runs only when none of the worker's threads is inside the app.

    Why: with several threads, whichever thread's allocation triggers a collection runs SQLAlchemy's weakref
    callbacks (InstanceState._cleanup) for ORM objects that other threads' live sessions loaded (measured: 3 in 4
    callbacks ran in another thread, 1 in 30 on a state still attached to its session), while the owning thread
    detaches the same states at its teardown. On CPython 3.11 this corrupts the states' attribute dicts: workers died
    with SIGSEGV in dictresize() (a split-dict order index of -35) setting InstanceState._strong_obj, or in
    pymalloc. Not with the collector off, nor with one thread; SQLAlchemy's and markupsafe's C speedups are not
    needed for it (benchmarks/thread_crash.py reproduces it). So the automatic collector is off in a threaded
    worker and the last thread to leave the app collects, while new requests wait for it.

    A request enters only around the WSGI call: Flask has torn down its context (and the session) before gunicorn
    writes the body, so a slow download never holds a collection back. A request that waits longer than
    `max_wait_s` for a due collection goes in anyway (a slow upload holding the app must not stall the worker):
    the collection then runs at the next moment the app is idle.
    """

    def __init__(self, threshold: int = 20_000, max_wait_s: float = 0.5) -> None:
        self.threshold = threshold  # Tracked objects allocated (less those freed) since the last collection.
        self.max_wait_s = max_wait_s
        self.collections = 0
        self._changed = threading.Condition()
        self._inside = 0
        self._due = False

    def enter(self) -> None:
        with self._changed:
            self._changed.wait_for(lambda: not self._due, timeout=self.max_wait_s)
            self._inside += 1

    def leave(self) -> None:
        with self._changed:
            self._inside -= 1
            self._due = self._due or gc.get_count()[0] >= self.threshold
            if self._due and self._inside == 0:
                self.collections += 1
                # Generations as the automatic collector has them: the old ones less often.
                gc.collect(2 if self.collections % 100 == 0 else 1 if self.collections % 10 == 0 else 0)
                self._due = False
                self._changed.notify_all()

    def wrap(self, app: Callable[..., Iterable[bytes]]) -> Callable[..., Iterable[bytes]]:
        def gated(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
            self.enter()
            try:
                return app(environ, start_response)
            finally:
                self.leave()

        return gated


# How long a worker that holds its limit of requests leaves new connections to the others (ThreadWorker).
ACCEPT_DEFERRAL_S = 0.005


class ThreadWorker(gthread.ThreadWorker):  # type: ignore[misc]  # gunicorn has no type hints: a subclass of Any
    """gunicorn's threaded worker, which leaves new connections to the other workers for a moment while it has
    plenty of work already.

    Why: the workers share one listening socket, and whichever calls accept() first gets the connection, so a
    burst of keep-alive clients could land nearly all on one worker (wrk's 64 connections: 61 on one, 3 on the
    other); its queue then made the p99 while the other idled. Now a worker that holds `queue_limit` requests
    (running, or waiting for a thread) stops accepting until one of them finishes or ACCEPT_DEFERRAL_S has passed,
    whichever comes first: another worker takes new connections meanwhile, and none waits in the socket's queue
    for longer than that. The limit is four requests a thread: at one or two, the threads ran dry between two turns
    of the main loop (with a connection per request, 21 and 15 % fewer answers to /healthz than gunicorn's own
    worker; at four, 2 %).

    Measured (2 workers x 4 threads, wrk -c64, 10 s, rendered home page): keep-alive, the 64 connections split
    32/32 to 34/30, p99 60-63 ms; a connection per request, 1,764 req/s and p99 62 ms against gthread's 1,750 and
    88-92 ms; a worker killed mid-run, no error. (A socket per worker, gunicorn's reuse_port, spreads connections
    too, but it is bound before the worker warms up and closed with it: each recycle held connections for most of
    a second and reset some.)
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Both changed on the main thread only (enqueue_req and finish_request run there).
        self.busy = 0  # Requests handed to the threads and not finished.
        self.queue_limit = 4 * self.cfg.threads
        self.deferred_until = 0.0

    def set_accept_enabled(self, enabled: bool) -> None:
        # The main loop asks for accepting again on every turn; it waits while the deferral holds.
        if enabled and self.busy >= self.queue_limit and time.monotonic() < self.deferred_until:
            enabled = False
        super().set_accept_enabled(enabled)

    def enqueue_req(self, conn: Any) -> None:
        self.busy += 1
        super().enqueue_req(conn)
        if self.busy >= self.queue_limit and self._accepting:
            self.deferred_until = time.monotonic() + ACCEPT_DEFERRAL_S
            super().set_accept_enabled(False)

    def finish_request(self, conn: Any, fs: Any) -> None:
        self.busy -= 1
        super().finish_request(conn, fs)


def post_worker_init(worker: Any) -> None:
    """A threaded worker collects garbage only between requests (CollectionGate); one thread needs no gate."""
    if worker.cfg.threads > 1:
        gc.disable()
        gc.freeze()  # The app as loaded lives as long as the worker: no collection needs to walk it again.
        worker.collection_gate = CollectionGate()
        worker.wsgi = worker.collection_gate.wrap(worker.wsgi)
