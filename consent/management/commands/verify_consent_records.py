from django.core.management.base import BaseCommand, CommandError

from consent.verification import (
    Checkpoint,
    Tally,
    checkpoint_problems,
    checkpoint_take,
    verify_all,
)
from consent.verification_state import count_differences, state_differences


class Command(BaseCommand):
    help = (
        "Recompute every hash of every signed consent record, its PDF and its events, and check "
        "both chains, and that each consent's stored state is the one its events add up to. Prints "
        "each problem with the record code (or the invitation, for a state); exits non-zero if "
        "any is found. "
        "With --since, also checks that nothing a checkpoint covered was removed; with "
        "--checkpoint, prints a new checkpoint to keep outside the database."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--chunk-size",
            type=int,
            default=500,
            help="Records read from the database at a time (default 500).",
        )
        parser.add_argument(
            "--since",
            action="append",
            default=[],
            metavar="CHECKPOINT",
            help=(
                "A checkpoint printed by an earlier --checkpoint run: every record and event it "
                "covered must still be there, unchanged. May be given more than once."
            ),
        )
        parser.add_argument(
            "--checkpoint",
            action="store_true",
            help=(
                "When everything is intact, print a checkpoint of the records and events older "
                "than a minute. Keep it where the database's owner cannot change it (printed, "
                "e-mailed, in another system) and pass it to --since later: that shows the "
                "newest records and events were not deleted, which the chains alone cannot."
            ),
        )

    def handle(self, *args, chunk_size: int, since: list[str], checkpoint: bool, **options):
        if chunk_size < 1:
            raise CommandError("--chunk-size must be at least 1.")
        try:
            earlier = [Checkpoint.parse(text) for text in since]
        except ValueError as error:
            raise CommandError(
                f"Not a checkpoint: {error}. A checkpoint looks like cp1-<record>-<event>-<64 hex "
                "characters>, as printed by --checkpoint."
            ) from None
        tally = Tally()
        for code, problem in verify_all(chunk_size=chunk_size, tally=tally):
            self.stderr.write(f"{code}: {problem}")
        for difference in state_differences(chunk_size=max(chunk_size, 500)):
            tally.problems += 1
            self.stderr.write(str(difference))
        for problem in count_differences():
            tally.problems += 1
            self.stderr.write(problem)
        for code, day in tally.purged:
            self.stdout.write(f"{code}: purged under the retention policy on {day.isoformat()}")
        for point in earlier:
            for problem in checkpoint_problems(point):
                tally.problems += 1
                self.stderr.write(f"{point}: {problem}")
        checked = f"Checked {tally.records} records and {tally.events} events"
        if earlier:
            checked += f" and {len(earlier)} checkpoint{'s' if len(earlier) != 1 else ''}"
        if tally.problems:
            raise CommandError(
                f"{checked}: {tally.problems} problem{'s' if tally.problems != 1 else ''} found."
            )
        self.stdout.write(self.style.SUCCESS(f"{checked}: all intact."))
        if checkpoint:
            point = checkpoint_take()
            self.stdout.write(
                f"Checkpoint (records up to #{point.last_record_id}, events up to "
                f"#{point.last_event_id}); keep it outside the database:\n{point}"
            )
