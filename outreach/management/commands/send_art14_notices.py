from django.core.management.base import BaseCommand

from outreach.notices import send_art14_notices


class Command(BaseCommand):
    help = "Send the Art. 14 notice to every indirectly sourced person due one, or flag them for purge."

    def handle(self, *args, **options) -> None:
        counts = send_art14_notices()
        self.stdout.write(", ".join(f"{name}: {count}" for name, count in counts.items()))
