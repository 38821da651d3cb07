"""Concurrent writers never get a server error: 16 clients for 20 seconds against a live server.

Each client is a thread with its own cookies, speaking HTTP over the loopback to Django's live
test server (which answers each request in a thread of its own): staff sign-in attempts with
wrong passwords for many usernames (django-axes writes each one, and locks username and address
pairs), dates of birth on invitation links (wrong, wrong, right: each a write, and the right one
a new session), and patients saving wizard steps (the draft and the session, every time).

On SQLite the test database must be a file that every server thread opens for itself, as
`make run` does: the in-memory test database is one connection that pytest-django's live server
shares between its threads, which would hide locking altogether. So the migrated test database,
with this test's clinic in it, is copied into a file for the test (SQLite's backup API) and the
connection is pointed at it; the live server is started afterwards, so it opens the file.
"""

import datetime
import http.cookiejar
import re
import sqlite3
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import Counter
from contextlib import contextmanager

import pytest
from django.db import connection, connections
from pytest_django.live_server_helper import LiveServer

from consent.models import ConsentDraft
from tests.consent.conftest import DATE_OF_BIRTH

# Transactional, as a live server needs; the migrated rows (the roles' groups) are restored first.
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

CLIENTS = {"sign_in": 6, "date_of_birth": 5, "wizard": 5}  # 16 in all
SECONDS = 20
REQUEST_TIMEOUT = 60
CSRF_INPUT = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
WRONG_DATE = datetime.date(1990, 1, 1)


@contextmanager
def sqlite_test_database_in_a_file(path):
    """Copy the in-memory test database into `path` and use it until the block ends."""
    if connection.vendor != "sqlite" or not connection.is_in_memory_db():
        yield
        return
    connection.ensure_connection()
    in_memory = connection.connection
    name = connection.settings_dict["NAME"]
    with sqlite3.connect(path) as copy:
        in_memory.backup(copy)
    copy.close()
    # Django never closes an in-memory connection (closing would drop the database), so it is
    # set aside, not closed, while the file is in use; the next query opens the file, through
    # the settings' OPTIONS, as every live-server thread will.
    connection.connection = None
    connections.settings["default"]["NAME"] = connection.settings_dict["NAME"] = str(path)
    try:
        yield
    finally:
        connection.close()
        connections.settings["default"]["NAME"] = connection.settings_dict["NAME"] = name
        connection.connection = in_memory


class Browser:
    """One client: its own cookies; every answer, or failure to answer, is counted."""

    def __init__(self, base_url: str, outcomes: Counter, lock: threading.Lock):
        self.base_url = base_url
        self.outcomes = outcomes
        self.lock = lock
        self.cookies = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(self.cookies), NoRedirects
        )

    def count(self, kind: str, outcome) -> None:
        with self.lock:
            self.outcomes[(kind, outcome)] += 1

    def request(self, kind: str, path: str, data: dict | None = None) -> tuple[int, str]:
        body = None
        headers = {"Referer": self.base_url + path}
        if data is not None:
            data = {"csrfmiddlewaretoken": self.csrf_token(), **data}
            body = urllib.parse.urlencode(data, doseq=True).encode()
        # Always the live server's http://127.0.0.1:<port> address, never a file: or other URL.
        request = urllib.request.Request(self.base_url + path, data=body, headers=headers)  # noqa: S310
        try:
            with self.opener.open(request, timeout=REQUEST_TIMEOUT) as response:
                status, text = response.status, response.read().decode()
        except urllib.error.HTTPError as error:
            status, text = error.code, error.read().decode(errors="replace")
        except OSError as error:  # refused, reset, timed out: never expected
            self.count(kind, type(error).__name__)
            return 0, ""
        self.count(kind, status)
        return status, text

    def csrf_token(self) -> str:
        return next((c.value for c in self.cookies if c.name == "csrftoken"), "")


class NoRedirects(urllib.request.HTTPRedirectHandler):
    """A redirect is an answer to count, not a page to fetch."""

    def redirect_request(self, *args, **kwargs):
        return None


def sign_in_attempts(browser: Browser, number: int, deadline: float) -> None:
    browser.request("page", "/accounts/login/")
    attempt = 0
    while time.monotonic() < deadline:
        attempt += 1
        username = ("dr-chen", "clinic-admin", f"guess-{number}-{attempt % 40}")[attempt % 3]
        browser.request(
            "sign_in", "/accounts/login/", {"username": username, "password": f"wrong-{attempt}"}
        )


def date_of_birth_attempts(browser: Browser, tokens: list[str], deadline: float) -> None:
    attempt = 0
    while time.monotonic() < deadline:
        token = tokens[attempt % len(tokens)]
        path = f"/consent/i/{token}/"
        browser.request("page", path)
        for date in (WRONG_DATE, WRONG_DATE, DATE_OF_BIRTH):  # never five wrong in a row
            browser.request("date_of_birth", path, {"date_of_birth": date.isoformat()})
        attempt += 1


def wizard_saves(browser: Browser, token: str, side_effect_ids, deadline: float) -> None:
    path = f"/consent/i/{token}/"
    browser.request("page", path)
    browser.request("date_of_birth", path, {"date_of_birth": DATE_OF_BIRTH.isoformat()})
    browser.request("wizard", "/consent/agree/", {"agree": "on"})
    ticks = {f"item_{pk}": "on" for pk in side_effect_ids}
    while time.monotonic() < deadline:
        browser.request("wizard", "/consent/step/about/", {"agree": "on"})
        browser.request("wizard", "/consent/step/side-effects/", ticks)


def test_sixteen_concurrent_clients_for_twenty_seconds_get_no_server_error(
    invite, clinic, tmp_path, settings
):
    """Sign-ins, dates of birth and wizard saves at once: every answer is counted, none is 500."""
    practitioner = clinic["practitioner"].user  # one of the usernames tried, with clinic-admin
    practitioner.username = "dr-chen"
    practitioner.save(update_fields=["username"])
    birth_tokens = [
        invite(patient_email=f"dob{i}@example.com")[1] for i in range(2 * CLIENTS["date_of_birth"])
    ]
    wizard_tokens = [
        invite(patient_email=f"wizard{i}@example.com")[1] for i in range(CLIENTS["wizard"])
    ]
    side_effect_ids = [row["id"] for row in clinic["version"].content["side_effects"]]
    outcomes: Counter = Counter()
    lock = threading.Lock()

    with sqlite_test_database_in_a_file(tmp_path / "load.sqlite3"):
        server = LiveServer("127.0.0.1:0")
        try:
            deadline = time.monotonic() + SECONDS
            jobs = []
            for number in range(CLIENTS["sign_in"]):
                jobs.append((sign_in_attempts, (number, deadline)))
            for number in range(CLIENTS["date_of_birth"]):
                tokens = birth_tokens[2 * number : 2 * number + 2]
                jobs.append((date_of_birth_attempts, (tokens, deadline)))
            for token in wizard_tokens:
                jobs.append((wizard_saves, (token, side_effect_ids, deadline)))
            threads = [
                threading.Thread(target=job, args=(Browser(server.url, outcomes, lock), *args))
                for job, args in jobs
            ]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join(SECONDS + 2 * REQUEST_TIMEOUT)
            assert not any(thread.is_alive() for thread in threads)
            drafts_saved = ConsentDraft.objects.filter(answers__has_key="side_effects").count()
        finally:
            server.stop()

    total = sum(outcomes.values())
    print(f"\n{len(threads)} clients, {SECONDS} s, {connection.vendor}: {total} requests")
    for (kind, outcome), count in sorted(outcomes.items(), key=str):
        print(f"  {kind:14} {outcome!s:>16}: {count}")
    failures = {
        key: count
        for key, count in outcomes.items()
        if not isinstance(key[1], int) or key[1] >= 500
    }
    assert failures == {}, f"server errors or requests without an answer: {failures}"
    assert outcomes[("sign_in", 200)] + outcomes[("sign_in", 403)] > 0
    assert outcomes[("date_of_birth", 302)] > 0
    assert outcomes[("wizard", 302)] > 0
    assert drafts_saved == CLIENTS["wizard"]
