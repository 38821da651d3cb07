from django.core.management.base import BaseCommand
from django.utils import timezone

from consent.selectors import checkins_due
from consent.tasks import checkin_send


class Command(BaseCommand):
    help = (
        "Queue one task per course check-in link due today (a later session planned within "
        "CHECKIN_DAYS_BEFORE_SESSION days). Run daily by a timer; running it twice sends each "
        "link once."
    )

    def handle(self, *args, **options):
        due = checkins_due(today=timezone.localdate())
        for session_id in due:
            checkin_send.enqueue(session_id=session_id)
        self.stdout.write(f"Queued {len(due)} check-in link(s).")
