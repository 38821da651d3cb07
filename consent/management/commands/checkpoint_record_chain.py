from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from consent.tasks import record_chain_checkpoint


class Command(BaseCommand):
    help = (
        "Queue the daily checkpoint of the consent record chain, kept where CHECKPOINT_PATH "
        "(a file it appends to) and/or CHECKPOINT_EMAIL (an address) say. Run once a day by a "
        "timer (README: Workers and schedules)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--now", action="store_true", help="Run the task in this process, not on a worker."
        )

    def handle(self, *args, now: bool, **options):
        if not (settings.CHECKPOINT_PATH or settings.CHECKPOINT_EMAIL):
            raise CommandError(
                "Set CHECKPOINT_PATH or CHECKPOINT_EMAIL: a checkpoint kept nowhere shows nothing."
            )
        if now:
            self.stdout.write(record_chain_checkpoint.call())
        else:
            result = record_chain_checkpoint.enqueue()
            self.stdout.write(f"Queued the record-chain checkpoint ({result.id}).")
