from django.core.management.base import BaseCommand
from django.utils import timezone

from consent.tasks import retention_due_notify


class Command(BaseCommand):
    help = (
        "Queue the daily notice to clinic admins of how many records and invitations are due for "
        "purge, with links to admin's lists (no patient data). Run once a day by a timer (README: "
        "Scheduled jobs); running it again the same day sends nothing new."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--now", action="store_true", help="Run the task in this process, not on a worker."
        )

    def handle(self, *args, now: bool, **options):
        day = timezone.localdate().isoformat()
        if now:
            records, invitations = retention_due_notify.call(day=day)
            self.stdout.write(f"Due for purge: {records} record(s), {invitations} invitation(s).")
        else:
            result = retention_due_notify.enqueue(day=day)
            self.stdout.write(f"Queued the retention notice for {day} ({result.id}).")
