from django.core.management.base import BaseCommand

from prospects.agenda import send_day_digests


class Command(BaseCommand):
    help = "Email each opted-in sales rep their day: next steps overdue, due today and this week."

    def handle(self, *args, **options):
        sent = send_day_digests()
        self.stdout.write(f"Day digest sent to {sent} reps.")
