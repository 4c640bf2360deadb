from datetime import date

from django.core.management.base import BaseCommand

from prospects.retention import send_retention_digest


class Command(BaseCommand):
    help = "Email each owner the prospects deleted within the grace window, and what would keep them."

    def add_arguments(self, parser):
        parser.add_argument("--today", type=date.fromisoformat, default=None, help="Compute as of this date.")

    def handle(self, *args, today: date | None, **options):
        sent = send_retention_digest(today=today)
        self.stdout.write(f"Retention digest sent to {sent} owners.")
