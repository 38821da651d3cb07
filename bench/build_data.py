"""Build the benchmark's clinic: 20 procedures, 200 practitioners, 100,000 signed records.

Run by `bench.run` against its own database (`DATABASE_URL=postgres://…/bench`), after
`migrate`:

    python -m bench.build_data --manifest /tmp/bench/manifest.json [--records 100000]

Everything goes through the real models and hash functions, in bulk:

- procedures are the mesotherapy demo content under twenty names, each published as version 1
  three years ago; half get a material version 2 six months ago (so their older records are
  stale), a few a non-material one;
- every practitioner has the four credentials the checklist asks for, verified and in date;
- each signed record's payload is what `consent.records.build_payload` makes for its
  practitioner and version, with the patient, times and answers of that record; its content,
  record and event digests are computed with `consent.records`, and the records chain from the
  genesis hash in id order, so `manage.py verify_consent_records` passes over them;
- PDFs: a real WeasyPrint copy per record would be ~2 GB and take hours, so records share a few
  real PDFs (rendered from one of them each). Verification still reads and hashes every record's
  file; the chain digest covers the file name, which is all that sharing changes.

It also makes what the load driver needs: staff accounts with backup codes (the driver signs in
once per virtual user), and open invitations with known link tokens whose drafts are complete,
for the wizard pages and for signing. The manifest lists them.
"""

import argparse
import datetime
import json
import os
import random
import secrets
import sys
import time
from pathlib import Path

import django

from .build_engagement import EngagementLoader

SIGNED_RECORDS = 100_000
PROCEDURE_COUNT = 20
PRACTITIONER_COUNT = 200
LOCATION_COUNT = 10
SHARED_PDFS = 8
WIZARD_INVITATIONS = 64
SIGNING_INVITATIONS = 1_500
OPEN_INVITATIONS = 3_000
EXPIRED_INVITATIONS = 1_000
CLOSED_INVITATIONS = 500
BACKUP_CODES = 60
PERFORMS_STEPS = (0, 5, 11, 16)  # practitioner n performs procedures n, n+5, ... (mod 20)
BATCH = 2_000
PASSWORD = "bench-staff-password-2026"  # noqa: S105 - a throwaway benchmark database.
BENCH_DATE_OF_BIRTH = datetime.date(1986, 5, 17)
BENCH_PATIENT = "Jordan Bench"
USER_AGENT = "Mozilla/5.0 (iPhone; CPU iPhone OS 18_0 like Mac OS X) Safari/605.1.15"

PROCEDURE_NAMES = [
    "Mesotherapy",
    "Botulinum toxin injections",
    "Dermal fillers",
    "Chemical peel",
    "Microneedling",
    "Platelet-rich plasma for hair",
    "Laser hair removal",
    "Sclerotherapy",
    "Deoxycholic acid injections",
    "Thread lift",
    "Microdermabrasion",
    "Intense pulsed light",
    "Cryolipolysis",
    "Radiofrequency skin tightening",
    "Laser tattoo removal",
    "Vitamin injections",
    "Lip augmentation",
    "Skin booster injections",
    "Polynucleotide injections",
    "Hyaluronidase injections",
]
JURISDICTIONS = ["New York", "New Jersey", "Connecticut"]
FIRST_NAMES = ["Alex", "Sam", "Jordan", "Riley", "Morgan", "Casey", "Taylor", "Jamie", "Avery"]
LAST_NAMES = ["Rivera", "Chen", "Patel", "Okafor", "Novak", "Silva", "Haddad", "Larsen", "Moreau"]
QUESTIONS = [
    "Will it hurt, and can I drive home afterwards?",
    "How many sessions will I need?",
    "Can I take ibuprofen before the treatment?",
]


def log(message: str) -> None:
    print(f"[build_data {time.strftime('%H:%M:%S')}] {message}", flush=True)


def record_code(index: int) -> str:
    """A distinct, random-looking record code per index (a bijection on 40 bits)."""
    from consent.tokens import RECORD_CODE_ALPHABET

    value = (index * 0x9E3779B1 + 0x5DEECE66D) % (1 << 40)
    chars = "".join(RECORD_CODE_ALPHABET[(value >> (5 * n)) & 31] for n in range(8))
    return f"CR-{chars[:4]}-{chars[4:]}"


def iso(moment: datetime.datetime) -> str:
    return moment.isoformat()


# The three big tables are loaded with COPY: Django's bulk_create spends ~2.5 ms a record
# building and adapting its INSERT (JSON inside arrays), which is four minutes for 100,000.
INVITATION_COLUMNS = (
    "id",
    "patient_name",
    "patient_email",
    "patient_date_of_birth",
    "procedure_id",
    "practitioner_id",
    "location_id",
    "formulation_id",
    "minimum_decision_hours",
    "expires_at",
    "token_hash",
    "created_by_id",
    "created_at",
    "sent_at",
    "failed_attempts",
    "first_opened_at",
)
RECORD_COLUMNS = (
    "id",
    "code",
    "invitation_id",
    "version_id",
    "version_hash",
    "payload",
    "content_sha256",
    "signed_at",
    "ip_address",
    "user_agent",
    "pdf",
    "pdf_sha256",
    "previous_hash",
    "record_hash",
)
# Each record's PDF copy (issue 15: made by a worker after signing, one row per record); the
# benchmark's records are all "made" already, with the same id as their record.
RECORD_PDF_COLUMNS = ("id", "record_id", "file", "sha256", "rendered_at")
EVENT_COLUMNS = (
    "id",
    "record_id",
    "kind",
    "occurred_at",
    "actor_id",
    "actor_label",
    "ip_address",
    "user_agent",
    "data",
    "previous_hash",
    "event_hash",
)


def copy_rows(model, columns: tuple[str, ...], rows: list[tuple]) -> None:
    """COPY `rows` (values in `columns` order, JSON already as text) into `model`'s table.

    Columns not listed get the field's default (or NULL), so a field added to the model later
    does not break the benchmark.
    """
    from django.db import connection

    fields = {field.column: field for field in model._meta.concrete_fields}
    unknown = set(columns) - set(fields)
    if unknown:
        raise ValueError(f"{model.__name__} has no columns {sorted(unknown)}")
    extra = {}
    for column, field in fields.items():
        if column in columns or column == "id" or field.generated or field.has_db_default():
            continue  # the database fills it (a db_default) or derives it
        if field.has_default():
            extra[column] = field.get_db_prep_save(field.get_default(), connection)
        elif field.null:
            extra[column] = None
        else:
            raise ValueError(f"{model.__name__}.{field.name} needs a value in the benchmark")
    table = connection.ops.quote_name(model._meta.db_table)
    names = ", ".join(connection.ops.quote_name(column) for column in (*columns, *extra))
    tail = tuple(extra.values())
    with (
        connection.cursor() as cursor,
        cursor.cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy,
    ):
        for row in rows:
            copy.write_row(row + tail)


# Since when signing has left the PDF to a task worker (issue 15), counted back from "now".
WORKER_PDFS_SINCE = datetime.timedelta(days=180)


def calm_screening_answers(content: dict) -> dict:
    """Answers to the version's health questions that ask for no review and stop nothing (the
    first such option of each question; short text or a date otherwise), so signing goes ahead."""
    answers = {}
    for question in content.get("screening", []):
        calm = [
            option["id"]
            for option in question["options"]
            if not (option["needs_review"] or option["stop"])
        ]
        if question["answer_type"] == "several_choices":
            answers[str(question["id"])] = calm[:1]
        elif question["options"]:
            answers[str(question["id"])] = calm[0]
        elif question["answer_type"] == "date":
            answers[str(question["id"])] = "2020-01-01"
        else:
            answers[str(question["id"])] = "None"
    return answers


class Builder:
    def __init__(self, *, records: int, seed: int = 2026):
        from django.utils import timezone

        self.records = records
        self.random = random.Random(seed)  # noqa: S311 - reproducible data, not secrets
        self.now = timezone.now().replace(microsecond=0)
        self.payload_templates: dict[tuple[int, int], dict] = {}

    # Staff ----------------------------------------------------------------------------------

    def staff(self):
        from django.contrib.auth import get_user_model
        from django.contrib.auth.hashers import make_password
        from django.contrib.auth.models import Group
        from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
        from django_otp.plugins.otp_totp.models import TOTPDevice

        from accounts import roles
        from consent.models import Practitioner

        user_model = get_user_model()
        password_hash = make_password(PASSWORD)  # hashed once: 200 hashes would take a minute
        admin = user_model.objects.create(
            username="bench-admin",
            first_name="Bench",
            last_name="Admin",
            email="bench-admin@clinic.example",
            is_staff=True,
            password=password_hash,
        )
        admin.groups.add(Group.objects.get(name=roles.CLINIC_ADMINS))
        users = user_model.objects.bulk_create(
            user_model(
                username=f"practitioner-{n:03d}",
                first_name=self.random.choice(FIRST_NAMES),
                last_name=self.random.choice(LAST_NAMES),
                email=f"practitioner-{n:03d}@clinic.example",
                password=password_hash,
            )
            for n in range(1, PRACTITIONER_COUNT + 1)
        )
        group = Group.objects.get(name=roles.PRACTITIONERS)
        membership = user_model.groups.through
        membership.objects.bulk_create(
            membership(user_id=user.pk, group_id=group.pk) for user in users
        )
        practitioners = Practitioner.objects.bulk_create(
            Practitioner(
                user=user,
                display_name=f"Dr. {user.first_name} {user.last_name} ({user.username[-3:]}), MD",
                profession=self.random.choice(
                    ["Dermatologist", "Plastic surgeon", "Nurse practitioner", "Physician"]
                ),
                years_of_experience=self.random.randint(3, 30),
            )
            for user in users
        )
        codes = {}
        for user in (admin, users[0]):
            # An authenticator app as staff normally have, and backup codes the driver signs in
            # with (one per virtual user): a code from the app would need the clock.
            TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=True)
            device = StaticDevice.objects.create(user=user, name="Bench backup codes")
            codes[user.username] = [secrets.token_hex(5) for _ in range(BACKUP_CODES)]
            StaticToken.objects.bulk_create(
                StaticToken(device=device, token=code) for code in codes[user.username]
            )
        self.admin = admin
        self.practitioners = practitioners
        self.staff_codes = codes
        log(f"{len(practitioners)} practitioners and a clinic admin")

    # Procedures -----------------------------------------------------------------------------

    def procedures(self):
        from django.db import transaction

        from education import demo
        from education.content import build_snapshot, content_hash, version_diff
        from education.models import (
            Procedure,
            ProcedureVersion,
        )
        from education.selectors import procedure_for_snapshot

        # The mesotherapy demo draft, without its publish-now step: versions here have a past.
        with transaction.atomic():
            meso = demo.demo_draft_sync(demo.ENGLISH)
        source = procedure_for_snapshot(procedure_id=meso.pk)
        related = [
            "ingredients",
            "indications",
            "side_effects",
            "checklist_items",
            "comprehension_questions",
            "questions_answers",
        ]
        v1_at = self.now - datetime.timedelta(days=3 * 365)
        v2_at = self.now - datetime.timedelta(days=182)
        self.versions = {}  # procedure id -> [v1, v2?]
        self.material = set()
        procedures = []
        for index, name in enumerate(PROCEDURE_NAMES):
            if index == 0:
                procedure = source
            else:
                procedure = Procedure.objects.get(pk=source.pk)
                procedure.pk = None
                procedure.name = name
                procedure.slug = name.lower().replace(" ", "-").replace("(", "").replace(")", "")
                procedure.summary = source.summary.replace("Mesotherapy", name)
                procedure.save()
                for relation in related:
                    rows = list(getattr(source, relation).all())
                    model = type(rows[0]) if rows else None
                    for row in rows:
                        row.pk = None
                        row.procedure = procedure
                    if model:
                        model.objects.bulk_create(rows)
            procedures.append(procedure)

        def publish(procedure, number, published_at, previous=None):
            fresh = procedure_for_snapshot(procedure_id=procedure.pk)
            snapshot = build_snapshot(fresh)
            diff = version_diff(previous.content if previous else None, snapshot)
            version = ProcedureVersion(
                procedure=fresh,
                number=number,
                name=fresh.name,
                other_names=", ".join(fresh.other_names_list),
                summary=fresh.summary,
                content=snapshot,
                content_hash=content_hash(snapshot),
                change_summary=diff.summary() if previous else "First published version.",
                is_material_change=previous is not None and diff.is_material,
                published_by=self.admin,
                published_at=published_at,
            )
            version.save()
            return version

        for index, procedure in enumerate(procedures):
            v1 = publish(procedure, 1, v1_at)
            chain = [v1]
            if index % 2 == 1:  # material: a side effect explained differently
                side_effect = procedure.side_effects.order_by("position").first()
                side_effect.explanation += " It can last longer in people who bruise easily."
                side_effect.save()
                chain.append(publish(procedure, 2, v2_at, previous=v1))
                self.material.add(procedure.pk)
            elif index % 4 == 2:  # not material: the summary reworded
                procedure.summary += " Ask the clinic for a printed copy."
                procedure.save()
                chain.append(publish(procedure, 2, v2_at, previous=v1))
            self.versions[procedure.pk] = chain
        self.procedure_list = procedures
        self.wizard_version = self.versions[procedures[0].pk][-1]
        log(
            f"{len(procedures)} procedures, "
            f"{sum(len(v) for v in self.versions.values())} published versions"
        )

    # The clinic -----------------------------------------------------------------------------

    def clinic(self):
        from consent.models import (
            Approval,
            Credential,
            CredentialKind,
            Formulation,
            FormulationIngredient,
            Location,
            ProcedureExperience,
            Regulation,
            RegulatoryStatus,
        )

        self.locations = Location.objects.bulk_create(
            Location(
                name=f"Riverside Skin Clinic — site {n}",
                address=f"{100 + n} Riverside Avenue\nSuite {n}",
                jurisdiction=JURISDICTIONS[n % len(JURISDICTIONS)],
            )
            for n in range(1, LOCATION_COUNT + 1)
        )
        RegulatoryStatus.objects.bulk_create(
            RegulatoryStatus(
                procedure=procedure,
                jurisdiction=jurisdiction,
                status=Regulation.CONDITIONS,
                note="Must be performed or supervised by a licensed physician.",
                source="Benchmark data",
                checked_on=datetime.date(2023, 1, 10),
            )
            for procedure in self.procedure_list
            for jurisdiction in JURISDICTIONS
        )
        self.formulations = {}
        for procedure in self.procedure_list:
            formulation = Formulation.objects.create(
                procedure=procedure,
                name=f"{procedure.name} mix",
                manufacturer="Example Compounding Pharmacy",
                lot_number=f"LOT-{procedure.pk:05d}",
                expires_on=datetime.date(2099, 6, 30),
                regulatory_status=Approval.COMPOUNDED,
                regulatory_note="Not approved as a product for this use.",
            )
            FormulationIngredient.objects.bulk_create(
                [
                    FormulationIngredient(
                        formulation=formulation,
                        name="Phosphatidylcholine",
                        concentration="50 mg/mL",
                        position=1,
                    ),
                    FormulationIngredient(
                        formulation=formulation,
                        name="Sodium deoxycholate",
                        concentration="42 mg/mL",
                        position=2,
                    ),
                ]
            )
            self.formulations[procedure.pk] = formulation
        kinds = [kind for kind in CredentialKind.values if kind != CredentialKind.OTHER]
        Credential.objects.bulk_create(
            Credential(
                practitioner=practitioner,
                kind=kind,
                title=f"{kind.replace('_', ' ').capitalize()}",
                issuing_body="American Board of Aesthetic Medicine",
                number=f"AB-{practitioner.pk:04d}-{n}",
                jurisdiction="New York",
                issued_on=datetime.date(2015, 3, 1),
                expires_on=datetime.date(2099, 3, 1),
                verified_by=self.admin,
                verified_on=datetime.date(2020, 6, 1),
            )
            for practitioner in self.practitioners
            for n, kind in enumerate(kinds)
        )
        # Each practitioner performs a few of the procedures, as in a real clinic group.
        self.performs = [
            [self.procedure_list[(n + step) % PROCEDURE_COUNT] for step in PERFORMS_STEPS]
            for n in range(PRACTITIONER_COUNT)
        ]
        ProcedureExperience.objects.bulk_create(
            ProcedureExperience(
                practitioner=practitioner,
                procedure=procedure,
                times_performed=self.random.randint(5, 400),
            )
            for practitioner, procedures in zip(self.practitioners, self.performs, strict=True)
            for procedure in procedures
        )
        log(f"{len(self.locations)} locations, credentials, formulations, experience")

    def location_of(self, practitioner_index: int):
        return self.locations[practitioner_index % len(self.locations)]

    # Payloads -------------------------------------------------------------------------------

    def _template(self, practitioner_index: int, version) -> dict:
        """`build_payload` for this practitioner and version, made once and reused."""
        key = (practitioner_index, version.pk)
        template = self.payload_templates.get(key)
        if template is not None:
            return template
        from consent.models import ConsentDraft, ConsentInvitation
        from consent.records import build_payload

        practitioner = self.practitioners_prefetched[practitioner_index]
        formulation = self.formulations_prefetched[version.procedure_id]
        content = version.content
        invitation = ConsentInvitation(
            patient_name=BENCH_PATIENT,
            patient_email="patient@example.com",
            patient_date_of_birth=BENCH_DATE_OF_BIRTH,
            procedure_id=version.procedure_id,
            practitioner=practitioner,
            location=self.location_of(practitioner_index),
            formulation=formulation,
        )
        moment = iso(self.now)
        draft = ConsentDraft(
            version=version,
            esign_agreed_at=self.now,
            answers={
                "about": {"acknowledged_at": moment},
                "formulation": {"acknowledged_at": moment},
                "side_effects": {str(row["id"]): moment for row in content["side_effects"]},
                "practitioner": {str(row["id"]): moment for row in content["checklist"]},
                "comprehension": {
                    "attempts": [
                        {
                            "question_id": row["id"],
                            "choice": row["correct_choice"],
                            "correct": True,
                            "at": moment,
                        }
                        for row in content["comprehension"]
                    ]
                },
                "questions": {"text": "", "saved_at": moment},
            },
        )
        template = build_payload(
            invitation=invitation,
            draft=draft,
            typed_name=BENCH_PATIENT,
            drawn_signature="",
            signed_at=self.now,
        )
        self.payload_templates[key] = template
        return template

    def payload(
        self, *, practitioner_index, version, patient, signed_at, questions, invitation_id=None
    ) -> dict:
        template = self._template(practitioner_index, version)
        acknowledgements = template["acknowledgements"]
        step = datetime.timedelta(minutes=3)
        attempts = []
        for attempt in template["comprehension"]:
            if self.random.random() < 0.15:  # a wrong first answer, then the right one
                attempts.append(
                    {**attempt, "choice": 1, "correct": False, "at": iso(signed_at - 4 * step)}
                )
            attempts.append({**attempt, "at": iso(signed_at - 3 * step)})
        return {
            **template,
            "patient": patient,
            "esign_agreed_at": iso(signed_at - 9 * step),
            "acknowledgements": {
                "about": iso(signed_at - 8 * step),
                "formulation": iso(signed_at - 6 * step),
                "side_effects": [
                    {**row, "acknowledged_at": iso(signed_at - 7 * step)}
                    for row in acknowledgements["side_effects"]
                ],
            },
            "checklist": [
                {**row, "confirmed_at": iso(signed_at - 5 * step)} for row in template["checklist"]
            ],
            "comprehension": attempts,
            "questions": questions,
            # The record is bound to its own invitation, as signing binds it (payload schema 3).
            "invitation": {
                **template["invitation"],
                "id": invitation_id,
                "patient_name": patient["name"],
                "patient_email": patient["email"],
                "patient_date_of_birth": patient["date_of_birth"],
            },
            "signature": {
                **template["signature"],
                "typed_name": patient["name"],
                "signed_at": iso(signed_at),
            },
        }

    # PDFs -----------------------------------------------------------------------------------

    def shared_pdfs(self):
        """A few real PDF copies, rendered by the portal's own renderer, shared by name."""
        from django.core.files.base import ContentFile
        from django.core.files.storage import default_storage

        from consent.pdf import render_record_pdf
        from consent.records import sha256

        self.pdfs = []
        for n in range(SHARED_PDFS):
            version = self.versions[self.procedure_list[n].pk][0]
            signed_at = self.now - datetime.timedelta(days=400 + n)
            payload = self.payload(
                practitioner_index=n,
                version=version,
                patient=self.patient(n),
                signed_at=signed_at,
                questions="",
            )
            data = render_record_pdf(
                {
                    "code": record_code(10**9 + n),
                    "payload": payload,
                    "content_sha256": "0" * 64,
                    "signed_at": signed_at,
                }
            )
            name = default_storage.save(f"consent-records/bench/shared-{n}.pdf", ContentFile(data))
            self.pdfs.append((name, sha256(data)))
        log(f"{len(self.pdfs)} shared PDF copies ({len(data) // 1024} KB each)")

    def patient(self, n: int) -> dict:
        first = FIRST_NAMES[n % len(FIRST_NAMES)]
        last = LAST_NAMES[(n // len(FIRST_NAMES)) % len(LAST_NAMES)]
        born = datetime.date(1950, 1, 1) + datetime.timedelta(days=(n * 37) % 18_000)
        return {
            "name": f"{first} {last} {n}",
            "date_of_birth": born.isoformat(),
            "email": f"patient{n}@example.com",
        }

    # Signed records -------------------------------------------------------------------------

    def signed_records(self):
        from django.db import transaction

        from consent.models import (
            GENESIS_HASH,
            ConsentEvent,
            ConsentInvitation,
            ConsentRecord,
            Practitioner,
            RecordPdf,
        )
        from consent.records import content_digest, event_digest, record_digest
        from consent.tokens import token_hash

        self.practitioners_prefetched = list(
            Practitioner.objects.filter(pk__in=[p.pk for p in self.practitioners])
            .select_related("user")
            .prefetch_related("credentials")
            .order_by("pk")
        )
        from consent.models import Formulation

        self.formulations_prefetched = {
            f.procedure_id: f
            for f in Formulation.objects.prefetch_related("ingredients").filter(
                pk__in=[f.pk for f in self.formulations.values()]
            )
        }
        self.shared_pdfs()
        # The recent records' wizard trail (bench.build_engagement), loaded with each batch.
        self.engagement = EngagementLoader(now=self.now, copy_rows=copy_rows)

        span = datetime.timedelta(days=3 * 365 - 2)
        start = self.now - span - datetime.timedelta(days=1)
        previous_hash = GENESIS_HASH
        event_id = 0
        self.bench_record_codes = []
        self.verify_codes = []
        started = time.monotonic()
        admin_id = self.admin.pk
        for batch_start in range(0, self.records, BATCH):
            invitations, records, events, record_pdfs = [], [], [], []
            for n in range(batch_start, min(batch_start + BATCH, self.records)):
                pk = n + 1
                signed_at = start + span * (n / self.records)
                signed_at = signed_at.replace(microsecond=(n * 7919) % 1_000_000)
                practitioner_index = self.random.randrange(PRACTITIONER_COUNT)
                practitioner = self.practitioners_prefetched[practitioner_index]
                procedure = self.random.choice(self.performs[practitioner_index])
                chain = self.versions[procedure.pk]
                version = chain[-1] if chain[-1].published_at <= signed_at else chain[0]
                patient = self.patient(n)
                questions = self.random.choice(QUESTIONS) if self.random.random() < 0.5 else ""
                created_at = signed_at - datetime.timedelta(days=self.random.randint(1, 10))
                invitations.append(
                    (
                        pk,
                        patient["name"],
                        patient["email"],
                        patient["date_of_birth"],
                        procedure.pk,
                        practitioner.pk,
                        self.location_of(practitioner_index).pk,
                        self.formulations[procedure.pk].pk,
                        0,
                        created_at + datetime.timedelta(days=14),
                        token_hash(f"bench-signed-{n}"),
                        admin_id,
                        created_at,
                        created_at,
                        0,
                        signed_at - datetime.timedelta(minutes=40),
                    )
                )
                payload = self.payload(
                    practitioner_index=practitioner_index,
                    version=version,
                    patient=patient,
                    signed_at=signed_at,
                    questions=questions,
                    invitation_id=pk,
                )
                engagement = self.engagement.signed(
                    invitation_id=pk,
                    version=version,
                    sent_at=created_at,
                    opened_at=signed_at - datetime.timedelta(minutes=40),
                    signed_at=signed_at,
                    attempts=payload["comprehension"],
                )
                if engagement is not None:  # frozen into the payload, as signing does
                    payload["engagement"] = engagement
                code = record_code(n)
                ip_address = f"198.51.100.{n % 250 + 1}"
                content_sha256 = content_digest(
                    code=code,
                    version_hash=version.content_hash,
                    payload=payload,
                    signed_at=signed_at,
                    ip_address=ip_address,
                    user_agent=USER_AGENT,
                )
                pdf_name, pdf_sha256 = self.pdfs[n % len(self.pdfs)]
                # Records signed in the last half year were signed as today: the PDF is made by
                # a worker after signing, so the record names none (only its RecordPdf row
                # does). Older ones were signed with their PDF named in their hash.
                legacy = signed_at < self.now - WORKER_PDFS_SINCE
                record_pdf_name, record_pdf_sha256 = (pdf_name, pdf_sha256) if legacy else ("", "")
                record_hash = record_digest(
                    content_sha256=content_sha256,
                    pdf_name=record_pdf_name,
                    pdf_sha256=record_pdf_sha256,
                    previous_hash=previous_hash,
                )
                records.append(
                    (
                        pk,
                        code,
                        pk,
                        version.pk,
                        version.content_hash,
                        json.dumps(payload, ensure_ascii=False),
                        content_sha256,
                        signed_at,
                        ip_address,
                        USER_AGENT,
                        record_pdf_name,
                        record_pdf_sha256,
                        previous_hash,
                        record_hash,
                    )
                )
                record_pdfs.append((pk, pk, pdf_name, pdf_sha256, signed_at))
                previous_hash = record_hash
                if practitioner_index == 0:
                    self.bench_record_codes.append(code)
                if n % 97 == 0:
                    self.verify_codes.append(code)

                # The record's events, each chained to the one before.
                trail = [("signed", signed_at, None, "patient", ip_address, USER_AGENT, {})]
                later = signed_at
                staff_label = practitioner.display_name
                staff_id = practitioner.user_id
                if self.random.random() < 0.3:
                    later += datetime.timedelta(hours=self.random.randint(1, 30))
                    trail.append(("viewed", later, None, "patient", ip_address, USER_AGENT, {}))
                answered = False
                if questions and self.random.random() < 0.75:
                    later += datetime.timedelta(hours=self.random.randint(2, 60))
                    answer = {"answer": "Yes. We will talk it through at your appointment."}
                    trail.append(
                        ("question_answered", later, staff_id, staff_label, "10.0.0.8", "", answer)
                    )
                    answered = True
                if (not questions or answered) and self.random.random() < 0.6:
                    later += datetime.timedelta(hours=self.random.randint(2, 60))
                    countersign = {
                        "typed_name": staff_label,
                        "statement": "I have discussed this consent with the patient.",
                    }
                    trail.append(
                        ("countersigned", later, staff_id, staff_label, "10.0.0.8", "", countersign)
                    )
                if self.random.random() < 0.03:
                    later += datetime.timedelta(days=self.random.randint(1, 20))
                    reason = {"reason": "I changed my mind."}
                    trail.append(
                        ("withdrawn", later, None, "patient", ip_address, USER_AGENT, reason)
                    )
                previous_event = record_hash
                for kind, occurred_at, actor_id, label, ip, agent, data in trail:
                    occurred_at = min(occurred_at, self.now - datetime.timedelta(minutes=5))
                    event_id += 1
                    event_hash = event_digest(
                        record_code=code,
                        kind=kind,
                        occurred_at=occurred_at,
                        actor_id=actor_id,
                        actor_label=label,
                        ip_address=ip,
                        user_agent=agent,
                        data=data,
                        previous_hash=previous_event,
                    )
                    events.append(
                        (
                            event_id,
                            pk,
                            kind,
                            occurred_at,
                            actor_id,
                            label,
                            ip,
                            agent,
                            json.dumps(data),
                            previous_event,
                            event_hash,
                        )
                    )
                    previous_event = event_hash
            with transaction.atomic():
                copy_rows(ConsentInvitation, INVITATION_COLUMNS, invitations)
                copy_rows(ConsentRecord, RECORD_COLUMNS, records)
                copy_rows(ConsentEvent, EVENT_COLUMNS, events)
                copy_rows(RecordPdf, RECORD_PDF_COLUMNS, record_pdfs)
                self.engagement.flush()
            done = batch_start + len(records)
            if done % 20_000 == 0 or done == self.records:
                rate = done / (time.monotonic() - started)
                log(f"{done} signed records ({event_id} events), {rate:.0f} records/s")
        self.event_count = event_id
        self._reset_sequences()
        self.engagement.reset_sequence()
        log(f"recent records' engagement: {self.engagement.summary()}")

    def _reset_sequences(self):
        from django.db import connection

        with connection.cursor() as cursor:
            for table in (
                "consent_consentinvitation",
                "consent_consentrecord",
                "consent_consentevent",
                "consent_recordpdf",
            ):
                cursor.execute(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "  # noqa: S608
                    f"(SELECT max(id) FROM {table}))"
                )

    # Invitations that are not signed -----------------------------------------------------------

    def open_invitations(self):
        """Unsigned invitations in every state, and the driver's own with complete drafts."""
        from django.db import transaction

        from consent.models import ConsentDraft, ConsentInvitation
        from consent.tokens import token_hash

        def invitation(n, *, created_at, token, **extra):
            practitioner_index = n % PRACTITIONER_COUNT
            procedure = extra.pop("procedure", None) or self.procedure_list[n % PROCEDURE_COUNT]
            patient = extra.pop("patient", None) or self.patient(self.records + n)
            return ConsentInvitation(
                patient_name=patient["name"],
                patient_email=patient["email"],
                patient_date_of_birth=datetime.date.fromisoformat(patient["date_of_birth"]),
                procedure_id=procedure.pk,
                practitioner_id=self.practitioners[practitioner_index].pk,
                location=self.location_of(practitioner_index),
                formulation=self.formulations[procedure.pk],
                token_hash=token_hash(token),
                created_by=self.admin,
                created_at=created_at,
                sent_at=created_at,
                **extra,
            )

        rows = []
        for n in range(OPEN_INVITATIONS):
            created_at = self.now - datetime.timedelta(hours=self.random.randint(1, 300))
            opened = created_at + datetime.timedelta(hours=1) if n % 3 == 0 else None
            rows.append(
                invitation(
                    n,
                    created_at=created_at,
                    token=f"bench-open-{n}",
                    expires_at=created_at + datetime.timedelta(days=14),
                    first_opened_at=opened,
                )
            )
        for n in range(EXPIRED_INVITATIONS):
            created_at = self.now - datetime.timedelta(days=self.random.randint(20, 900))
            rows.append(
                invitation(
                    OPEN_INVITATIONS + n,
                    created_at=created_at,
                    token=f"bench-expired-{n}",
                    expires_at=created_at + datetime.timedelta(days=14),
                )
            )
        for n in range(CLOSED_INVITATIONS):
            created_at = self.now - datetime.timedelta(days=self.random.randint(1, 900))
            rows.append(
                invitation(
                    OPEN_INVITATIONS + EXPIRED_INVITATIONS + n,
                    created_at=created_at,
                    token=f"bench-closed-{n}",
                    expires_at=created_at + datetime.timedelta(days=14),
                    withdrawn_at=created_at + datetime.timedelta(days=2),
                )
            )

        # The driver's patients: every draft complete, so each step opens and signing works.
        version = self.wizard_version
        content = version.content
        moment = iso(self.now)
        answers = {
            "about": {"acknowledged_at": moment},
            "formulation": {"acknowledged_at": moment},
            "side_effects": {str(row["id"]): moment for row in content["side_effects"]},
            "practitioner": {str(row["id"]): moment for row in content["checklist"]},
            "comprehension": {
                "attempts": [
                    {
                        "question_id": row["id"],
                        "choice": row["correct_choice"],
                        "correct": True,
                        "at": moment,
                    }
                    for row in content["comprehension"]
                ]
            },
            "questions": {"text": "Will it hurt?", "saved_at": moment},
            "screening": {"saved_at": moment, "answers": calm_screening_answers(content)},
        }
        driver = []
        tokens = {"wizard": [], "signing": []}
        for purpose, count in (("wizard", WIZARD_INVITATIONS), ("signing", SIGNING_INVITATIONS)):
            for n in range(count):
                token = f"bench-{purpose}-{n}-{self.random.getrandbits(64):016x}"
                tokens[purpose].append(token)
                driver.append(
                    invitation(
                        n,
                        created_at=self.now - datetime.timedelta(hours=2),
                        token=token,
                        procedure=version.procedure,
                        patient={
                            "name": BENCH_PATIENT,
                            "date_of_birth": BENCH_DATE_OF_BIRTH.isoformat(),
                            "email": "bench.patient@example.com",
                        },
                        expires_at=self.now + datetime.timedelta(days=30),
                        first_opened_at=self.now - datetime.timedelta(hours=1),
                    )
                )
        with transaction.atomic():
            ConsentInvitation.objects.bulk_create(rows)
            created = ConsentInvitation.objects.bulk_create(driver)
            ConsentDraft.objects.bulk_create(
                ConsentDraft(
                    invitation=row,
                    version=version,
                    esign_agreed_at=self.now - datetime.timedelta(hours=1),
                    answers=answers,
                )
                for row in created
            )
        self.driver_tokens = tokens
        self.wizard_fields = {
            "side_effects": [f"item_{row['id']}" for row in content["side_effects"]],
            "practitioner": [f"item_{row['id']}" for row in content["checklist"]],
            "comprehension": {
                f"question_{row['id']}": row["correct_choice"] for row in content["comprehension"]
            },
        }
        log(f"{len(rows)} unsigned invitations; {len(driver)} with complete drafts for the driver")

    def unsigned_engagement(self):
        """The recent unsigned invitations' link events and how far they went
        (`bench.build_engagement`), before their states are stored."""
        from django.db import transaction

        with transaction.atomic():
            count = self.engagement.unsigned(self.versions)
            self.engagement.flush()
        self.engagement.reset_sequence()
        log(f"{count} recent unsigned invitations; in all {self.engagement.summary()}")

    def stored_states(self):
        """Each consent's stored state and the counts (consent.models.status), which the
        services keep but these rows were written past: derived in one INSERT ... SELECT by
        `consent.state.with_state` itself, the clock left out, as `consent_status_refresh`
        stores it."""
        from django.db import connection, transaction
        from django.db.models import Case, F, When

        from consent.models import EXPIRING_STATES, ConsentInvitation, ConsentStatus
        from consent.services import consent_states_recount
        from consent.state import with_state

        derived = (
            with_state(ConsentInvitation.objects.all(), expiry=False, per_row=False)
            .annotate(
                turns_expired_at=Case(
                    When(state__in=EXPIRING_STATES, then=F("expires_at")), default=None
                )
            )
            .order_by()
            .values_list("pk", "practitioner_id", "state", "activity_at", "turns_expired_at")
        )
        sql, params = derived.query.sql_with_params()
        table = ConsentStatus._meta.db_table
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {table} (invitation_id, practitioner_id, state, activity_at, "  # noqa: S608
                f"expires_at, updated_at) SELECT derived.*, now() FROM ({sql}) AS derived",
                params,
            )
            consent_states_recount()
        log(f"{ConsentStatus.objects.count()} stored states and their counts")

    def analyse(self):
        from django.db import connection

        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")

    def manifest(self) -> dict:
        return {
            "records": self.records,
            "events": self.event_count,
            "procedures": len(self.procedure_list),
            "versions": sum(len(v) for v in self.versions.values()),
            "practitioners": len(self.practitioners),
            "procedure_slug": self.procedure_list[0].slug,
            "staff": {
                "admin": {
                    "username": self.admin.username,
                    "password": PASSWORD,
                    "codes": self.staff_codes[self.admin.username],
                },
                "practitioner": {
                    "username": self.practitioners[0].user.username,
                    "password": PASSWORD,
                    "codes": self.staff_codes[self.practitioners[0].user.username],
                },
            },
            "patient": {
                "name": BENCH_PATIENT,
                "date_of_birth": BENCH_DATE_OF_BIRTH.isoformat(),
            },
            "tokens": self.driver_tokens,
            "wizard_fields": self.wizard_fields,
            "practitioner_record_codes": self.bench_record_codes,
            "verify_codes": self.verify_codes[:500],
        }


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--manifest", required=True, type=Path)
    parser.add_argument("--records", type=int, default=SIGNED_RECORDS)
    args = parser.parse_args(argv)

    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
    django.setup()
    from django.db import connection

    if connection.vendor != "postgresql":
        raise SystemExit("The benchmark database must be PostgreSQL (set DATABASE_URL).")

    started = time.monotonic()
    builder = Builder(records=args.records)
    builder.staff()
    builder.procedures()
    builder.clinic()
    builder.signed_records()
    builder.open_invitations()
    builder.unsigned_engagement()
    builder.stored_states()
    builder.analyse()
    args.manifest.write_text(json.dumps(builder.manifest(), indent=1))
    log(f"done in {time.monotonic() - started:.0f} s; manifest at {args.manifest}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
