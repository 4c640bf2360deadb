from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from org.roles import Role
from prospects.identity import InvalidIdentifier
from registry.subject_access import export_subject_data, find_person


class Command(BaseCommand):
    help = "Write the GDPR art. 15 export (a ZIP) of the person with this email, phone or LinkedIn address."

    def add_arguments(self, parser):
        parser.add_argument("--email", default="")
        parser.add_argument("--phone", default="")
        parser.add_argument("--linkedin", default="", dest="linkedin_url")
        parser.add_argument("--output", type=Path, required=True, help="The ZIP file to write.")
        parser.add_argument(
            "--by",
            default="",
            help="Username of the administrator exporting; empty: logged as the command line.",
        )

    def handle(self, *args, email: str, phone: str, linkedin_url: str, output: Path, by: str, **options):
        admin = None
        if by:
            admin = (
                get_user_model().objects.filter(username=by, is_active=True, groups__name=Role.ADMIN).first()
            )
            if admin is None:
                raise CommandError(f"{by!r} is not an active administrator.")
        try:
            prospect = find_person(email=email, phone=phone, linkedin_url=linkedin_url)
        except InvalidIdentifier as error:
            raise CommandError(str(error)) from None
        if prospect is None:
            raise CommandError("Nobody in the base has this identifier: no data are held about them.")
        package = export_subject_data(prospect, by=admin)
        output.write_bytes(package.content)
        self.stdout.write(f"Wrote {output} (sha256 {package.sha256}).")
