import os

import pytest

from education.services import procedure_publish

from . import factories


def pytest_collection_modifyitems(config, items):
    """PostgreSQL-only tests fail rather than skip in CI, so a missing database is noticed."""
    from django.db import connection

    if connection.vendor == "postgresql":
        return
    reason = "needs PostgreSQL: set DATABASE_URL=postgres://postgres@127.0.0.1:5432/test"
    for item in items:
        if "postgres" in item.keywords:
            item.add_marker(pytest.mark.skip(reason=reason))


def pytest_sessionfinish(session, exitstatus):
    """In CI on PostgreSQL nothing may be skipped: a skip there would hide a broken promise."""
    from django.db import connection

    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    skipped = len(reporter.stats.get("skipped", [])) if reporter else 0
    if os.environ.get("CI") and connection.vendor == "postgresql" and skipped:
        reporter.write_line(f"CI on PostgreSQL: {skipped} test(s) skipped; failing the run.")
        session.exitstatus = 1


def pytest_report_header(config):
    from django.db import connection

    return f"database: {connection.vendor} ({'CI' if os.environ.get('CI') else 'local'})"


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    """Real hashing costs ~0.3 s a user; tests need many users, not slow hashing."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def tasks_run_at_once(settings):
    """Tasks run in the process that queues them, so a test sees their effect (e-mails in the
    outbox) as soon as the transaction that queued them commits. The tests about workers run a
    real `db_worker` on the database backend (tests/mailing/test_worker.py)."""
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}


@pytest.fixture(autouse=True)
def media_in_tmp(settings, tmp_path_factory):
    """Stored PDFs and uploads go to a fresh folder, never into the working tree."""
    settings.MEDIA_ROOT = tmp_path_factory.mktemp("media")


@pytest.fixture
def clinic_admin(db):
    return factories.ClinicAdminFactory(username="clinic-admin")


@pytest.fixture
def procedure(db):
    """A draft procedure with one row of every kind."""
    procedure = factories.ProcedureFactory(name="Mesotherapy", slug="mesotherapy")
    factories.IngredientFactory(procedure=procedure)
    factories.IndicationFactory(procedure=procedure)
    factories.SideEffectFactory(procedure=procedure, name="Bruising")
    factories.SideEffectFactory(
        procedure=procedure, name="Fainting", site="systemic", frequency="rare"
    )
    factories.ChecklistItemFactory(procedure=procedure)
    factories.ComprehensionQuestionFactory(procedure=procedure)
    factories.QuestionAnswerFactory(procedure=procedure)
    return procedure


@pytest.fixture
def published(procedure, clinic_admin):
    """The `procedure` fixture published as version 1."""
    return procedure_publish(procedure=procedure, published_by=clinic_admin)


@pytest.fixture
def published_spanish(published, clinic_admin):
    """A Spanish translation of the `published` procedure, with one row of every kind, published
    as its own version 1."""
    translation = factories.ProcedureFactory(
        name="Mesoterapia",
        slug="mesoterapia",
        language="es",
        translation_of=published.procedure,
        summary="Un tratamiento corto con pequeñas inyecciones en la piel.",
        description="El profesional limpia la piel y pone muchas inyecciones **pequeñas**.",
    )
    factories.IngredientFactory(procedure=translation, name="Ingrediente", purpose="Deshace grasa.")
    factories.IndicationFactory(procedure=translation, name="Grasa")
    factories.SideEffectFactory(procedure=translation, name="Moretones", explanation="Marcas.")
    factories.SideEffectFactory(
        procedure=translation, name="Desmayo", site="systemic", frequency="rare"
    )
    factories.ChecklistItemFactory(procedure=translation, check_text="¿Tiene formación?")
    factories.ComprehensionQuestionFactory(
        procedure=translation, question="¿Cuánto duran los resultados?"
    )
    factories.QuestionAnswerFactory(procedure=translation, question="¿Duele?")
    return procedure_publish(procedure=translation, published_by=clinic_admin)


# Staff sign-in ---------------------------------------------------------------------------------


def login_verified(client, user):
    """Sign `user` in on the test `client` as the real two-step sign-in leaves them: verified.

    Admin (an OTPAdminSite) and the practitioner's area refuse a session whose second factor was
    not checked, so `client.force_login(user)` alone no longer opens them. This gives the user a
    backup-code device (django-otp's static plug-in) if they have none, force-logs them in and
    marks the session as verified by that device, exactly as `django_otp.login` does.
    Returns the client, so `client = login_verified(client, user)` reads naturally.
    """
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_static.models import StaticDevice

    device = StaticDevice.objects.filter(user=user, confirmed=True).first()
    if device is None:
        device = StaticDevice.objects.create(user=user, name="Test backup codes")
    client.force_login(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return client


@pytest.fixture
def staff_client(client, clinic_admin):
    """The test client signed in, second factor verified, as the `clinic_admin` fixture."""
    return login_verified(client, clinic_admin)
