from django.core.management.base import BaseCommand

from org.access import purge_expired_access_log


class Command(BaseCommand):
    help = "Delete the access-log entries older than LOYAL_RETENTION['access_log_months']."

    def handle(self, *args, **options):
        self.stdout.write(f"Deleted {purge_expired_access_log()} access-log entries.")
