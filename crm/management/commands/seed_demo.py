from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from crm import demo


class Command(BaseCommand):
    help = "Create demo users for each role and demo data (idempotent; DEBUG only)."

    def handle(self, *args, **options):
        if not settings.DEBUG:
            raise CommandError(
                "seed_demo creates accounts with published passwords: it runs only with DEBUG on."
            )
        users = demo.seed()
        self.stdout.write("Demo logins (username / password / role):")
        for user in users:
            self.stdout.write(f"  {user.username:<8} {user.password:<24} {user.role.label}")
        self.stdout.write(
            "dpo and admin then confirm the log-in with an authenticator app (the page shows a QR code\n"
            "and its key); without a phone,\n"
            "`DEBUG=1 .venv/bin/python manage.py mfa_code <username>` prints the code."
        )
