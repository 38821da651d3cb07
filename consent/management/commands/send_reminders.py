from django.core.management.base import BaseCommand
from django.utils import timezone

from consent.reminders import in_quiet_hours
from consent.selectors import reminders_due
from consent.tasks import invitation_remind


class Command(BaseCommand):
    help = (
        "Queue one task per reminder due now (links not opened, consents not finished, links "
        "about to expire). Run hourly by a timer (README: Scheduled jobs); nothing is queued in "
        "the clinic's quiet hours, and running it twice sends each reminder once."
    )

    def handle(self, *args, **options):
        now = timezone.now()
        if in_quiet_hours(now):
            self.stdout.write("Quiet hours: no reminders now.")
            return
        due = reminders_due(now=now)
        for invitation_id, kind in due:
            invitation_remind.enqueue(invitation_id=invitation_id, kind=kind)
        self.stdout.write(f"Queued {len(due)} reminder(s).")
