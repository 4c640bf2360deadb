from datetime import date

from django.core.management.base import BaseCommand, CommandError

from prospects.purge import DEFAULT_CHUNK_SIZE, PurgeAlreadyRunning, PurgeReport, purge_expired


class Command(BaseCommand):
    help = "Delete the prospects past their retention period, and all about them (docs/rules.md §2.1)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run", action="store_true", help="Count what would be deleted; delete nothing."
        )
        parser.add_argument(
            "--chunk-size", type=int, default=DEFAULT_CHUNK_SIZE, help="Prospects per transaction."
        )
        parser.add_argument(
            "--today", type=date.fromisoformat, default=None, help="Apply deadlines as of this date."
        )

    def handle(self, *args, dry_run: bool, chunk_size: int, today: date | None, verbosity: int, **options):
        progress = self._progress if verbosity >= 2 else None
        try:
            report = purge_expired(today=today, dry_run=dry_run, chunk_size=chunk_size, progress=progress)
        except PurgeAlreadyRunning:
            raise CommandError("Another purge is running: this one did nothing.") from None
        self.stdout.write(describe(report))

    def _progress(self, report: PurgeReport) -> None:
        self.stdout.write(f"chunk {report.chunks}: {report.purged} prospects so far")
        self.stdout.flush()


def describe(report: PurgeReport) -> str:
    """One line per count, the same for a dry run and a real one, so that they compare line by line."""
    verb = "would delete" if report.dry_run else "deleted"
    lines = [f"Purge run #{report.run_id} {verb} {report.purged} prospects."]
    lines += [f"  reason {reason}: {count}" for reason, count in sorted(report.counts.items())]
    lines += [f"  table {label}: {count}" for label, count in sorted(report.rows.items())]
    return "\n".join(lines)
