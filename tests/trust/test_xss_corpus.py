"""Admin-authored text cannot put script or outside resources into a patient's page.

Every payload of `xss_payloads.txt` is typed into every text field of the procedure's admin change
form (the procedure and each of its inline rows, Markdown and plain text alike), saved and
published through admin, then read on every patient page: home, library, procedure page, version
page, each wizard step (with the explanation shown after a wrong answer), the receipt, the PDF
copy, and the practitioner's record page. The HTML is parsed (tests/trust/htmlcheck.py).
"""

import io
import math
import re
import time
from pathlib import Path

import pytest
from django.contrib.auth.models import Group
from django.db import models
from django.test import Client
from django.urls import reverse
from pypdf import PdfReader

from accounts.roles import PRACTITIONERS
from consent.models import ConsentDraft
from education.markdown import render_markdown, sanitize_html
from education.models import Procedure, ProcedureVersion
from tests import factories
from tests.conftest import login_verified
from tests.consent.conftest import DATE_OF_BIRTH, PATIENT_NAME

from .forms import form_data
from .htmlcheck import unsafe_html

pytestmark = pytest.mark.django_db

PAYLOAD_FILE = Path(__file__).with_name("xss_payloads.txt")
ROUNDS = 8
INLINE_ROWS = 2


def load_payloads() -> list[str]:
    lines = PAYLOAD_FILE.read_text(encoding="utf-8").split("\n")
    return [
        line.replace("\\n", "\n") for line in lines if line.strip() and not line.startswith("# ")
    ]


PAYLOADS = load_payloads()


def test_the_corpus_holds_at_least_two_hundred_distinct_payloads():
    assert len(PAYLOADS) >= 200
    assert len(set(PAYLOADS)) == len(PAYLOADS)


def test_each_payload_alone_renders_to_safe_markdown_html():
    problems = []
    for payload in PAYLOADS:
        for html in (str(render_markdown(payload)), str(sanitize_html(payload))):
            problems += [f"{payload!r}: {problem}" for problem in unsafe_html(html)]
    assert not problems, "\n".join(problems[:30])


# Through admin ----------------------------------------------------------------------------


def text_fields(model) -> list[models.Field]:
    """The fields an admin types text into: free text, not choices, slugs or dates."""
    return [
        field
        for field in model._meta.get_fields()
        if isinstance(field, models.CharField | models.TextField)
        and not isinstance(field, models.SlugField | models.EmailField | models.URLField)
        and field.editable
        and not field.choices
    ]


def inline_prefixes(procedure) -> dict[str, type[models.Model]]:
    """Inline formset prefix (the related name) → model, for every inline of the admin form."""
    from django.contrib import admin

    model_admin = admin.site._registry[Procedure]
    found = {}
    for inline in model_admin.inlines:
        fk = next(
            field
            for field in inline.model._meta.get_fields()
            if isinstance(field, models.ForeignKey) and field.related_model is Procedure
        )
        found[fk.remote_field.get_accessor_name()] = inline.model
    return found


# Fields written one line per answer: each line holds the payload on its own.
ONE_LINE_PER_ANSWER = {"choices", "choice_explanations"}


def is_markdown(field: models.Field) -> bool:
    return isinstance(field, models.TextField) and field.name not in ONE_LINE_PER_ANSWER


def payload_value(round_number, field_index, field: models.Field, rows: int, row: int):
    """This round's text for one field, and which payloads it holds.

    Free text gets a chunk of payloads, one after another; the chunks move on every round so
    that over ROUNDS rounds each Markdown field (all its rows together) holds every payload.
    A one-line field gets a single payload, cut to its length.
    """
    if is_markdown(field):
        chunk = math.ceil(len(PAYLOADS) / (ROUNDS * rows))
        start = (round_number * rows + row) * chunk + field_index * 7
        picked = [(start + i) % len(PAYLOADS) for i in range(chunk)]
        return "\n\n".join(PAYLOADS[i] for i in picked), picked
    picked = (round_number * 31 + field_index) % len(PAYLOADS)
    payload = PAYLOADS[picked].replace("\n", " ")
    if field.name == "choices":  # one answer per line: the payload is the third answer
        return f"Yes\nNo\n{payload[:200]}", [picked]
    if field.name == "choice_explanations":  # why the two wrong answers are wrong; a dash
        return f"{payload}\n{payload}\n-", [picked]
    return (payload[: field.max_length] if field.max_length else payload), [picked]


def admin_change(client, procedure, round_number, placed: dict) -> None:
    """Fill the change form with this round's payloads and save it, as an admin would.

    `placed` collects, per (model, field), the payload indexes typed into it.
    """
    url = reverse("admin:education_procedure_change", args=[procedure.pk])
    page = client.get(url)
    assert page.status_code == 200
    data = form_data(page.text, "procedure_form")
    data["_save"] = "Save"
    kinds = [("", Procedure, 1)] + [
        (prefix, model, INLINE_ROWS) for prefix, model in inline_prefixes(procedure).items()
    ]
    field_index = 0
    for prefix, model, rows in kinds:
        for field in text_fields(model):
            field_index += 1
            for row in range(rows):
                name = f"{prefix}-{row}-{field.name}" if prefix else field.name
                if name not in data:
                    continue
                data[name], picked = payload_value(round_number, field_index, field, rows, row)
                placed.setdefault((model.__name__, field.name, is_markdown(field)), []).extend(
                    picked
                )
    response = client.post(url, data)
    if response.status_code != 302:
        errors = re.findall(r'<ul class="errorlist[^"]*"[^>]*>(.*?)</ul>', response.text, re.S)
        pytest.fail(f"admin refused the round {round_number} form: {errors[:5]}")


def admin_publish(client, procedure) -> ProcedureVersion:
    url = reverse("admin:education_procedure_publish", args=[procedure.pk])
    before = procedure.versions.count()
    data = form_data(client.get(url).text)
    response = client.post(url, data)
    assert response.status_code == 302
    assert procedure.versions.count() == before + 1, "admin did not publish"
    return procedure.versions.order_by("-number").first()


def pdf_problems(data: bytes) -> list[str]:
    from django.conf import settings

    problems = []
    reader = PdfReader(io.BytesIO(data))
    raw = data
    for marker in (b"/JavaScript", b"/JS ", b"/Launch", b"/SubmitForm", b"/ImportData"):
        if marker in raw:
            problems.append(f"PDF holds {marker.decode()}")
    for page in reader.pages:
        for annotation in page.get("/Annots") or []:
            action = annotation.get_object().get("/A")
            if action is None:
                continue
            uri = str(action.get_object().get("/URI", ""))
            if uri and not uri.startswith(settings.SITE_URL):
                problems.append(f"PDF links to {uri[:80]!r}")
    return problems


def walk_wizard(world_pages, client, invitation):
    """Every wizard page as the patient sees it, a wrong answer included; then sign."""
    content = ConsentDraft.objects.get(invitation=invitation).version.content

    def step(slug):
        return reverse("consent:step", kwargs={"step": slug})

    world_pages.append(("esign", client.get(reverse("consent:esign"))))
    client.post(reverse("consent:esign"), {"agree": "on"})
    posts = [
        ("about", {"agree": "on"}),
        ("side-effects", {f"item_{row['id']}": "on" for row in content["side_effects"]}),
        ("injected", {"agree": "on"}),
        ("practitioner", {f"item_{row['id']}": "on" for row in content["checklist"]}),
    ]
    for slug, data in posts:
        world_pages.append((slug, client.get(step(slug))))
        assert client.post(step(slug), data).status_code == 302, slug
    world_pages.append(("understanding", client.get(step("understanding"))))
    wrong = {
        f"question_{row['id']}": 1 if row["correct_choice"] != 1 else 2
        for row in content["comprehension"]
    }
    world_pages.append(("understanding, wrong answers", client.post(step("understanding"), wrong)))
    right = {f"question_{row['id']}": row["correct_choice"] for row in content["comprehension"]}
    assert client.post(step("understanding"), right).status_code == 302
    world_pages.append(("questions", client.get(step("questions"))))
    question = PAYLOADS[len(world_pages) % len(PAYLOADS)]
    assert client.post(step("questions"), {"questions": question}).status_code == 302
    world_pages.append(("sign", client.get(step("sign"))))
    signed = client.post(step("sign"), {"typed_name": PATIENT_NAME, "agree": "on"})
    assert signed.status_code == 302, signed.status_code
    world_pages.append(("receipt", client.get(reverse("consent:record"))))
    world_pages.append(("withdraw", client.get(reverse("consent:withdraw"))))


def test_payloads_saved_through_admin_never_reach_a_patient_page_as_script(
    clinic, invite, client, django_capture_on_commit_callbacks
):
    started = time.monotonic()
    procedure = clinic["procedure"]
    for factory in (
        factories.IngredientFactory,
        factories.IndicationFactory,
        factories.SideEffectFactory,
        factories.ChecklistItemFactory,
        factories.ComprehensionQuestionFactory,
        factories.QuestionAnswerFactory,
    ):
        while factory._meta.model.objects.filter(procedure=procedure).count() < INLINE_ROWS:
            factory(procedure=procedure)
    admin_client = login_verified(client, clinic["admin"])
    practitioner_client = login_verified(Client(), clinic["practitioner"].user)
    clinic["practitioner"].user.groups.add(Group.objects.get(name=PRACTITIONERS))
    problems, placed, pages_checked, pdfs = [], {}, 0, 0
    for round_number in range(ROUNDS):
        admin_change(admin_client, procedure, round_number, placed)
        version = admin_publish(admin_client, procedure)
        for key, value in version.content["procedure"].items():
            if key.endswith("_html"):
                problems += [f"stored {key}: {p}" for p in unsafe_html(value)]

        pages = [
            ("home", Client().get(reverse("home"))),
            ("library", Client().get(reverse("education:procedure_library"))),
            ("procedure", Client().get(procedure.get_absolute_url())),
            ("version", Client().get(version.get_absolute_url())),
        ]
        invitation, token = invite()
        patient = Client()
        opened = patient.post(
            reverse("consent:open", kwargs={"token": token}),
            {"date_of_birth": DATE_OF_BIRTH.isoformat()},
        )
        assert opened.status_code == 302
        with django_capture_on_commit_callbacks(execute=True):
            walk_wizard(pages, patient, invitation)
        pdf = patient.get(reverse("consent:record_pdf"))
        pdf_bytes = b"".join(pdf.streaming_content)
        problems += [f"round {round_number}, PDF: {p}" for p in pdf_problems(pdf_bytes)]
        pdfs += 1
        record = invitation.record
        pages.append(
            (
                "practice record",
                practitioner_client.get(reverse("practice:record", args=[record.code])),
            )
        )
        shown = dict(pages)
        for name in ("procedure", "version", "side-effects", "understanding, wrong answers"):
            assert "alert" in shown[name].text, f"the payloads did not reach the {name} page"
        for name, response in pages:
            assert response.status_code in (200, 400), (name, response.status_code)
            pages_checked += 1
            problems += [
                f"round {round_number}, {name}: {problem}" for problem in unsafe_html(response.text)
            ]

    markdown_fields = [key for key in placed if key[2]]
    typed = sum(len(indexes) for indexes in placed.values())
    print(
        f"\nXSS corpus: {len(PAYLOADS)} payloads, each into each of {len(markdown_fields)} "
        f"Markdown fields; {typed} placements typed into admin over "
        f"{ROUNDS} published versions; {pages_checked} patient pages and {pdfs} PDFs parsed in "
        f"{time.monotonic() - started:.1f} s; {len(problems)} problems"
    )
    assert not problems, "\n".join(problems[:40])
    assert len(markdown_fields) >= 16
    for key in markdown_fields:
        assert set(placed[key]) == set(range(len(PAYLOADS))), f"{key} missed payloads"


@pytest.mark.parametrize(
    "html",
    [
        "<script>alert(1)</script>",
        '<script src="https://evil.example/x.js"></script>',
        '<img src="https://evil.example/x.png">',
        '<a href="javascript:alert(1)">x</a>',
        '<a href="jav&#x09;ascript:alert(1)">x</a>',
        '<p onclick="alert(1)">x</p>',
        '<p style="color:red">x</p>',
        '<iframe src="/x"></iframe>',
        '<link rel="stylesheet" href="https://evil.example/x.css">',
        '<meta http-equiv="refresh" content="0;url=https://evil.example/">',
        '<form action="https://evil.example/"></form>',
        "<svg><a href='/x'>x</a></svg>",
        "<style>p{}</style>",
    ],
)
def test_the_checker_finds_each_kind_of_danger(html):
    assert unsafe_html(html)


def test_the_checker_accepts_our_own_static_files_and_plain_links():
    html = (
        '<link rel="stylesheet" href="/static/css/portal.css">'
        '<script src="/static/js/print.js" defer></script>'
        '<a href="https://example.org/" rel="noopener noreferrer">a link</a>'
        '<a href="mailto:care@clinic.example">mail</a>'
    )
    assert unsafe_html(html) == []
