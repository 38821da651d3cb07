from django.core.management.base import BaseCommand

from consent.services import records_pdf_overdue
from consent.tasks import record_pdf_render


class Command(BaseCommand):
    help = (
        "Queue the PDF copy again for every signed record that has had none for longer than "
        "RECORD_PDF_SWEEP_MINUTES (a worker killed mid-task, a lost task). Run every few "
        "minutes by a timer (README: Workers and schedules); the PDF task is idempotent, so a "
        "record queued twice still gets one copy."
    )

    def handle(self, *args, **options):
        queued = 0
        for record_id in records_pdf_overdue().values_list("pk", flat=True).iterator():
            record_pdf_render.enqueue(record_id=record_id, attempt=1)
            queued += 1
        self.stdout.write(f"Queued the PDF copy of {queued} record(s).")
