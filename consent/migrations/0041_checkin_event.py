from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("consent", "0040_treatment_course"),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name="consentevent",
            name="consent_event_kind_valid",
        ),
        migrations.AlterField(
            model_name="consentevent",
            name="kind",
            field=models.CharField(
                choices=[
                    ("signed", "Signed"),
                    ("viewed", "Viewed"),
                    ("downloaded", "PDF downloaded"),
                    ("withdrawn", "Consent withdrawn"),
                    ("question_answered", "Question answered"),
                    ("countersigned", "Countersigned"),
                    ("exported", "Exported"),
                    ("access_refused", "Access refused"),
                    ("reconsent_requested", "Re-consent requested"),
                    ("link_renewed", "Patient's link renewed"),
                    ("hold_placed", "Legal hold placed"),
                    ("hold_lifted", "Legal hold lifted"),
                    ("purged", "Purged under the retention policy"),
                    ("checked_in", "Checked in before a session"),
                ],
                max_length=24,
                verbose_name="what happened",
            ),
        ),
        migrations.AddConstraint(
            model_name="consentevent",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    (
                        "kind__in",
                        [
                            "signed",
                            "viewed",
                            "downloaded",
                            "withdrawn",
                            "question_answered",
                            "countersigned",
                            "exported",
                            "access_refused",
                            "reconsent_requested",
                            "link_renewed",
                            "hold_placed",
                            "hold_lifted",
                            "purged",
                            "checked_in",
                        ],
                    )
                ),
                name="consent_event_kind_valid",
            ),
        ),
    ]
