"""Fill the stored state (0025) of every existing consent, and the counts.

The derivation is copied here as it stands at this migration (consent.state.with_state, with
the clock left out), over the historical models, so later changes to the code cannot change
what this migration did.
"""

from django.db import migrations, models
from django.db.models import Case, Count, Exists, F, OuterRef, Q, Value, When
from django.db.models.fields.json import KeyTextTransform, KeyTransform
from django.db.models.functions import Coalesce

BATCH = 2000
# The states the clock can still turn into "expired": their rows keep the link's expiry.
EXPIRING = ("invited", "in_progress", "health_review")


def _derived(apps, ids):
    Invitation = apps.get_model("consent", "ConsentInvitation")
    Event = apps.get_model("consent", "ConsentEvent")
    Record = apps.get_model("consent", "ConsentRecord")
    Review = apps.get_model("consent", "ScreeningReview")
    Version = apps.get_model("education", "ProcedureVersion")

    def event(kind):
        return Exists(Event.objects.filter(record__invitation=OuterRef("pk"), kind=kind))

    superseded = Version.objects.filter(
        Exists(
            Version.objects.filter(
                procedure=OuterRef("procedure"),
                number__gt=OuterRef("number"),
                is_material_change=True,
            )
        )
    ).values("pk")
    signed = Q(is_signed=True)
    return (
        Invitation.objects.filter(pk__in=ids)
        .annotate(
            is_signed=Exists(Record.objects.filter(invitation=OuterRef("pk"))),
            has_withdrawal=event("withdrawn"),
            has_countersignature=event("countersigned"),
            has_answer=event("question_answered"),
            has_questions=Exists(
                Record.objects.filter(invitation=OuterRef("pk"), has_questions=True)
            ),
            is_stale=Exists(
                Record.objects.filter(invitation=OuterRef("pk"), version__in=superseded)
            ),
            signed_at=Coalesce(F("record__signed_at"), F("created_at")),
            screening_sha256=KeyTextTransform(
                "answers_sha256", KeyTransform("screening", "draft__answers")
            ),
        )
        .annotate(
            review_due=models.ExpressionWrapper(
                Q(draft__answers__screening__needs_review=True)
                & ~Exists(
                    Review.objects.filter(
                        draft=OuterRef("draft"), answers_sha256=OuterRef("screening_sha256")
                    )
                ),
                output_field=models.BooleanField(),
            ),
        )
        .annotate(
            derived=Case(
                When(signed & Q(has_withdrawal=True), then=Value("withdrawn")),
                When(signed & Q(is_stale=True), then=Value("stale")),
                When(signed & Q(has_countersignature=True), then=Value("ready")),
                When(
                    signed & Q(has_questions=True, has_answer=False),
                    then=Value("awaiting_answers"),
                ),
                When(signed, then=Value("awaiting_countersignature")),
                When(withdrawn_at__isnull=False, then=Value("closed")),
                When(review_due=True, then=Value("health_review")),
                When(first_opened_at__isnull=False, then=Value("in_progress")),
                default=Value("invited"),
                output_field=models.CharField(),
            )
        )
        .values_list("pk", "practitioner_id", "derived", "signed_at", "expires_at")
    )


def fill(apps, schema_editor):
    Invitation = apps.get_model("consent", "ConsentInvitation")
    Status = apps.get_model("consent", "ConsentStatus")
    StateCount = apps.get_model("consent", "ConsentStateCount")
    ids = list(
        Invitation.objects.filter(stored_state__isnull=True)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    for start in range(0, len(ids), BATCH):
        Status.objects.bulk_create(
            Status(
                invitation_id=pk,
                practitioner_id=practitioner_id,
                state=state,
                activity_at=at,
                expires_at=expires_at if state in EXPIRING else None,
            )
            for pk, practitioner_id, state, at, expires_at in _derived(
                apps, ids[start : start + BATCH]
            )
        )
    StateCount.objects.all().delete()
    StateCount.objects.bulk_create(
        StateCount(practitioner_id=row["practitioner_id"], state=row["state"], count=row["n"])
        for row in Status.objects.values("practitioner_id", "state")
        .annotate(n=Count("pk"))
        .order_by()
    )


def empty(apps, schema_editor):
    apps.get_model("consent", "ConsentStateCount").objects.all().delete()
    apps.get_model("consent", "ConsentStatus").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [
        ("consent", "0025_consent_status"),
        ("education", "0006_comprehension_choice_explanations_prevention_not_stated"),
    ]

    operations = [migrations.RunPython(fill, empty)]
