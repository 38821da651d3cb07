"""A practitioner's review of a patient's health answers: written once, chained per draft.

On PostgreSQL a trigger refuses UPDATE, and DELETE too, except the retention purge's: while
`consent.purging_invitation` (a transaction-local setting, `consent.services.retention`) names
the invitation whose draft was reviewed, its reviews go with the draft's health answers.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

TABLE = "consent_screeningreview"


def create_trigger(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(
        """
        CREATE OR REPLACE FUNCTION consent_screeningreview_refuse_change() RETURNS trigger AS $$
        BEGIN
            IF TG_OP = 'DELETE' AND EXISTS (
                SELECT 1 FROM consent_consentdraft draft
                WHERE draft.id = OLD.draft_id
                  AND current_setting('consent.purging_invitation', true)
                      = draft.invitation_id::text
            ) THEN
                RETURN OLD;
            END IF;
            RAISE EXCEPTION 'A review of health answers is immutable: it cannot be changed or deleted'
                USING ERRCODE = 'integrity_constraint_violation';
        END;
        $$ LANGUAGE plpgsql;
        """,
        params=None,
    )
    schema_editor.execute(
        f"CREATE TRIGGER {TABLE}_immutable BEFORE UPDATE OR DELETE ON {TABLE} "
        "FOR EACH ROW EXECUTE FUNCTION consent_screeningreview_refuse_change();",
        params=None,
    )


def drop_trigger(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(f"DROP TRIGGER IF EXISTS {TABLE}_immutable ON {TABLE};", params=None)
    schema_editor.execute(
        "DROP FUNCTION IF EXISTS consent_screeningreview_refuse_change();", params=None
    )


class Migration(migrations.Migration):
    dependencies = [
        ("consent", "0016_record_pdf"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="ScreeningReview",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "decision",
                    models.CharField(
                        choices=[("go_ahead", "Go ahead"), ("not_suitable", "Not suitable")],
                        max_length=16,
                        verbose_name="decision",
                    ),
                ),
                ("note", models.TextField(max_length=2000, verbose_name="note")),
                (
                    "answers_sha256",
                    models.CharField(max_length=64, verbose_name="SHA-256 of the answers reviewed"),
                ),
                ("reviewer_label", models.CharField(max_length=160, verbose_name="reviewer")),
                ("reviewed_at", models.DateTimeField(verbose_name="reviewed at")),
                (
                    "previous_hash",
                    models.CharField(max_length=64, verbose_name="previous review's hash"),
                ),
                (
                    "review_hash",
                    models.CharField(max_length=64, unique=True, verbose_name="review hash"),
                ),
                (
                    "draft",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="screening_reviews",
                        to="consent.consentdraft",
                        verbose_name="consent draft",
                    ),
                ),
                (
                    "reviewed_by",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="reviewed by",
                    ),
                ),
            ],
            options={
                "verbose_name": "health answers review",
                "verbose_name_plural": "health answers reviews",
                "ordering": ["reviewed_at", "id"],
                "constraints": [
                    models.UniqueConstraint(
                        fields=("draft", "previous_hash"), name="screening_review_chain_is_linear"
                    ),
                    models.CheckConstraint(
                        condition=models.Q(("decision__in", ["go_ahead", "not_suitable"])),
                        name="screening_review_decision_valid",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(
                            ("review_hash__regex", "^[0-9a-f]{64}$"),
                            ("previous_hash__regex", "^[0-9a-f]{64}$"),
                            ("answers_sha256__regex", "^[0-9a-f]{64}$"),
                        ),
                        name="screening_review_hashes_are_sha256",
                    ),
                ],
            },
        ),
        migrations.RunPython(create_trigger, drop_trigger),
    ]
