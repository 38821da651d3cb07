"""Every form and every POST endpoint, fed 500 generated submissions each (tests/trust/fuzz.py):
never a server error, never a row that is invalid or half-written.

Each submission runs in a savepoint that is rolled back afterwards, so every one starts from the
same state: a patient part-way through (every step reachable), a signed record, a practitioner
and a clinic admin signed in, a staff member half-way through signing in.
"""

import base64
import struct
import time
import zlib
from types import SimpleNamespace
from urllib.parse import urlencode

import pytest
from django.contrib import admin
from django.contrib.auth.models import Group
from django.contrib.messages.storage.fallback import FallbackStorage
from django.contrib.sessions.backends.db import SessionStore
from django.core.handlers.exception import convert_exception_to_response
from django.test import Client, RequestFactory
from django.urls import resolve, reverse
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from hypothesis import given
from hypothesis import strategies as st

from accounts.roles import PRACTITIONERS
from consent import services
from consent.models import ConsentEvent, ConsentInvitation, ConsentRecord, EventKind
from consent.reminders import stop_signature
from consent.selectors import ConsentState
from consent.signature import typed_name_matches
from consent.wizard import STEP_SLUGS
from tests.conftest import login_verified
from tests.consent.conftest import DATE_OF_BIRTH, PATIENT_NAME

from .conftest import REQUEST_META, STAFF_PASSWORD, complete_draft
from .forms import form_fields
from .fuzz import DRAWN, FUZZ, Examined, bodies, draft_is_sound, send

pytestmark = pytest.mark.django_db

TRUTHY = st.sampled_from(["on", "true", "1", "yes"])


def png_data_url() -> str:
    def chunk(kind, data):
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    png = (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", struct.pack(">IIBBBBB", 2, 2, 8, 6, 0, 0, 0))
        + chunk(b"IDAT", zlib.compress(b"\x00" + bytes(8) + b"\x00" + bytes(8)))
        + chunk(b"IEND", b"")
    )
    return "data:image/png;base64," + base64.b64encode(png).decode()


@pytest.fixture
def examined():
    return Examined()


@pytest.fixture(autouse=True)
def report(request, examined):
    started = time.monotonic()
    yield
    name = request.node.name
    print(
        f"\nbad input {name}: {examined.tried} submissions, {examined.rows_checked} new rows "
        f"validated, {time.monotonic() - started:.1f} s"
    )
    if examined.tried:  # a fuzzing test: it sent every submission it promised
        expected = DRAWN.max_examples if "draw" in name else FUZZ.max_examples
        assert examined.tried >= expected, f"{name}: only {examined.tried} submissions"


@pytest.fixture
def patient(invite, client):
    """A patient session on an invitation answered up to signing: every step may be opened."""
    invitation, token = invite()
    client.post(reverse("consent:open", kwargs={"token": token}), {"date_of_birth": DATE_OF_BIRTH})
    draft = complete_draft(invitation)
    return SimpleNamespace(client=client, invitation=invitation, draft=draft, token=token)


@pytest.fixture
def signed(invite, django_capture_on_commit_callbacks):
    """A signed record (with a question) and a patient session on it through its record link."""
    invitation, _token = invite()
    complete_draft(invitation)
    with django_capture_on_commit_callbacks(execute=True):
        record, record_token = services.record_sign(
            invitation=invitation,
            typed_name=PATIENT_NAME,
            drawn_signature="",
            request_meta=REQUEST_META,
        )
    client = Client()
    client.post(
        reverse("consent:open", kwargs={"token": record_token}), {"date_of_birth": DATE_OF_BIRTH}
    )
    return SimpleNamespace(client=client, record=record, invitation=invitation)


@pytest.fixture
def practitioner_client(clinic):
    user = clinic["practitioner"].user
    user.groups.add(Group.objects.get(name=PRACTITIONERS))
    return login_verified(Client(), user)


@pytest.fixture
def admin_client(clinic):
    return login_verified(Client(), clinic["admin"])


def step_url(slug):
    return reverse("consent:step", kwargs={"step": slug})


# The patient's wizard ---------------------------------------------------------------------


def wizard_fields(slug, content):
    if slug in ("about", "injected"):
        return {"agree": TRUTHY}
    if slug == "health":
        answers = st.one_of(
            st.integers(min_value=-1, max_value=999).map(str),
            st.sampled_from(["2026-01-05", "31/31/1", "yes", ""]),
            st.text(max_size=600),
        )
        return {f"question_{row['id']}": answers for row in content.get("screening", [])}
    if slug == "side-effects":
        return {f"item_{row['id']}": TRUTHY for row in content["side_effects"]}
    if slug == "practitioner":
        return {f"item_{row['id']}": TRUTHY for row in content["checklist"]}
    if slug == "understanding":
        return {
            f"question_{row['id']}": st.integers(min_value=-1, max_value=8).map(str)
            for row in content["comprehension"]
        }
    if slug == "questions":
        return {"questions": st.text(max_size=50)}
    if slug == "sign":
        return {
            # The right name is one choice in eight: each valid submission signs (its PDF is a
            # task, run on commit, which this rolled-back submission never reaches).
            "typed_name": st.sampled_from(
                [PATIENT_NAME, "Alex Morga", "Alex  Morgan Jr", "ALEX", "Morgan Alex", "", "A", "?"]
            ),
            "agree": TRUTHY,
            "drawn_signature": st.sampled_from(["", png_data_url()]),
        }
    raise AssertionError(slug)


WIZARD_STEPS = [slug for slug in STEP_SLUGS if slug != "done"]


@pytest.mark.parametrize("slug", ["esign", *WIZARD_STEPS])
def test_wizard_steps_take_any_submission(patient, examined, slug):
    content = patient.draft.version.content
    url = reverse("consent:esign") if slug == "esign" else step_url(slug)
    fields = {"agree": TRUTHY} if slug == "esign" else wizard_fields(slug, content)

    def check(response, new_rows):
        draft_is_sound(patient.draft)
        records = new_rows.get(ConsentRecord, [])
        if records:
            (record,) = records
            assert slug == "sign"
            assert typed_name_matches(record.payload["signature"]["typed_name"], PATIENT_NAME)

    @FUZZ
    @given(body=bodies(fields))
    def submit(body):
        examined.run(
            lambda: send(patient.client, "POST", url, body), check=check, client=patient.client
        )

    submit()


def test_date_of_birth_step_takes_any_submission(invite, examined):
    invitation, token = invite()
    url = reverse("consent:open", kwargs={"token": token})
    fields = {
        "date_of_birth": st.sampled_from(
            [DATE_OF_BIRTH.isoformat(), DATE_OF_BIRTH.strftime("%d/%m/%Y"), "1985-04-13"]
        )
    }

    def check(response, new_rows):
        fresh = ConsentInvitation.objects.get(pk=invitation.pk)
        fresh.full_clean()
        assert fresh.failed_attempts <= ConsentInvitation.MAX_DATE_OF_BIRTH_ATTEMPTS

    @FUZZ
    @given(body=bodies(fields))
    def submit(body):
        examined.run(lambda: send(Client(), "POST", url, body), check=check)

    submit()


def test_emailed_code_step_takes_any_submission(invite, client, examined):
    invitation, token = invite(requires_email_code=True)
    client.post(reverse("consent:open", kwargs={"token": token}), {"date_of_birth": DATE_OF_BIRTH})
    fields = {
        "code": st.sampled_from(["123456", "12 34 56", "1234567", "abcdef"]),
        "resend": TRUTHY,
    }

    def check(response, new_rows):
        fresh = ConsentInvitation.objects.get(pk=invitation.pk)
        fresh.full_clean()
        assert fresh.email_code_failures <= ConsentInvitation.MAX_EMAIL_CODE_ATTEMPTS

    @FUZZ
    @given(body=bodies(fields))
    def submit(body):
        examined.run(
            lambda: send(client, "POST", reverse("consent:email_code"), body),
            check=check,
            client=client,
        )

    submit()


def test_stop_reminders_takes_any_submission(invite, examined):
    invitation, _token = invite()
    url = reverse("consent:reminders_stop", kwargs={"signature": stop_signature(invitation.pk)})

    def check(response, new_rows):
        ConsentInvitation.objects.get(pk=invitation.pk).full_clean()

    @FUZZ
    @given(body=bodies({"confirm": TRUTHY}))
    def submit(body):
        examined.run(lambda: send(Client(), "POST", url, body), check=check)

    submit()


def test_withdrawal_takes_any_submission(signed, examined):
    fields = {"reason": st.text(max_size=50), "confirm": TRUTHY}

    def check(response, new_rows):
        for event in new_rows.get(ConsentEvent, []):
            assert event.kind in (EventKind.WITHDRAWN, EventKind.VIEWED)
            if event.kind == EventKind.WITHDRAWN:
                assert len(event.data["reason"]) <= 2000

    @FUZZ
    @given(body=bodies(fields))
    def submit(body):
        examined.run(
            lambda: send(signed.client, "POST", reverse("consent:withdraw"), body),
            check=check,
            client=signed.client,
        )

    submit()


# Public forms (GET) -----------------------------------------------------------------------


def test_verification_page_takes_any_query(signed, examined, settings):
    # Every submission reaches the form, not the throttle's 429 page after the first 30.
    settings.VERIFY_THROTTLE_LOOKUPS = 10**6
    code = signed.record.code
    fields = {"code": st.sampled_from([code, code.lower(), f"  {code} ", "CR-AAAA-BBBB"])}

    @FUZZ
    @given(body=bodies(fields))
    def submit(body):
        response = examined.run(lambda: send(Client(), "GET", reverse("consent:verify"), body))
        assert PATIENT_NAME not in response.text

    submit()


def test_library_search_takes_any_query(published, examined):
    @FUZZ
    @given(body=bodies({"q": st.sampled_from(["meso", "Mesotherapy", ""])}))
    def submit(body):
        examined.run(lambda: send(Client(), "GET", reverse("education:procedure_library"), body))

    submit()


# The practice area ------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["practice:dashboard", "practice:export_csv"])
def test_dashboard_filters_take_any_query(signed, admin_client, clinic, examined, name):
    fields = {
        "q": st.sampled_from(["Alex", "Morgan", ""]),
        "state": st.sampled_from(["", *ConsentState.values]),
        "practitioner": st.sampled_from([str(clinic["practitioner"].pk), "", "999999"]),
        "sort": st.sampled_from(["newest", "oldest", "patient"]),
        "page": st.integers(min_value=-2, max_value=5).map(str),
    }

    @FUZZ
    @given(body=bodies(fields))
    def submit(body):
        method, target = "GET", reverse(name)
        if name == "practice:export_csv":  # a POST form whose filters ride in its address
            _kind, data = body
            method = "POST"
            target += "?" + (urlencode(data, doseq=True) if isinstance(data, dict) else "")
        examined.run(lambda: send(admin_client, method, target, body), client=admin_client)

    submit()


@pytest.mark.parametrize("name", ["answer", "countersign", "reconsent", "witness"])
def test_record_actions_take_any_submission(signed, practitioner_client, examined, name):
    fields = {
        "answer": {"answer": st.text(max_size=50)},
        "countersign": {"typed_name": st.text(max_size=20), "discussed": TRUTHY},
        "reconsent": {},
        "witness": {"witnessed": TRUTHY},
    }[name]
    url = reverse(f"practice:{name}", args=[signed.record.code])

    def check(response, new_rows):
        assert len(new_rows.get(ConsentEvent, [])) <= 1
        for event in new_rows.get(ConsentEvent, []):
            assert event.record_id == signed.record.pk

    @FUZZ
    @given(body=bodies(fields))
    def submit(body):
        examined.run(
            lambda: send(practitioner_client, "POST", url, body),
            check=check,
            client=practitioner_client,
        )

    submit()


def test_new_invitation_form_takes_any_submission(clinic, practitioner_client, examined):
    url = reverse("practice:invitation_new")
    fields = {
        name: st.sampled_from(values)
        for name, values in form_fields(practitioner_client.get(url).text).items()
        if name != "csrfmiddlewaretoken"
    }
    fields.update(
        patient_name=st.sampled_from(["Sam Patient", "  Sam   Patient "]),
        patient_email=st.sampled_from(["sam@example.com", "not-an-email"]),
        patient_date_of_birth=st.sampled_from(["1990-01-01", "2999-01-01"]),
        expires_at=st.sampled_from(["2099-01-01 10:00", "2000-01-01 10:00"]),
    )

    @FUZZ
    @given(body=bodies(fields))
    def submit(body):
        examined.run(
            lambda: send(practitioner_client, "POST", url, body), client=practitioner_client
        )

    submit()


def test_resend_takes_any_submission(clinic, invite, practitioner_client, examined):
    invitation, _token = invite()
    url = reverse("practice:invitation_resend", args=[invitation.pk])

    @FUZZ
    @given(body=bodies({"expires_at": st.just("2099-01-01")}))
    def submit(body):
        examined.run(
            lambda: send(practitioner_client, "POST", url, body), client=practitioner_client
        )

    submit()


# Staff sign-in ----------------------------------------------------------------------------


@pytest.fixture
def staff_user(clinic):
    user = clinic["practitioner"].user
    user.set_password(STAFF_PASSWORD)
    user.save()
    user.groups.add(Group.objects.get(name=PRACTITIONERS))
    device = StaticDevice.objects.create(user=user, name="Backup codes", confirmed=True)
    StaticToken.objects.create(device=device, token="goodcode123")
    return user


def test_password_step_takes_any_submission(staff_user, examined):
    fields = {
        "username": st.sampled_from([staff_user.username, "nobody"]),
        "password": st.sampled_from([STAFF_PASSWORD, "wrong-password-1"]),
    }
    client = Client()

    @FUZZ
    @given(body=bodies(fields))
    def submit(body):
        examined.run(lambda: send(client, "POST", reverse("accounts:login"), body), client=client)

    submit()


@pytest.mark.parametrize("name", ["accounts:two_factor", "accounts:setup", "accounts:logout"])
def test_code_steps_take_any_submission(staff_user, examined, name):
    client = Client()
    if name == "accounts:setup":
        StaticDevice.objects.filter(user=staff_user).delete()
    client.post(
        reverse("accounts:login"), {"username": staff_user.username, "password": STAFF_PASSWORD}
    )
    fields = {"code": st.sampled_from(["goodcode123", "GOOD-CODE 123", "123456", "000000"])}

    @FUZZ
    @given(body=bodies(fields))
    def submit(body):
        examined.run(lambda: send(client, "POST", reverse(name), body), client=client)

    submit()


# Admin ------------------------------------------------------------------------------------


def addable_models(user):
    request = RequestFactory().get("/admin/")
    request.user = user
    return sorted(
        (
            model._meta.label
            for model, model_admin in admin.site._registry.items()
            if model_admin.has_add_permission(request)
        ),
    )


def test_the_clinic_admin_can_add_these_models_and_each_is_fuzzed(clinic):
    assert set(addable_models(clinic["admin"])) == set(ADMIN_ADD_FORMS)


ADMIN_ADD_FORMS = [
    "consent.ConsentInvitation",
    "consent.Credential",
    "consent.Formulation",
    "consent.Location",
    "consent.Practitioner",
    "consent.RegulatoryStatus",
    "education.Procedure",
    "education.Reference",
    "education.ScreeningQuestion",
    "education.SideEffect",
    # No second factor is added in admin: people enrol their own (accounts/admin.py).
]


def admin_form_fields(client, url):
    page = client.get(url)
    assert page.status_code == 200, (url, page.status_code)
    form_id = next(
        (part.split('"')[1] for part in page.text.split("<form")[1:] if 'id="' in part[:200]),
        None,
    )
    return {
        name: st.sampled_from(values)
        for name, values in form_fields(page.text, form_id).items()
        if name != "csrfmiddlewaretoken"
    }


def admin_request(user, url: str, body):
    """A request for the admin view itself, as the middleware would hand it over."""
    factory = RequestFactory()
    kind, data = body
    if kind == "multipart":
        request = factory.post(url, data)
    elif kind == "urlencoded":
        request = factory.post(
            url, urlencode(data, doseq=True), content_type="application/x-www-form-urlencoded"
        )
    else:
        content_type, raw = data
        request = factory.generic("POST", url, raw, content_type=content_type)
    user.is_verified = lambda: True  # what django-otp's middleware says of a verified session
    request.user = user
    request.session = SessionStore()
    request._messages = FallbackStorage(request)
    request._dont_enforce_csrf_checks = True
    return request


def admin_view_response(user, url, body):
    """The admin view's answer without drawing its page: the form, the inline formsets, the
    checks and the writes all run; the TemplateResponse is left unrendered."""
    match = resolve(url)
    view = convert_exception_to_response(  # as the handler does: 400 for a bad body, ...
        lambda request: match.func(request, *match.args, **match.kwargs)
    )
    return view(admin_request(user, url, body))


def admin_targets(clinic):
    procedure = clinic["procedure"]
    targets = {label: None for label in ADMIN_ADD_FORMS}
    targets.update(
        {
            "procedure change": reverse("admin:education_procedure_change", args=[procedure.pk]),
            "procedure publish": reverse("admin:education_procedure_publish", args=[procedure.pk]),
            "reading grade": reverse("admin:education_procedure_reading_grade"),
        }
    )
    for label in ADMIN_ADD_FORMS:
        app_label, model_name = label.lower().split(".")
        targets[label] = reverse(f"admin:{app_label}_{model_name}_add")
    return targets


ADMIN_TARGETS = [*ADMIN_ADD_FORMS, "procedure change", "procedure publish", "reading grade"]


def admin_fields(client, name, url):
    if name == "reading grade":
        return {"text": st.text(max_size=200)}
    return admin_form_fields(client, url)


@pytest.mark.parametrize("name", ADMIN_TARGETS)
def test_admin_forms_take_any_submission(clinic, admin_client, examined, name):
    """Every generated submission goes through the admin view's own code; 500 of them."""
    url = admin_targets(clinic)[name]
    fields = admin_fields(admin_client, name, url)
    user = clinic["admin"]

    @FUZZ
    @given(body=bodies(fields))
    def submit(body):
        examined.run(lambda: admin_view_response(user, url, body))

    submit()


@pytest.mark.parametrize("name", ADMIN_TARGETS)
def test_admin_pages_draw_any_submission(clinic, admin_client, examined, name):
    """The same through HTTP, with the page of errors drawn; fewer, as drawing is the slow part."""
    url = admin_targets(clinic)[name]
    fields = admin_fields(admin_client, name, url)

    @DRAWN
    @given(body=bodies(fields))
    def submit(body):
        examined.run(lambda: send(admin_client, "POST", url, body), client=admin_client)

    submit()
