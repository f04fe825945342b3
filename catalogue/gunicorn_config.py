"""gunicorn settings for the catalogue, overridable from the environment (README: Deployment).

Workers share only the database, the media origin and translations/ (each reloads an edited catalogue on
its next request), so any number of workers on any number of machines behave as one process.
"""

import multiprocessing
import os

bind = os.environ.get("CATALOGUE_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("CATALOGUE_WORKERS", multiprocessing.cpu_count() * 2 + 1))
# Threads let a worker answer quick requests (a 304, a page) while another thread waits on the database.
worker_class = "gthread"
threads = int(os.environ.get("CATALOGUE_THREADS", 4))
timeout = 60
graceful_timeout = 30
keepalive = 5
# Recycle workers now and then, so a slow leak in any library never grows without bound.
max_requests = 2000
max_requests_jitter = 200
accesslog = os.environ.get("CATALOGUE_ACCESS_LOG", "-")
errorlog = "-"
# Behind a proxy on the same host, trust its X-Forwarded-* headers (set FORWARDED_ALLOW_IPS otherwise).
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
