"""gunicorn settings for the platform: `gunicorn -c deploy/gunicorn.conf.py wsgi:app`."""
import multiprocessing
import os

bind = os.environ.get("LMS_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("LMS_WORKERS", multiprocessing.cpu_count() * 2))
threads = int(os.environ.get("LMS_THREADS", 4))
worker_class = "gthread"
timeout = 60
graceful_timeout = 30
max_requests = 2000          # recycle workers slowly, in case anything leaks
max_requests_jitter = 200
accesslog = "-"
forwarded_allow_ips = os.environ.get("LMS_FORWARDED_ALLOW_IPS", "127.0.0.1")
