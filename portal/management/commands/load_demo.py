from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.urls import reverse

from education.demo import SLUG as EDUCATION_DEMO_SLUG
from education.demo import load_education_demo
from education.selectors import latest_version
from portal.demo import ADMIN_USERNAME, load_demo_accounts

SITE_URL = "http://127.0.0.1:8000"


class Command(BaseCommand):
    help = (
        "Load the demo accounts and the mesotherapy demo content. Safe to run again: it changes "
        "nothing that is already up to date. Refused where DEMO_CONTENT_ALLOWED is off."
    )

    def handle(self, *args, **options):
        if not settings.DEMO_CONTENT_ALLOWED:
            raise CommandError(
                "Demo content is not allowed on this database (DEMO_CONTENT_ALLOWED is off, as it "
                "is in production). The demo accounts have published passwords. To load them on "
                "a development or demo database, set DEMO_CONTENT_ALLOWED=true."
            )
        with transaction.atomic():
            accounts = load_demo_accounts()
            publisher = get_user_model().objects.get(username=ADMIN_USERNAME)
            # One line per demo loader; later loaders (e.g. consent.demo) are added here.
            content = [
                self.load_education(publisher=publisher),
            ]
        self.report(accounts=accounts, content=content)

    def load_education(self, *, publisher) -> str:
        version = load_education_demo(publisher=publisher)
        if version is not None:
            return f"{version.name}: published as version {version.number}."
        current = latest_version(slug=EDUCATION_DEMO_SLUG)
        return f"{current.name}: already up to date (version {current.number})."

    def report(self, *, accounts, content) -> None:
        write = self.stdout.write
        write(self.style.SUCCESS("Demo data loaded."))
        write("")
        write(f"  Site:   {SITE_URL}/")
        write(f"  Admin:  {SITE_URL}{reverse('admin:index')}")
        write("")
        write("Demo logins (published passwords: development and demos only):")
        role_width = max(len(role) for role, _username, _password in accounts)
        name_width = max(len(username) for _role, username, _password in accounts)
        for role, username, password in accounts:
            write(f"  {role:<{role_width}}  {username:<{name_width}}  {password}")
        write("")
        write("Content:")
        for line in content:
            write(f"  {line}")
