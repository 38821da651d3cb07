"""Every HTML page the portal serves carries the browser protections; passwords are strong.

The pages are the access matrix's: every URL of the URLconf, as every role, by GET (and by POST
for the roles whose forms answer with a page of errors). `check --deploy --fail-level WARNING`
under production settings is tests/portal/test_settings.py::
test_deploy_check_is_clean_under_production_settings.
"""

import pytest
from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError

from .http import is_html
from .test_access_matrix import run_matrix

pytestmark = pytest.mark.django_db

SCRIPT_SOURCES_REFUSED = ("'unsafe-inline'", "'unsafe-eval'", "*", "data:", "http:", "https:")


def csp_directives(header: str) -> dict[str, list[str]]:
    directives = {}
    for part in header.split(";"):
        words = part.split()
        if words:
            directives[words[0].lower()] = words[1:]
    return directives


def header_problems(response) -> list[str]:
    problems = []
    if response.get("X-Content-Type-Options") != "nosniff":
        problems.append("no X-Content-Type-Options: nosniff")
    if not is_html(response):
        return problems
    csp = response.get("Content-Security-Policy")
    if not csp:
        return [*problems, "no Content-Security-Policy"]
    directives = csp_directives(csp)
    scripts = directives.get("script-src", directives.get("default-src"))
    if scripts is None:
        problems.append("CSP does not limit scripts")
    else:
        problems += [f"CSP allows {s} for scripts" for s in scripts if s in SCRIPT_SOURCES_REFUSED]
    for directive, expected in (
        ("object-src", ["'none'"]),
        ("base-uri", ["'none'"]),
        ("frame-ancestors", ["'none'"]),
    ):
        if directives.get(directive) != expected:
            problems.append(f"CSP {directive} is {directives.get(directive)}, not {expected}")
    if response.get("X-Frame-Options") != "DENY":
        problems.append(f"X-Frame-Options is {response.get('X-Frame-Options')!r}")
    if response.get("Referrer-Policy") not in ("same-origin", "no-referrer", "strict-origin"):
        problems.append(f"Referrer-Policy is {response.get('Referrer-Policy')!r}")
    if response.get("Cross-Origin-Opener-Policy") != "same-origin":
        problems.append("no Cross-Origin-Opener-Policy: same-origin")
    return problems


def test_every_html_response_carries_csp_frame_nosniff_and_referrer_headers(world):
    seen = {"html": 0, "other": 0}

    def on_response(role, target, method, response, body):
        seen["html" if is_html(response) else "other"] += 1
        return [
            f"{method} {target.url} as {role} ({response.status_code}): {problem}"
            for problem in header_problems(response)
        ]

    problems, counts = run_matrix(world, methods=("GET",), on_response=on_response)
    more, more_counts = run_matrix(
        world, methods=("POST",), roles=("patient_c", "clinic_admin"), on_response=on_response
    )
    problems += more

    print(
        f"\nheaders: {counts['requests'] + more_counts['requests']} responses checked, "
        f"{seen['html']} of them HTML; {len(problems)} problems"
    )
    assert seen["html"] > 500
    assert not problems, "\n".join(problems[:50])


def test_the_csp_forbids_inline_script_and_style_everywhere():
    policy = settings.SECURE_CSP
    assert "'unsafe-inline'" not in [str(source) for source in policy["script-src"]]
    assert "'unsafe-inline'" not in [str(source) for source in policy["style-src"]]


@pytest.mark.parametrize(
    ("password", "code"),
    [
        ("Short-pw-11", "password_too_short"),  # 11 characters
        ("q1w2e3r4t5y6", "password_too_common"),
        ("qwerty123456", "password_too_common"),
        ("123456789012", "password_entirely_numeric"),
    ],
)
def test_weak_passwords_are_refused(password, code):
    with pytest.raises(ValidationError) as refused:
        validate_password(password)

    assert code in {error.code for error in refused.value.error_list}


def test_a_twelve_character_uncommon_password_is_accepted():
    validate_password("Tq7-river-mop")  # 13 characters, not on the common list


def test_a_password_like_the_username_is_refused(django_user_model):
    user = django_user_model(username="maya.chen", email="maya.chen@clinic.example")

    with pytest.raises(ValidationError):
        validate_password("maya.chen.2026", user=user)
