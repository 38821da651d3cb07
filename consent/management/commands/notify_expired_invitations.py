import datetime

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from consent.tasks import invitations_expired_notify


class Command(BaseCommand):
    help = (
        "Queue the daily notice to clinic admins of consent links that expired unsigned on a day "
        "(yesterday by default). Run once a day by a timer (README: Workers and schedules); "
        "running it again sends nothing new."
    )

    def add_arguments(self, parser):
        parser.add_argument("--day", help="The day, YYYY-MM-DD (default: yesterday).")
        parser.add_argument(
            "--now", action="store_true", help="Run the task in this process, not on a worker."
        )

    def handle(self, *args, day: str | None, now: bool, **options):
        try:
            the_day = (
                datetime.date.fromisoformat(day)
                if day
                else timezone.localdate() - datetime.timedelta(days=1)
            )
        except ValueError:
            raise CommandError(f"--day must be a date like 2026-12-01, not {day!r}.") from None
        if now:
            expired = invitations_expired_notify.call(day=the_day.isoformat())
            self.stdout.write(f"{expired} link(s) expired unsigned on {the_day}.")
        else:
            result = invitations_expired_notify.enqueue(day=the_day.isoformat())
            self.stdout.write(f"Queued the expired-links notice for {the_day} ({result.id}).")
