from datetime import timedelta

from django.core.management.base import BaseCommand

from outreach.sending import requeue_stalled


class Command(BaseCommand):
    help = "Hand the worker again every campaign message still queued after the stall delay."

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--minutes", type=int, help="Stall delay (default: LOYAL_OUTREACH['stall_minutes'])."
        )

    def handle(self, *args, minutes: int | None = None, **options) -> None:
        older_than = timedelta(minutes=minutes) if minutes is not None else None
        self.stdout.write(f"requeued: {requeue_stalled(older_than=older_than)}")
