import datetime
import shutil
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from consent import selectors, services
from consent.request_meta import RequestMeta


class Command(BaseCommand):
    help = (
        "Answer an access request: write everything held about one patient (every invitation "
        "to the e-mail address, in any case, for the date of birth, that the named staff "
        "account may see) to a ZIP with a manifest. Each signed record in it gets an "
        "'exported' event naming that account, with the channel 'command'."
    )

    def add_arguments(self, parser):
        parser.add_argument("--email", required=True, help="The patient's e-mail address.")
        parser.add_argument(
            "--date-of-birth", required=True, help="The patient's date of birth, YYYY-MM-DD."
        )
        parser.add_argument(
            "--username",
            required=True,
            help="The staff account answering the request (a clinic admin sees every patient).",
        )
        parser.add_argument("--output", required=True, help="Where to write the ZIP.")

    def handle(self, *args, email, date_of_birth, username, output, **options):
        try:
            born = datetime.date.fromisoformat(date_of_birth)
        except ValueError:
            raise CommandError("--date-of-birth must be YYYY-MM-DD.") from None
        user = get_user_model().objects.filter(username=username, is_active=True).first()
        if user is None:
            raise CommandError(f"No active account {username!r}.")
        invitations = selectors.access_request_invitations_of(
            user=user, patient_email=email, date_of_birth=born
        )
        if not invitations.exists():
            raise CommandError("This account sees no invitation for that e-mail and birth date.")
        spool = services.access_request_export(
            invitations=invitations,
            user=user,
            request_meta=RequestMeta(ip_address=None, user_agent="manage.py export_patient_data"),
            channel="command",
        )
        with spool, Path(output).open("wb") as target:
            shutil.copyfileobj(spool, target)
        self.stdout.write(f"Wrote {output}")
