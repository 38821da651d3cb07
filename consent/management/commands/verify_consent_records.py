from django.core.management.base import BaseCommand, CommandError

from consent.verification import Tally, verify_all


class Command(BaseCommand):
    help = (
        "Recompute every hash of every signed consent record, its PDF and its events, and check "
        "both chains. Prints each problem with the record code; exits non-zero if any is found."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--chunk-size",
            type=int,
            default=500,
            help="Records read from the database at a time (default 500).",
        )

    def handle(self, *args, chunk_size: int, **options):
        if chunk_size < 1:
            raise CommandError("--chunk-size must be at least 1.")
        tally = Tally()
        for code, problem in verify_all(chunk_size=chunk_size, tally=tally):
            self.stderr.write(f"{code}: {problem}")
        checked = f"Checked {tally.records} records and {tally.events} events"
        if tally.problems:
            raise CommandError(
                f"{checked}: {tally.problems} problem{'s' if tally.problems != 1 else ''} found."
            )
        self.stdout.write(self.style.SUCCESS(f"{checked}: all intact."))
