"""Every URL × every method × every role: no 500, and nobody is shown what is not theirs.

Roles: anonymous; patients A and B (each signed, in a session opened through the date-of-birth
check); patient C (mid-way through the wizard); practitioners X (A's and C's) and Y (B's), signed
in with a verified second factor; and a clinic admin. Another patient's or practitioner's
record, PDF, FHIR export or invitation answers 404 in the practice area; admin refuses everyone
but the clinic admin.
"""

import time
from urllib.parse import urlsplit

import pytest
from django.conf import settings

from .conftest import MAY_SEE, PATIENTS, ROLES
from .http import body_of, leaked, send
from .urlmap import METHODS, all_targets, walk

pytestmark = pytest.mark.django_db

ADMIN_REFUSAL_REDIRECTS = ("/admin/login/", "/accounts/login/", "/admin/")


def forbidden_secrets(role: str) -> list[str]:
    return [
        secret
        for key, patient in PATIENTS.items()
        if key not in MAY_SEE[role]
        for secret in patient.secrets
    ]


def check(role, target, method, response, body) -> list[str]:
    """Every broken promise in one response."""
    where = f"{method} {target.url} as {role} ({target.extra or target.route.name})"
    problems = []
    if response.status_code >= 500:
        problems.append(f"{where}: status {response.status_code}")
    for secret in leaked(body, forbidden_secrets(role), target.url):
        problems.append(f"{where}: shows {secret!r}")
    redirect_to = urlsplit(response.get("Location", ""))
    if 300 <= response.status_code < 400 and redirect_to.netloc not in ("", "testserver"):
        problems.append(f"{where}: redirects off the site to {response['Location']}")
    if target.route.is_admin and role != "clinic_admin":
        location = urlsplit(response.get("Location", "")).path
        refused = response.status_code == 403 or (
            response.status_code == 302 and location in ADMIN_REFUSAL_REDIRECTS
        )
        if not refused:
            problems.append(f"{where}: admin answered {response.status_code} {location}")
    if (
        target.route.name.startswith("practice:")
        and role.startswith("practitioner_")
        and target.owner is not None
        and target.addressed
        and target.owner not in MAY_SEE[role]
        and response.status_code not in (404, 405)
    ):
        problems.append(f"{where}: another's object answered {response.status_code}, not 404")
    return problems


def run_matrix(world, methods=METHODS, roles=ROLES, on_response=None):
    """Send every request; returns (problems, counts)."""
    targets, unknown = all_targets(world)
    problems = [
        f"{route.route} ({route.name or 'unnamed'}): no concrete values for its parameters; "
        "teach tests/trust/urlmap.py about them"
        for route in unknown
    ]
    requests = 0
    for role in roles:
        client = world.clients[role]
        for target in targets:
            for method in methods:
                requests += 1
                try:
                    response = send(client, method, target.url)
                    body = body_of(response)
                except Exception as error:
                    problems.append(f"{method} {target.url} as {role}: raised {error!r}")
                    world.sign_in(role)
                    continue
                problems += check(role, target, method, response, body)
                if on_response is not None:
                    problems += on_response(role, target, method, response, body)
                client.cookies.pop(settings.LANGUAGE_COOKIE_NAME, None)
                if "logout" in target.route.name or not world.is_signed_in(role):
                    world.sign_in(role)
    counts = {
        "patterns": len(walk()),
        "urls": len(targets),
        "methods": len(methods),
        "roles": len(roles),
        "requests": requests,
    }
    return problems, counts


def test_every_url_method_and_role_keeps_data_to_those_who_may_see_it(world):
    started = time.monotonic()
    problems, counts = run_matrix(world)
    elapsed = time.monotonic() - started

    print(
        f"\naccess matrix: {counts['patterns']} URL patterns as {counts['urls']} concrete URLs "
        f"× {counts['methods']} methods × {counts['roles']} roles = {counts['requests']} "
        f"requests checked in {elapsed:.1f} s; {len(problems)} problems"
    )
    assert not problems, "\n".join(problems[:50])
    assert counts["requests"] == counts["urls"] * counts["methods"] * counts["roles"]


def test_the_matrix_covers_every_pattern_of_the_urlconf(world):
    targets, unknown = all_targets(world)
    covered = {target.route.route for target in targets}

    assert not unknown
    assert covered == {route.route for route in walk()}


@pytest.mark.parametrize("name", ["record", "record_pdf", "record_fhir", "access_request"])
def test_another_practitioners_record_answers_404_and_is_logged(world, name):
    from django.urls import reverse

    from consent.models import EventKind

    record = world.records["B"]
    client = world.clients["practitioner_x"]
    ask = client.get if name == "record" else client.post  # the exports are POST forms

    response = ask(reverse(f"practice:{name}", kwargs={"code": record.code}))

    assert response.status_code == 404
    refused = record.events.filter(kind=EventKind.ACCESS_REFUSED).get()
    assert refused.actor == world.practitioner_x.user


def test_a_patient_session_reaches_only_its_own_record(world):
    from django.urls import reverse

    for role, own, other in (("patient_a", "A", "B"), ("patient_b", "B", "A")):
        client = world.clients[role]
        page = client.get(reverse("consent:record")).text
        assert world.code(own) in page
        assert world.code(other) not in page
        pdf = client.get(reverse("consent:record_pdf"))
        assert pdf["Content-Disposition"].endswith(f'consent-{world.code(own)}.pdf"')


def test_admin_never_shows_an_authenticator_secret_or_backup_codes(world, client):
    """Whoever reads a TOTP secret or a backup code can sign in as its owner; not even a
    superuser sees them in admin (OTP_ADMIN_HIDE_SENSITIVE_DATA)."""
    from django.urls import reverse
    from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from tests import factories
    from tests.conftest import login_verified

    owner = world.practitioner_x.user
    totp = TOTPDevice.objects.create(user=owner, name="Phone", confirmed=True)
    backup = StaticDevice.objects.create(user=owner, name="Paper", confirmed=True)
    StaticToken.objects.create(device=backup, token="k7q2m9x4")
    login_verified(client, factories.SuperuserFactory())

    pages = [
        client.get(reverse("admin:otp_totp_totpdevice_change", args=[totp.pk])),
        client.get(reverse("admin:otp_static_staticdevice_change", args=[backup.pk])),
        client.get(reverse("admin:otp_totp_totpdevice_changelist")),
    ]

    for page in pages:
        assert page.status_code == 200
        assert totp.key not in page.text
        assert "k7q2m9x4" not in page.text
    for name in ("otp_totp_totpdevice_config", "otp_totp_totpdevice_qrcode"):
        assert client.get(reverse(f"admin:{name}", args=[totp.pk])).status_code == 403


# Admin's patient data, role by role, with a practitioner who was also given staff access ------


def admin_answer_expected(role: str, target) -> str:
    """ "shown", "not found" (admin's redirect to its index) or "refused"."""
    if role == "clinic_admin":
        return "shown"
    if role != "practitioner_x":  # X is given staff access in the test below; Y is not
        return "refused"
    if target.route.name.endswith("_changelist") or target.owner in MAY_SEE[role]:
        return "shown"
    return "not found"


def admin_answer(response) -> str:
    location = urlsplit(response.get("Location", "")).path
    if response.status_code == 200:
        return "shown"
    if response.status_code == 302 and location == "/admin/":
        return "not found"
    if response.status_code == 403 or (
        response.status_code == 302 and location in ADMIN_REFUSAL_REDIRECTS
    ):
        return "refused"
    return f"{response.status_code} {location}"


def audited_records_expected(world, role: str, target) -> set[str]:
    """The patients whose signed record a shown page must leave a "viewed" event on."""
    signed = {key for key in world.records if key in MAY_SEE[role]}
    if target.route.name.endswith("_changelist"):
        return signed & {target.owner} if target.owner else signed
    return signed & {target.owner}


def test_admin_patient_data_pages_answer_each_role_as_expected_and_every_look_is_audited(world):
    from consent.models import ConsentEvent, EventKind

    from .urlmap import is_admin_patient_data_page

    world.practitioner_x.user.is_staff = True
    world.practitioner_x.user.save()
    users = {"practitioner_x": world.practitioner_x.user, "clinic_admin": world.admin}
    targets, _unknown = all_targets(world)
    pages = [target for target in targets if is_admin_patient_data_page(target.route)]
    problems = []
    for role in ROLES:
        for target in pages:
            where = f"GET {target.url} as {role} ({target.extra or target.route.name})"
            newest = ConsentEvent.objects.order_by("-id").values_list("id", flat=True).first()
            response = world.clients[role].get(target.url)
            answer, expected = admin_answer(response), admin_answer_expected(role, target)
            if answer != expected:
                problems.append(f"{where}: {answer}, expected {expected}")
            problems += [
                f"{where}: shows {secret!r}"
                for secret in leaked(body_of(response), forbidden_secrets(role), target.url)
            ]
            views = ConsentEvent.objects.filter(
                id__gt=newest, kind=EventKind.VIEWED, data__channel="admin"
            )
            audited = {
                key
                for key, record in world.records.items()
                for e in views
                if e.record_id == record.pk
            }
            wanted = audited_records_expected(world, role, target) if answer == "shown" else set()
            if audited != wanted or len(views) != len(wanted):
                problems.append(
                    f"{where}: viewed events on {sorted(audited)}, expected {sorted(wanted)}"
                )
            if any(event.actor_id != users[role].pk for event in views):
                problems.append(f"{where}: a viewed event names someone else")

    print(f"\nadmin patient data: {len(pages)} URLs × {len(ROLES)} roles; {len(problems)} problems")
    assert len(pages) >= 3 * 2
    assert not problems, "\n".join(problems[:50])


# Pages that write an event when opened refuse a request another site started ------------------

WRITING_GETS = [
    ("practitioner_x", "practice:record", {"code": "A"}),
    ("patient_a", "consent:record", None),
    ("patient_a", "consent:record_pdf", None),
    ("clinic_admin", "admin:consent_consentrecord_change", {"object_id": "A"}),
    ("clinic_admin", "admin:consent_consentrecord_changelist", None),
    ("clinic_admin", "admin:consent_consentevent_changelist", None),
    ("clinic_admin", "admin:consent_consentinvitation_changelist", None),
]


def writing_get_url(world, name, kwargs):
    from django.urls import reverse

    if kwargs and "code" in kwargs:
        return reverse(name, kwargs={"code": world.code(kwargs["code"])})
    if kwargs:
        return reverse(name, args=[world.records[kwargs["object_id"]].pk])
    return reverse(name)


@pytest.mark.parametrize("fetch_site", ["cross-site", "same-site"])
@pytest.mark.parametrize(("role", "name", "kwargs"), WRITING_GETS)
def test_a_page_that_writes_an_event_refuses_a_request_another_site_started(
    world, role, name, kwargs, fetch_site
):
    from consent.models import ConsentEvent

    before = ConsentEvent.objects.count()

    response = world.clients[role].get(
        writing_get_url(world, name, kwargs), headers={"Sec-Fetch-Site": fetch_site}
    )

    assert response.status_code == 403
    assert "Open this page from the portal" in response.text
    assert ConsentEvent.objects.count() == before


@pytest.mark.parametrize("fetch_site", ["same-origin", "none", None])
@pytest.mark.parametrize(("role", "name", "kwargs"), WRITING_GETS)
def test_a_page_that_writes_an_event_opens_from_the_portal_a_typed_address_or_without_the_header(
    world, role, name, kwargs, fetch_site
):
    from consent.models import ConsentEvent

    before = ConsentEvent.objects.count()
    headers = {"Sec-Fetch-Site": fetch_site} if fetch_site else {}

    response = world.clients[role].get(writing_get_url(world, name, kwargs), headers=headers)

    assert response.status_code == 200
    assert ConsentEvent.objects.count() > before
