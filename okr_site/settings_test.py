"""Test settings: the real PostgreSQL and Redis of this machine, never SQLite.

If either service is down the suite fails on its first connection; nothing is skipped.
"""

import os

os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/aligned")
os.environ.setdefault("REDIS_URL", "redis://127.0.0.1:6379/15")
os.environ.setdefault("SECRET_KEY", "test-secret-key-not-for-production")
os.environ.setdefault("SECURE_SSL_REDIRECT", "0")

# `make test` runs the suite in two pytest-xdist processes. Each has its own PostgreSQL test
# database (pytest-django adds the worker's name) and needs its own Redis database too: tests
# clear the cache and flush the broker, which would pull the rug from under the other process.
_worker = os.environ.get("PYTEST_XDIST_WORKER", "")
_base, _, _db = os.environ["REDIS_URL"].rpartition("/")
if _worker.startswith("gw") and _db.isdigit():
    os.environ["REDIS_URL"] = f"{_base}/{int(_db) - int(_worker[2:])}"

from .settings import *  # noqa: E402,F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
# Tests drive Celery tasks directly unless a test starts real worker processes.
CELERY_TASK_ALWAYS_EAGER = True
STORAGES["staticfiles"]["BACKEND"] = "django.contrib.staticfiles.storage.StaticFilesStorage"  # noqa: F405
