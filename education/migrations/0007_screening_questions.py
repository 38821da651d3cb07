"""The health questionnaire: a procedure's screening questions and their answer options.

Clinic admins write the questionnaire, as they write the rest of the library; practitioners may
read it. The roles are the groups `accounts` creates (0001_roles), named as 0005 names them.
"""

import django.db.models.deletion
from django.contrib.auth.management import create_permissions
from django.db import migrations, models

SCREENING_MODELS = ["screeningquestion", "screeningoption"]


def _permissions(apps):
    return apps.get_model("auth", "Permission").objects.filter(
        content_type__app_label="education", content_type__model__in=SCREENING_MODELS
    )


def grant(apps, schema_editor):
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    admins, _ = Group.objects.get_or_create(name="Clinic admins")
    admins.permissions.add(*_permissions(apps))
    practitioners, _ = Group.objects.get_or_create(name="Practitioners")
    practitioners.permissions.add(*_permissions(apps).filter(codename__startswith="view_"))


def revoke(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    for group in Group.objects.filter(name__in=["Clinic admins", "Practitioners"]):
        group.permissions.remove(*_permissions(apps))


class Migration(migrations.Migration):
    dependencies = [
        ("education", "0006_comprehension_choice_explanations_prevention_not_stated"),
        ("accounts", "0001_roles"),
    ]

    operations = [
        migrations.CreateModel(
            name="ScreeningQuestion",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("position", models.PositiveSmallIntegerField(default=0, verbose_name="position")),
                ("question", models.CharField(max_length=300, verbose_name="question")),
                (
                    "hint",
                    models.CharField(
                        blank=True,
                        help_text="A short line under the question, e.g. examples of what to include.",
                        max_length=300,
                        verbose_name="hint",
                    ),
                ),
                (
                    "answer_type",
                    models.CharField(
                        choices=[
                            ("yes_no", "Yes or no"),
                            ("one_choice", "One choice"),
                            ("several_choices", "Several choices"),
                            ("short_text", "Short text"),
                            ("date", "A date"),
                        ],
                        default="yes_no",
                        max_length=16,
                        verbose_name="answer type",
                    ),
                ),
                (
                    "required",
                    models.BooleanField(default=True, verbose_name="an answer is required"),
                ),
                (
                    "procedure",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="screening_questions",
                        to="education.procedure",
                        verbose_name="procedure",
                    ),
                ),
            ],
            options={
                "verbose_name": "health question",
                "verbose_name_plural": "health questionnaire",
                "ordering": ["position", "id"],
                "abstract": False,
            },
        ),
        migrations.CreateModel(
            name="ScreeningOption",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("position", models.PositiveSmallIntegerField(default=0, verbose_name="position")),
                ("label", models.CharField(max_length=160, verbose_name="answer")),
                (
                    "note",
                    models.TextField(
                        blank=True,
                        help_text="Added to the patient's material. Cite a source below, or say that your practitioner will discuss this with you. Plain language, grade 8 or below. Markdown: **bold**, lists, [links](https://…).",
                        verbose_name="note for the patient",
                    ),
                ),
                (
                    "needs_review",
                    models.BooleanField(
                        default=False,
                        help_text="A practitioner must review the answers before the patient can sign.",
                        verbose_name="needs review",
                    ),
                ),
                (
                    "stops_consent",
                    models.BooleanField(
                        default=False,
                        help_text="Consent cannot go ahead; the patient is told the clinic will call.",
                        verbose_name="stop",
                    ),
                ),
                (
                    "highlight_side_effects",
                    models.ManyToManyField(
                        blank=True,
                        help_text="Shown first on the side-effects step, marked as mattering for this patient because of this answer.",
                        related_name="+",
                        to="education.sideeffect",
                        verbose_name="highlight these side effects",
                    ),
                ),
                (
                    "references",
                    models.ManyToManyField(
                        blank=True,
                        help_text="The references that support the note.",
                        related_name="+",
                        to="education.reference",
                        verbose_name="sources",
                    ),
                ),
                (
                    "question",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="options",
                        to="education.screeningquestion",
                        verbose_name="question",
                    ),
                ),
            ],
            options={
                "verbose_name": "answer option",
                "verbose_name_plural": "answer options",
                "ordering": ["position", "id"],
                "abstract": False,
            },
        ),
        migrations.AddConstraint(
            model_name="screeningquestion",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    (
                        "answer_type__in",
                        ["yes_no", "one_choice", "several_choices", "short_text", "date"],
                    )
                ),
                name="screening_answer_type_valid",
            ),
        ),
        migrations.RunPython(grant, revoke),
    ]
