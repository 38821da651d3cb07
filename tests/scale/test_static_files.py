"""Static files under production settings: collected with hashed names, compressed (gzip and
brotli), and served by whitenoise with far-future cache headers."""

import json
import os
import secrets
import subprocess
import sys
from pathlib import Path

from django.conf import settings

BASE_DIR = Path(settings.BASE_DIR)

FETCH = """
import json, sys
import django
django.setup()
from django.test import Client
client = Client()
results = {}
for path in sys.argv[1:]:
    for encoding in ("gzip", "br", "identity"):
        response = client.get(path, HTTP_ACCEPT_ENCODING=encoding)
        body = b"".join(response.streaming_content) if response.streaming else response.content
        results[f"{path} {encoding}"] = {
            "status": response.status_code,
            "encoding": response.get("Content-Encoding", ""),
            "cache": response.get("Cache-Control", ""),
            "bytes": len(body),
        }
print(json.dumps(results))
"""


def production(static_root: Path) -> dict:
    environment = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DEBUG", "SECRET_KEY", "ALLOWED_HOSTS", "DJANGO_ENV", "STATIC_ROOT"}
    }
    environment.update(
        DJANGO_SETTINGS_MODULE="portal.settings",
        DJANGO_ENV="production",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="testserver",
        SITE_URL="https://testserver",
        SECURE_SSL_REDIRECT="false",
        STATIC_ROOT=str(static_root),
    )
    return environment


def test_collected_static_files_are_compressed_and_served_with_far_future_headers(tmp_path):
    environment = production(tmp_path)
    collect = subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"],
        cwd=BASE_DIR,
        env=environment,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert collect.returncode == 0, collect.stderr
    hashed = json.loads((tmp_path / "staticfiles.json").read_text())["paths"]["css/portal.css"]
    assert hashed != "css/portal.css"
    assert (tmp_path / f"{hashed}.gz").exists()
    assert (tmp_path / f"{hashed}.br").exists()

    fetch = subprocess.run(  # noqa: S603
        [sys.executable, "-c", FETCH, f"/static/{hashed}", "/static/css/portal.css"],
        cwd=BASE_DIR,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert fetch.returncode == 0, fetch.stderr
    served = json.loads(fetch.stdout)
    plain = served[f"/static/{hashed} identity"]
    assert plain["status"] == 200
    for encoding in ("gzip", "br"):
        compressed = served[f"/static/{hashed} {encoding}"]
        assert compressed["status"] == 200
        assert compressed["encoding"] == encoding
        assert compressed["bytes"] < plain["bytes"] / 2
        assert "max-age=315360000" in compressed["cache"]
        assert "immutable" in compressed["cache"]
    # The unhashed name may change with the next deployment: it is cached briefly only.
    unhashed = served["/static/css/portal.css gzip"]
    assert unhashed["status"] == 200
    assert "immutable" not in unhashed["cache"]
