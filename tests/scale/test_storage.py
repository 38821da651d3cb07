"""Stored files go through Django's storage API only, so an app server keeps no state on its disk.

A production setting puts them on S3-compatible object storage; the tests check that the setting
selects django-storages' S3 back-end (without contacting any server), and that signing,
verification and downloads work on a storage that has no local files at all (Django's in-memory
storage): any code that reached for a path on disk would fail there.
"""

import ast
import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth.models import Group
from django.core.files.storage import storages
from django.core.management import call_command
from django.urls import reverse

from accounts.roles import PRACTITIONERS
from consent.verification import verify_all
from tests.conftest import login_verified

BASE_DIR = Path(settings.BASE_DIR)
APP_PACKAGES = ("accounts", "consent", "education", "portal")

SHOW_STORAGE = """
import django
django.setup()
from django.core.files.storage import storages
storage = storages["default"]
print(type(storage).__module__ + "." + type(storage).__name__)
print(storage.bucket_name, storage.endpoint_url, storage.location, storage.file_overwrite)
print(storage.default_acl, storage.querystring_auth)
"""


def run_python(code: str, **env):
    environment = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("AWS_", "STORAGE_", "DJANGO_ENV", "SECRET_KEY", "ALLOWED_HOSTS"))
    }
    environment.update(
        DJANGO_SETTINGS_MODULE="portal.settings",
        DJANGO_ENV="production",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="consent.clinic.example",
        SITE_URL="https://consent.clinic.example",
        **env,
    )
    return subprocess.run(  # noqa: S603
        [sys.executable, "-c", code],
        cwd=BASE_DIR,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_storage_backend_s3_selects_django_storages_s3_without_contacting_it():
    result = run_python(
        SHOW_STORAGE,
        STORAGE_BACKEND="s3",
        AWS_STORAGE_BUCKET_NAME="clinic-consent-records",
        AWS_S3_ENDPOINT_URL="https://objects.clinic.example",
        AWS_LOCATION="portal",
    )
    assert result.returncode == 0, result.stderr
    backend, options, access = result.stdout.splitlines()
    assert backend == "storages.backends.s3.S3Storage"
    assert options == "clinic-consent-records https://objects.clinic.example portal False"
    assert access == "None True"  # private objects, signed expiring links


def test_storage_backend_s3_without_a_bucket_refuses_to_start():
    result = run_python(SHOW_STORAGE, STORAGE_BACKEND="s3")
    assert result.returncode != 0
    assert "STORAGE_BACKEND=s3 needs AWS_STORAGE_BUCKET_NAME" in result.stderr


def test_the_default_is_the_local_disk():
    result = run_python(SHOW_STORAGE.split("print(storage.bucket_name")[0])
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "django.core.files.storage.filesystem.FileSystemStorage"


@pytest.fixture
def in_memory_storage(settings):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    }


@pytest.mark.django_db
def test_signing_verifying_and_downloads_need_no_local_disk(
    in_memory_storage, signed_record, client, clinic
):
    record, _token = signed_record
    assert type(storages["default"]).__name__ == "InMemoryStorage"
    assert record.stored_pdf.file.storage.exists(record.stored_pdf.file.name)
    assert list(verify_all()) == []
    call_command("verify_consent_records")

    practitioner = clinic["practitioner"].user
    practitioner.groups.add(Group.objects.get(name=PRACTITIONERS))
    login_verified(client, practitioner)
    response = client.post(reverse("practice:record_pdf", kwargs={"code": record.code}))
    assert response.status_code == 200
    assert response.content.startswith(b"%PDF")
    response = client.post(reverse("practice:record_fhir", kwargs={"code": record.code}))
    assert response.status_code == 200


def _calls(path: Path):
    tree = ast.parse(path.read_text(), filename=str(path))
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            yield node


def test_application_code_reaches_stored_files_only_through_the_storage_api():
    """No `.path(...)` on a storage or file, no MEDIA_ROOT outside the settings, no open() of
    anything but our own static files (the PDF's stylesheet)."""
    found = []
    for package in APP_PACKAGES:
        for path in (BASE_DIR / package).rglob("*.py"):
            if "migrations" in path.parts or path.name == "settings.py":
                continue
            text = path.read_text()
            if "MEDIA_ROOT" in text:
                found.append(f"{path.relative_to(BASE_DIR)}: MEDIA_ROOT")
            for call in _calls(path):
                function = call.func
                if isinstance(function, ast.Attribute) and function.attr == "path":
                    found.append(f"{path.relative_to(BASE_DIR)}:{call.lineno}: .path()")
                if isinstance(function, ast.Name) and function.id == "open":
                    found.append(f"{path.relative_to(BASE_DIR)}:{call.lineno}: open()")
    assert found == []
