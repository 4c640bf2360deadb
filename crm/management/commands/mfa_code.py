from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django_otp.oath import TOTP

from crm import mfa


class Command(BaseCommand):
    help = "Print the code a demo user's authenticator app would show now (DEBUG only)."

    def add_arguments(self, parser):
        parser.add_argument("username")

    def handle(self, *args, username: str, **options):
        if not settings.DEBUG:
            raise CommandError("mfa_code stands in for a phone in the demo: it runs only with DEBUG on.")
        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"No user is called {username!r}.")
        device = mfa.app_device(user, confirmed=False) or mfa.app_device(user)
        if device is None:
            raise CommandError(f"{username} has no authenticator app: open the set-up page after logging in.")
        code = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift).token()
        self.stdout.write(f"{code:0{device.digits}d}")
