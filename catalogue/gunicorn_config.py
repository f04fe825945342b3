"""gunicorn settings for the catalogue, overridable from the environment (README: Deployment).

Workers share only the database, the media origin and translations/ (each reloads an edited catalogue on
its next request), so any number of workers on any number of machines behave as one process.
"""

import multiprocessing
import os

bind = os.environ.get("CATALOGUE_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("CATALOGUE_WORKERS", multiprocessing.cpu_count() * 2 + 1))
worker_class = "gthread"
# One thread per worker by default: 4 threads rendering the home page crash a process with SIGSEGV, often within a
# minute (heap corruption; Debian's CPython 3.11.2 as well as 3.11.7, without SQLAlchemy's Cython or
# markupsafe's C speedups, even with no pooled connection shared between threads). Cause not found yet:
# scale with workers instead.
threads = int(os.environ.get("CATALOGUE_THREADS", 1))
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
