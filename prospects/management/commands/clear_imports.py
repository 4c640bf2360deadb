from django.core.management.base import BaseCommand

from prospects.import_cleanup import clear_abandoned_imports


class Command(BaseCommand):
    help = (
        "Delete the files and staging tables of imports never mapped, failed or abandoned for longer "
        "than LOYAL_IMPORT_CLEANUP_HOURS, and files of the import folder that no import names."
    )

    def handle(self, *args, **options):
        run = clear_abandoned_imports()
        self.stdout.write(
            f"{len(run.jobs)} imports cleared: {run.files} files, {run.orphan_files} orphan files, "
            f"{run.staging_tables} staging tables deleted."
        )
