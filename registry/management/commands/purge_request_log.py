from django.core.management.base import BaseCommand

from registry.requests import purge_closed


class Command(BaseCommand):
    help = "Delete the data-subject requests closed more than five years ago."

    def handle(self, *args, **options):
        self.stdout.write(f"Deleted {purge_closed()} closed requests.")
