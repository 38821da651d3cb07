from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from consent import selectors, services


class Command(BaseCommand):
    help = (
        "List the signed records and unsigned invitations whose retention has ended "
        "(RECORD_RETENTION_DAYS after a record's last event, UNSIGNED_RETENTION_DAYS after an "
        "invitation was created), leaving out anything on legal hold. With --confirm and --by "
        "<a clinic admin's username>, purge them: the patient data goes, the digests stay."
    )

    def add_arguments(self, parser):
        parser.add_argument("--confirm", action="store_true", help="Purge what is listed.")
        parser.add_argument(
            "--by", metavar="USERNAME", help="The clinic admin confirming the purge."
        )

    def handle(self, *args, confirm: bool, by: str | None, **options):
        records = list(selectors.records_due_for_purge().values_list("code", "last_event_at"))
        invitations = list(selectors.invitations_due_for_purge().values_list("pk", "created_at"))
        for code, last_event_at in records:
            self.stdout.write(f"record {code}: last event {last_event_at:%Y-%m-%d}")
        for pk, created_at in invitations:
            self.stdout.write(f"unsigned invitation #{pk}: created {created_at:%Y-%m-%d}")
        self.stdout.write(
            f"{len(records)} signed records and {len(invitations)} unsigned invitations are due."
        )
        if not confirm:
            return
        if not by:
            raise CommandError("--confirm needs --by, the clinic admin confirming the purge.")
        user = get_user_model().objects.filter(username=by, is_active=True).first()
        if user is None:
            raise CommandError(f"No active user {by!r}.")
        try:
            purged = services.retention_purge_due(confirmed_by=user)
        except services.RetentionRefused as refused:
            raise CommandError(str(refused)) from None
        self.stdout.write(
            self.style.SUCCESS(
                f"Purged {purged[0]} signed records and {purged[1]} unsigned invitations, "
                f"confirmed by {by}."
            )
        )
