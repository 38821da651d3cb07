"""Factories for test data; every test builds exactly what it needs."""

import datetime

import factory
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from accounts import roles
from education import models

TEST_PASSWORD = "correct-horse-battery-staple"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda user: f"{user.username}@clinic.example")
    password = factory.PostGenerationMethodCall("set_password", TEST_PASSWORD)

    @factory.post_generation
    def save_password(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class ClinicAdminFactory(UserFactory):
    is_staff = True

    @factory.post_generation
    def role(obj, create, extracted, **kwargs):
        if create:
            obj.groups.add(Group.objects.get(name=roles.CLINIC_ADMINS))


class SuperuserFactory(UserFactory):
    is_staff = True
    is_superuser = True


class ReferenceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Reference

    title = factory.Sequence(lambda n: f"A study of skin injections, part {n}")
    authors_or_organisation = "Dr. Lee Source"
    publisher = "Journal of Skin Care"
    year = 2021
    address_or_identifier = "https://example.org/source"
    kind = models.ReferenceKind.ARTICLE


class ProcedureFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Procedure

    name = factory.Sequence(lambda n: f"Procedure {n}")
    slug = factory.Sequence(lambda n: f"procedure-{n}")
    other_names = "Other name one, Other name two"
    summary = "A short treatment with small injections into the skin."
    description = "The practitioner cleans the skin and gives many **small** injections."
    evidence_summary = "There are only a few small studies."
    results_duration = "Results may fade. Most people need more sessions to keep them."
    unknowns = "Nobody knows yet how long the results last."
    alternatives = "You can choose other treatments, or no treatment at all."
    aftercare = "Keep the area clean for a day."
    disclaimer = "This page is for education. It is not medical advice."
    medical_reviewer = "Dr. Ana Reviewer, MD"
    last_reviewed_on = datetime.date(2026, 10, 1)


class IngredientFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Ingredient

    procedure = factory.SubFactory(ProcedureFactory)
    name = factory.Sequence(lambda n: f"Ingredient {n}")
    purpose = "Helps break down fat cells."


class IndicationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Indication

    procedure = factory.SubFactory(ProcedureFactory)
    name = factory.Sequence(lambda n: f"Use {n}")
    kind = models.IndicationKind.COSMETIC
    evidence = models.EvidenceStrength.LIMITED


class SideEffectFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.SideEffect

    procedure = factory.SubFactory(ProcedureFactory)
    name = factory.Sequence(lambda n: f"Side effect {n}")
    explanation = "The skin may look red for a day or two."
    site = models.SideEffectSite.LOCAL
    frequency = models.SideEffectFrequency.COMMON
    severity = models.SideEffectSeverity.MILD
    # The words above are a source's words, so publishing does not ask to confirm them.
    frequency_source = factory.SubFactory(ReferenceFactory)
    severity_source = factory.SelfAttribute("frequency_source")
    prevention = models.SideEffectPrevention.PARTLY
    prevention_advice = "Careful technique lowers the risk."
    warning_signs = "Redness that spreads or gets worse."
    what_to_do = "Call the clinic."


class ChecklistItemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.ChecklistItem

    procedure = factory.SubFactory(ProcedureFactory)
    check_text = factory.Sequence(lambda n: f"Check number {n}")
    why_it_matters = "Training lowers the risk of harm."
    satisfied_by = models.ChecklistEvidence.BOARD_CERTIFICATION


class ComprehensionQuestionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.ComprehensionQuestion

    procedure = factory.SubFactory(ProcedureFactory)
    question = factory.Sequence(lambda n: f"Question {n}?")
    choices = "Yes\nNo\nNobody knows yet"
    correct_choice = 3
    explanation = "The results have not been studied over the long term."
    choice_explanations = (
        "No one has shown that the results last.\nNo one has shown that they fade either.\n-"
    )
    section = models.Section.UNKNOWNS


class QuestionAnswerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.QuestionAnswer

    procedure = factory.SubFactory(ProcedureFactory)
    question = factory.Sequence(lambda n: f"Patient question {n}?")
    answer = "Usually not."
    answered_by = "Dr. Sam Answer, dermatologist"


class ScreeningQuestionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.ScreeningQuestion

    procedure = factory.SubFactory(ProcedureFactory)
    question = factory.Sequence(lambda n: f"Health question {n}?")
    answer_type = models.ScreeningAnswerType.YES_NO


class ScreeningOptionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.ScreeningOption

    question = factory.SubFactory(ScreeningQuestionFactory)
    label = factory.Sequence(lambda n: f"Answer {n}")


# Consent ---------------------------------------------------------------------------------

from consent import models as consent_models  # noqa: E402


class PractitionerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = consent_models.Practitioner

    user = factory.SubFactory(UserFactory)
    display_name = factory.Sequence(lambda n: f"Dr. Practitioner {n}, MD")
    profession = "Dermatologist"
    years_of_experience = 12


class CredentialFactory(factory.django.DjangoModelFactory):
    """Verified and in date unless told otherwise."""

    class Meta:
        model = consent_models.Credential

    practitioner = factory.SubFactory(PractitionerFactory)
    kind = consent_models.CredentialKind.BOARD_CERTIFICATION
    title = "Board certified"
    issuing_body = "American Board of Aesthetic Mesotherapy"
    number = factory.Sequence(lambda n: f"AB-{1000 + n}")
    jurisdiction = "New York"
    issued_on = datetime.date(2020, 1, 15)
    expires_on = datetime.date(2099, 1, 15)
    verified_by = factory.SubFactory(UserFactory, is_staff=True)
    verified_on = datetime.date(2026, 1, 10)


class LocationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = consent_models.Location

    name = factory.Sequence(lambda n: f"Riverside Clinic {n}")
    address = "1 River Road\nAlbany, NY 12207"
    jurisdiction = "New York"


class RegulatoryStatusFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = consent_models.RegulatoryStatus

    jurisdiction = "New York"
    status = consent_models.Regulation.PERMITTED
    source = "State medical board guidance (demo)"
    checked_on = datetime.date(2026, 9, 1)


class FormulationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = consent_models.Formulation

    name = "PC/DC fat-dissolving mix"
    manufacturer = "Example Compounding Pharmacy"
    lot_number = factory.Sequence(lambda n: f"LOT-{n:05d}")
    expires_on = datetime.date(2099, 6, 30)
    regulatory_status = consent_models.Approval.COMPOUNDED
    regulatory_note = "Not approved as a product for fat reduction."


class FormulationIngredientFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = consent_models.FormulationIngredient

    formulation = factory.SubFactory(FormulationFactory)
    name = "Phosphatidylcholine"
    concentration = "50 mg/mL"
