from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.test import override_settings
from django.urls import reverse

from accounts.demo import ADMIN_USERNAME, DEMO_ACCOUNTS, load_demo_accounts
from consent.demo import load_consent_demo
from consent.demo_course import load_course_demo
from consent.demo_kiosk import load_kiosk_demo
from consent.demo_signers import load_guardian_demo
from education.demo import SLUG as EDUCATION_DEMO_SLUG
from education.demo import load_education_demo, load_education_demo_translation
from education.demo_es import SLUG as EDUCATION_DEMO_TRANSLATION_SLUG
from education.selectors import latest_version

PRACTITIONER_USERNAME = next(
    account.username for account in DEMO_ACCOUNTS if account.role == "practitioner"
)

# The education content loaders, in order (the translation after its original): the loader, the
# slug its procedure is published under, and what the report adds after the procedure's name.
EDUCATION_LOADERS = [
    (load_education_demo, EDUCATION_DEMO_SLUG, ""),
    (load_education_demo_translation, EDUCATION_DEMO_TRANSLATION_SLUG, " (Spanish)"),
]

# The demo patients' addresses are made up, and the console back-end would print each e-mail in
# full above the links this command prints; so the demo's e-mails go to an in-memory outbox.
DEMO_MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}


class Command(BaseCommand):
    help = (
        "Load the demo accounts, the mesotherapy demo content and the demo clinic with an open "
        "consent invitation and a signed record. Safe to run again: it changes nothing that is "
        "already up to date. Refused where DEMO_CONTENT_ALLOWED is off."
    )

    def handle(self, *args, **options):
        if not settings.DEMO_CONTENT_ALLOWED:
            raise CommandError(
                "Demo content is not allowed on this database (DEMO_CONTENT_ALLOWED is off, as it "
                "is in production). The demo accounts have published passwords. To load them on "
                "a development or demo database, set DEMO_CONTENT_ALLOWED=true."
            )
        # The outbox override wraps the transaction: the services send e-mail on commit.
        with override_settings(MAILERS=DEMO_MAILERS), transaction.atomic():
            accounts = load_demo_accounts()
            users = get_user_model().objects
            publisher = users.get(username=ADMIN_USERNAME)
            # One line per demo loader; later loaders are added here.
            content = [
                self.load_education(loader, slug=slug, label=label, publisher=publisher)
                for loader, slug, label in EDUCATION_LOADERS
            ]
            consent = load_consent_demo(
                admin=publisher,
                practitioner_user=users.get(username=PRACTITIONER_USERNAME),
                version=latest_version(slug=EDUCATION_DEMO_SLUG),
            )
            kiosk = load_kiosk_demo(like=consent.record.invitation)
            course = load_course_demo(
                practitioner_user=users.get(username=PRACTITIONER_USERNAME),
                version=latest_version(slug=EDUCATION_DEMO_SLUG),
            )
            guardian = load_guardian_demo(
                admin=publisher,
                practitioner_user=users.get(username=PRACTITIONER_USERNAME),
                version=latest_version(slug=EDUCATION_DEMO_SLUG),
            )
        self.report(accounts=accounts, content=content, consent=consent, kiosk=kiosk, course=course)
        self.report_guardian(guardian)

    def load_education(self, loader, *, slug: str, label: str, publisher) -> str:
        """Run one education loader; one report line, whether it published or found no change."""
        version = loader(publisher=publisher)
        if version is not None:
            return f"{version.name}{label}: published as version {version.number}."
        current = latest_version(slug=slug)
        return f"{current.name}{label}: already up to date (version {current.number})."

    def report(self, *, accounts, content, consent, kiosk, course) -> None:
        write = self.stdout.write
        site_url = settings.SITE_URL.rstrip("/")
        write(self.style.SUCCESS("Demo data loaded."))
        write("")
        write(f"  Site:   {site_url}/")
        write(f"  Admin:  {site_url}{reverse('admin:index')}")
        write("")
        write("Demo logins (published passwords: development and demos only):")
        role_width = max(len(role) for role, _username, _password in accounts)
        name_width = max(len(username) for _role, username, _password in accounts)
        password_width = max(len(password) for _role, _username, password in accounts)
        backup_codes = {account.username: account.backup_codes for account in DEMO_ACCOUNTS}
        for role, username, password in accounts:
            codes = " ".join(backup_codes[username])
            write(
                f"  {role:<{role_width}}  {username:<{name_width}}  "
                f"{password:<{password_width}}  backup codes: {codes}"
            )
        write(
            f"  Sign in at {site_url}{reverse('accounts:login')} with the password, then one "
            "backup code (each works once; running load_demo again restores them)."
        )
        write("")
        write("Content:")
        for line in content:
            write(f"  {line}")
        write("")
        write("Consent:")
        if consent.replaced_because:
            write(f"  The fixed demo link is closed ({consent.replaced_because}); a new one:")
        link = site_url + reverse("consent:open", kwargs={"token": consent.token})
        patient = consent.patient
        write(
            f"  Try the consent journey: {link} "
            f"(date of birth {patient.date_of_birth:%d/%m/%Y}, type the name {patient.name})"
        )
        if course.checkin_token is not None:
            link = site_url + reverse(
                "consent:checkin_open", kwargs={"token": course.checkin_token}
            )
            write(
                f"  Try a check-in before a course's next session: {link} "
                f"(date of birth {course.patient.date_of_birth:%d/%m/%Y})"
            )
        if consent.spanish is not None:
            spanish = consent.spanish
            if spanish.replaced_because:
                write(
                    f"  The fixed Spanish demo link is closed ({spanish.replaced_because}); "
                    "a new one:"
                )
            link = site_url + reverse("consent:open", kwargs={"token": spanish.token})
            write(
                f"  Try the consent journey in Spanish: {link} "
                f"(date of birth {spanish.patient.date_of_birth:%d/%m/%Y}, "
                f"type the name {spanish.patient.name})"
            )
        write(
            f"  Try consent on a clinic tablet: sign in as {PRACTITIONER_USERNAME} at "
            f'{site_url}{reverse("practice:dashboard")}, press "Start on this device" for '
            f"{kiosk.patient_name} (date of birth {kiosk.patient_date_of_birth:%d/%m/%Y}, "
            f"type the name {kiosk.patient_name}); it ends after "
            f"{settings.KIOSK_IDLE_SECONDS} s idle"
        )
        write(
            f"  Signed demo record: {consent.record.code} "
            f"(verify at {site_url}{consent.record.get_absolute_url()})"
        )

    def report_guardian(self, guardian) -> None:
        """The guardian's journey: the link, and what each person types."""
        write = self.stdout.write
        site_url = settings.SITE_URL.rstrip("/")
        if guardian.replaced_because:
            write(f"  The guardian's fixed demo link is closed ({guardian.replaced_because}):")
        link = site_url + reverse("consent:open", kwargs={"token": guardian.token})
        patient = guardian.patient
        write(
            f"  Try a parent's consent for a minor: {link} (date of birth "
            f'{patient.date_of_birth:%d/%m/%Y}; at "The patient\'s own agreement" the minor '
            f"types {patient.name}; the parent signs as {guardian.guardian_name}; a witness is "
            "required: sign in to /practice/ as the practitioner and record it on the record page)"
        )
