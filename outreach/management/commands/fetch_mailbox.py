from django.core.management.base import BaseCommand, CommandError

from outreach.mailbox import MailboxUnavailable, fetch_mailbox


class Command(BaseCommand):
    help = "Read the new messages of the mailbox (replies, bounces, stop answers) once."

    def handle(self, *args, **options) -> None:
        try:
            run = fetch_mailbox()
        except MailboxUnavailable as error:
            raise CommandError(str(error)) from error
        if run is None:
            self.stdout.write("no mailbox configured (LOYAL_MAILBOX_HOST)")
            return
        counts = sorted(run.handled.items())
        handled = ", ".join(f"{kind}: {count}" for kind, count in counts) or "nothing new"
        self.stdout.write(f"{handled}; waiting: {run.waiting}")
