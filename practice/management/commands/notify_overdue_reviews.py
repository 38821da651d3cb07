import datetime

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from practice.tasks import overdue_reviews_notify


class Command(BaseCommand):
    help = (
        "Queue the notice to clinic admins of published patient material overdue for clinical "
        "review (as of today by default). Run once a day by a timer (README: Workers and "
        "schedules); running it again the same day sends nothing new."
    )

    def add_arguments(self, parser):
        parser.add_argument("--day", help="The day, YYYY-MM-DD (default: today).")
        parser.add_argument(
            "--now", action="store_true", help="Run the task in this process, not on a worker."
        )

    def handle(self, *args, day: str | None, now: bool, **options):
        try:
            the_day = datetime.date.fromisoformat(day) if day else timezone.localdate()
        except ValueError:
            raise CommandError(f"--day must be a date like 2026-12-01, not {day!r}.") from None
        if now:
            overdue = overdue_reviews_notify.call(day=the_day.isoformat())
            self.stdout.write(f"{overdue} procedure(s) overdue for review on {the_day}.")
        else:
            result = overdue_reviews_notify.enqueue(day=the_day.isoformat())
            self.stdout.write(f"Queued the overdue-review notice for {the_day} ({result.id}).")
