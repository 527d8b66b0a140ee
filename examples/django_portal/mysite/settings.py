"""Settings of the example portal: one database for Django's tables and the outbox.

The commune's configuration is `$PORTAL_CONFIG` (default `connectors.toml`, see
`../connectors.example.toml`); its `[commune] outbox` names the database, and Django uses
the same one (an SQLite file, or PostgreSQL from a ``postgresql://`` URL), so the portal's
write and the jobs it enqueues are one transaction.
"""

import os
import tomllib
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

PORTAL_CONFIG = Path(os.environ.get("PORTAL_CONFIG", "connectors.toml")).resolve()
SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "example-only-not-secret")
DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost", "testserver"]
ROOT_URLCONF = "mysite.urls"
INSTALLED_APPS = ["fees"]
USE_TZ = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"


def _database(outbox: str) -> dict[str, object]:
    """Django's DATABASES entry for the outbox's database."""
    if not outbox.startswith(("postgresql://", "postgres://")):
        path = Path(outbox)
        return {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": path if path.is_absolute() else PORTAL_CONFIG.parent / path,
        }
    url = urlsplit(outbox)
    query = {key: values[-1] for key, values in parse_qs(url.query).items()}
    return {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": url.path.lstrip("/"),
        "USER": url.username or "",
        "PASSWORD": url.password or "",
        "HOST": query.get("host", url.hostname or ""),
        "PORT": query.get("port", str(url.port or "")),
    }


with PORTAL_CONFIG.open("rb") as _file:
    DATABASES = {"default": _database(tomllib.load(_file)["commune"]["outbox"])}
