"""Making a PDF never reaches the network or reads a file a URL in the content names.

Every free-text field an admin types (the procedure and all its rows, the formulation and its
ingredients, the location, the practitioner and their credentials, the regulatory status) and
every field a patient or practitioner types (name, questions, answer, withdrawal reason) holds
an http(s):// or file:// URL, bare or inside markup. The patient's PDF is made by signing
through the wizard, the practitioner's history PDF through the practice area. A Python audit
hook watches every socket and every file the process opens meanwhile.
"""

import contextlib
import io
import itertools
import sys
import threading

import pytest
from django.contrib.auth.models import Group
from django.db import models
from django.test import Client
from django.urls import reverse
from pypdf import PdfReader

from accounts.roles import PRACTITIONERS
from consent import services
from consent.models import ConsentDraft, ConsentRecord, RegulatoryStatus
from education.services import procedure_publish
from tests.conftest import login_verified
from tests.consent.conftest import DATE_OF_BIRTH, complete_draft

pytestmark = pytest.mark.django_db

_watch = threading.local()
_HOOKED = []


def _audit(event, args):
    seen = getattr(_watch, "seen", None)
    if seen is None:
        return
    if event in ("socket.connect", "socket.getaddrinfo", "socket.gethostbyname", "urllib.Request"):
        seen.append((event, repr(args)[:120]))
    elif event == "open" and args and _watch.secret in str(args[0]):
        seen.append((event, str(args[0])))


class Watched:
    """Records network access, and opening of the secret file, by this thread meanwhile."""

    def __init__(self, secret_path: str):
        if not _HOOKED:
            sys.addaudithook(_audit)  # hooks cannot be removed; it is idle outside `with`
            _HOOKED.append(True)
        self.secret = secret_path

    def __enter__(self):
        _watch.secret, _watch.seen = self.secret, []
        return _watch.seen

    def __exit__(self, *exc):
        _watch.seen = None


def url_payloads(secret: str) -> list[str]:
    return [
        "https://evil.example/a.png",
        f"file://{secret}",
        '<img src="https://evil.example/i.png">',
        f'<link rel="stylesheet" href="file://{secret}">',
        f"url(file://{secret})",
        '<style>@import url("http://127.0.0.1:9/x.css");</style>',
        f'<object data="file://{secret}"></object>',
        '<iframe src="https://evil.example/"></iframe>',
        '<svg><image href="http://evil.example/s.png"/></svg>',
        "![x](https://evil.example/md.png)",
        f"[link](file://{secret})",
        f'<img src="file://{secret}">',
    ]


def fill_text_fields(instance, payloads, skip=("jurisdiction", "slug", "code")):
    """Every free-text field of `instance` gets the next payload (cut to the field's length)."""
    for field in instance._meta.concrete_fields:
        if (
            isinstance(field, models.CharField | models.TextField)
            and not isinstance(field, models.SlugField | models.EmailField)
            and not field.choices
            and field.editable
            and field.name not in skip
            and not field.name.endswith("_hash")
        ):
            payload = next(payloads)
            value = f"Yes\nNo\n{payload}" if field.name == "choices" else payload
            setattr(
                instance, field.attname, value[: field.max_length] if field.max_length else value
            )
    instance.save()


def test_urls_in_every_field_make_no_network_or_file_access(
    clinic, invite, tmp_path, django_capture_on_commit_callbacks
):
    secret = tmp_path / "secret-do-not-read.txt"
    secret.write_text("a file the PDF must never read")
    payloads = itertools.cycle(url_payloads(str(secret)))
    procedure = clinic["procedure"]
    practitioner = clinic["practitioner"]
    related = [
        procedure,
        *procedure.ingredients.all(),
        *procedure.indications.all(),
        *procedure.side_effects.all(),
        *procedure.checklist_items.all(),
        *procedure.comprehension_questions.all(),
        *procedure.questions_answers.all(),
        clinic["formulation"],
        *clinic["formulation"].ingredients.all(),
        clinic["location"],
        practitioner,
        *practitioner.credentials.all(),
    ]
    related += list(RegulatoryStatus.objects.filter(procedure=procedure))
    for instance in related:
        fill_text_fields(instance, payloads)
    procedure_publish(procedure=procedure, published_by=clinic["admin"])
    name = 'Alex <img src="https://evil.example/n.png"> Morgan'
    invitation, token = invite(patient_name=name)

    patient = Client()
    patient.post(reverse("consent:open", kwargs={"token": token}), {"date_of_birth": DATE_OF_BIRTH})
    complete_draft(invitation)
    draft = ConsentDraft.objects.get(invitation=invitation)
    services.draft_save_questions(draft=draft, text=" ".join(url_payloads(str(secret))))

    with Watched(str(secret)) as seen:
        with django_capture_on_commit_callbacks(execute=True):  # the PDF task, on commit
            signed = patient.post(
                reverse("consent:step", kwargs={"step": "sign"}),
                {"typed_name": name, "agree": "on"},
            )
        with django_capture_on_commit_callbacks(execute=True):
            assert signed.status_code == 302, signed.status_code
            record = ConsentRecord.objects.get(invitation=invitation)
            copy = b"".join(patient.get(reverse("consent:record_pdf")).streaming_content)
            practitioner.user.groups.add(Group.objects.get(name=PRACTITIONERS))
            staff = login_verified(Client(), practitioner.user)
            answer = staff.post(
                reverse("practice:answer", args=[record.code]),
                {"answer": " ".join(url_payloads(str(secret)))},
            )
            assert answer.status_code == 302
            withdraw = patient.post(
                reverse("consent:withdraw"),
                {"reason": " ".join(url_payloads(str(secret)))[:2000], "confirm": "on"},
            )
            assert withdraw.status_code == 302
            history = staff.post(reverse("practice:record_pdf", args=[record.code]))
            assert history.status_code == 200
            assert history.content.startswith(b"%PDF")

    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(copy)).pages)
    assert "evil.example" in text and str(secret.name) in text  # the URLs are in the PDF, as text
    print(
        f"\nPDF fetch: {len(related)} admin-authored rows and 4 patient/staff fields held URLs; "
        f"{len(seen)} network or file accesses"
    )
    assert seen == []


def test_the_watch_would_see_a_fetch(tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("x")
    import socket

    with Watched(str(secret)) as seen:
        secret.read_text()
        with contextlib.suppress(OSError):
            socket.getaddrinfo("localhost", 9)
    assert [event for event, _args in seen] == ["open", "socket.getaddrinfo"]
