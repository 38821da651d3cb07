"""Real-browser tests: Playwright drives Debian's Chromium against Django's live test server.

One Chromium for the whole session and a fresh context (cookies, viewport, JavaScript on or off)
per page a test opens, so tests stay independent and fast. Playwright cannot download its own
browser here; it launches `/usr/bin/chromium` (or `$CHROMIUM_PATH`). Where Chromium or axe-core
is missing these tests skip on a laptop and fail in CI (`CI` set), so CI never passes without
running them.
"""

import io
import os
import re
import shutil
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import NoReturn
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import connections
from playwright.sync_api import expect, sync_playwright

from accounts.demo import ADMIN_USERNAME
from consent import demo as consent_demo
from consent.models import ConsentRecord, Formulation, Location, Practitioner
from education.demo import SLUG as DEMO_SLUG
from education.models import ProcedureVersion
from education.selectors import latest_version

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]
AXE_SCRIPT = Path(settings.BASE_DIR) / "node_modules" / "axe-core" / "axe.min.js"
ARTIFACTS = Path(settings.BASE_DIR) / "test-artifacts"
PHONE = {"width": 375, "height": 740}
DESKTOP = {"width": 1280, "height": 900}
ACTION_TIMEOUT_MS = 10_000


def _chromium_path() -> str | None:
    candidate = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or "/usr/bin/chromium"
    return candidate if Path(candidate).is_file() else None


def _cannot_run(reason: str) -> NoReturn:
    """Skip on a laptop; in CI a browser test that cannot run is a failure, never a skip."""
    if os.environ.get("CI"):
        pytest.fail(f"{reason} (CI is set, so browser tests must run)", pytrace=False)
    pytest.skip(reason)


@pytest.fixture(scope="package")
def browser(django_db_setup):
    """Chromium for the browser tests; stopped after them, when this thread is plain sync again.

    Between its calls Playwright's sync API marks this thread's event loop as running. Django then
    takes the thread for async code: it refuses ORM calls unless DJANGO_ALLOW_ASYNC_UNSAFE is set
    (the tests' ORM calls are plain synchronous code all the same), and it keeps a second set of
    database connections for it, which lack the copy of the migrated data that pytest-django's
    serialized rollback restores after each transactional test: they are handed that copy here.
    """
    executable = _chromium_path()
    if executable is None:
        _cannot_run("Chromium not found: install Debian's `chromium` package or set CHROMIUM_PATH")
    expect.set_options(timeout=ACTION_TIMEOUT_MS)  # a busy CI machine is slower than a laptop
    migrated_data = {
        alias: getattr(connections[alias], "_test_serialized_contents", None)
        for alias in connections
    }
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            chromium = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
            for alias, contents in migrated_data.items():
                if contents is not None:
                    connections[alias]._test_serialized_contents = contents
            yield chromium
            connections.close_all()
            chromium.close()
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture
def new_page(browser, live_server, settings):
    """Open a page in a fresh browser context; every context is closed after the test.

    `new_page(viewport=PHONE, java_script_enabled=False, ...)` takes Playwright's context
    options. Links in e-mails point at the live server, as they would at the real site.
    """
    settings.SITE_URL = live_server.url
    contexts = []

    def open_page(**options):
        context = browser.new_context(
            base_url=live_server.url,
            viewport=options.pop("viewport", DESKTOP),
            locale="en-US",
            timezone_id=settings.TIME_ZONE,
            # Bootstrap scrolls smoothly unless asked not to; tests need not wait for it.
            reduced_motion=options.pop("reduced_motion", "reduce"),
            **options,
        )
        context.set_default_timeout(ACTION_TIMEOUT_MS)
        contexts.append(context)
        page = context.new_page()
        page.console_errors = []
        page.on("console", lambda message: _note_console_error(page, message))
        page.on("pageerror", lambda error: page.console_errors.append(str(error)))
        return page

    yield open_page
    for context in contexts:
        context.close()


def _note_console_error(page, message) -> None:
    """Script errors and Content-Security-Policy refusals; not the 4xx of a form with errors."""
    if message.type == "error" and not message.text.startswith("Failed to load resource"):
        page.console_errors.append(message.text)


# Demo clinic ----------------------------------------------------------------------------------


@dataclass
class Demo:
    """What `load_demo` made: the mesotherapy version, the staff and the signed record."""

    version: ProcedureVersion
    admin: object
    practitioner_user: object
    practitioner: Practitioner
    location: Location
    formulation: Formulation
    record: ConsentRecord


@pytest.fixture
def demo() -> Demo:
    """The demo clinic, loaded by the same command a newcomer runs (`manage.py load_demo`)."""
    call_command("load_demo", stdout=io.StringIO())
    users = get_user_model().objects
    practitioner_user = users.get(username="practitioner")
    version = latest_version(slug=DEMO_SLUG)
    return Demo(
        version=version,
        admin=users.get(username=ADMIN_USERNAME),
        practitioner_user=practitioner_user,
        practitioner=practitioner_user.practitioner,
        location=Location.objects.get(name=consent_demo.LOCATION["name"]),
        formulation=Formulation.objects.get(procedure=version.procedure),
        record=ConsentRecord.objects.get(
            invitation__patient_email=consent_demo.SIGNED_PATIENT.email
        ),
    )


# Screenshots ----------------------------------------------------------------------------------


class Screenshots:
    """Saves every page a journey passes through as test-artifacts/<journey>/NN-<name>.png."""

    saved = 0  # in the whole run

    def __init__(self, page, journey: str):
        self.page = page
        self.folder = ARTIFACTS / journey
        shutil.rmtree(self.folder, ignore_errors=True)
        self.folder.mkdir(parents=True)
        self.count = 0

    def __call__(self, name: str, *, page=None) -> Path:
        """Screenshot the journey's page (or another tab it opened) from top to bottom."""
        self.count += 1
        slug = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")
        path = self.folder / f"{self.count:02d}-{slug}.png"
        (page or self.page).screenshot(path=path, full_page=True)
        Screenshots.saved += 1
        return path


@pytest.fixture
def screenshots():
    """`shot = screenshots(page, "phone")`, then `shot("receipt")` on each page."""
    return Screenshots


# Accessibility --------------------------------------------------------------------------------

SERIOUS = {"serious", "critical"}


@dataclass
class AxeReport:
    """Every axe run of the session, summed up at the end of the run."""

    pages: list[str] = field(default_factory=list)
    rules: set[str] = field(default_factory=set)
    violations: Counter = field(default_factory=Counter)  # impact -> number of rule failures
    findings: list[str] = field(default_factory=list)
    needs_review: Counter = field(default_factory=Counter)  # rule -> pages axe could not decide
    seconds: float = 0.0

    def summary(self) -> str:
        serious = sum(self.violations[impact] for impact in SERIOUS)
        others = ", ".join(
            f"{impact} {self.violations[impact]}" for impact in ("moderate", "minor")
        )
        review = ", ".join(f"{rule} on {pages}" for rule, pages in self.needs_review.items())
        return (
            f"axe: {len(self.pages)} pages, {len(self.rules)} rules, "
            f"{serious} serious/critical ({others}); "
            f"left for a person to check: {review or 'nothing'}; {self.seconds:.1f} s"
        )


AXE_REPORT = AxeReport()


@pytest.fixture
def axe():
    """`axe(page, "name")` runs axe-core on the page as it is and returns serious findings.

    The page's context must be opened with `bypass_csp=True`: the portal's Content-Security-Policy
    allows no inline script, and Playwright injects axe-core as one.
    """
    if not AXE_SCRIPT.is_file():
        _cannot_run(f"{AXE_SCRIPT} is missing: run `npm ci`")

    def run(page, name: str) -> list[str]:
        started = time.monotonic()
        page.add_script_tag(path=str(AXE_SCRIPT))
        results = page.evaluate("() => axe.run(document, {resultTypes: ['violations']})")
        AXE_REPORT.seconds += time.monotonic() - started
        for kind in ("passes", "violations", "incomplete", "inapplicable"):
            AXE_REPORT.rules.update(rule["id"] for rule in results[kind])
        AXE_REPORT.needs_review.update(rule["id"] for rule in results["incomplete"])
        for rule in results["incomplete"]:
            AXE_REPORT.findings.append(f"{name}: to check by eye: {rule['id']}: {rule['help']}")
        AXE_REPORT.pages.append(name)
        serious = []
        for violation in results["violations"]:
            impact = violation["impact"] or "minor"
            AXE_REPORT.violations[impact] += 1
            targets = "; ".join(" ".join(node["target"]) for node in violation["nodes"][:5])
            line = f"{name} [{urlsplit(page.url).path}]: {impact} {violation['id']}: {targets}"
            AXE_REPORT.findings.append(line)
            if impact in SERIOUS:
                serious.append(f"{line} ({violation['help']})")
        return serious

    return run


def pytest_terminal_summary(terminalreporter):
    if Screenshots.saved:
        terminalreporter.write_line(
            f"browser journeys: {Screenshots.saved} screenshots in {ARTIFACTS}"
        )
    if AXE_REPORT.pages:
        terminalreporter.write_sep("-", "accessibility (axe-core)")
        terminalreporter.write_line(AXE_REPORT.summary())
        for line in AXE_REPORT.findings:
            terminalreporter.write_line(f"  {line}")
