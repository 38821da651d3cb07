"""The dashboard's state for 100,000 records: a stored "asked questions" flag, and an index on
(kind, record) for its "has this record an event of this kind" tests."""

from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("consent", "0005_invitation_language"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="consentrecord",
            name="has_questions",
            field=models.GeneratedField(
                db_persist=True,
                expression=models.ExpressionWrapper(
                    models.Q(
                        ("payload__questions__isnull", False),
                        models.Q(("payload__questions", ""), _negated=True),
                    ),
                    output_field=models.BooleanField(),
                ),
                output_field=models.BooleanField(),
                verbose_name="patient asked questions",
            ),
        ),
        migrations.AddIndex(
            model_name="consentevent",
            index=models.Index(fields=["kind", "record"], name="consent_event_kind_record"),
        ),
    ]
