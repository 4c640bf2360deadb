from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db.models import Count

from prospects import importing
from prospects.models import ImportJob, ImportRejection

BAR = 30


class Command(BaseCommand):
    help = (
        "Import prospects from a CSV or XLSX file with one provenance for the whole file, e.g.\n"
        "  import_prospects delivery.csv --source broker --owner camille "
        "--evidence broker=ListCo contract_ref=C-12 list_id=L-7 delivery_date=2026-10-01 "
        "information_proof='Form v2 offers an opt-out' --map E-mail=email Nom=last_name\n"
        "Columns not given with --map are guessed from their headings. Rejected rows are "
        "reported by line and reason. Started again on the same file after an interruption, "
        "the import resumes after its last committed batch."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="a .csv or .xlsx file; its first line names the columns")
        parser.add_argument("--source", required=True, help="source type, e.g. broker, event, business_card")
        parser.add_argument(
            "--evidence", nargs="*", action="extend", default=[], metavar="KEY=VALUE", help="evidence fields"
        )
        parser.add_argument("--owner", required=True, metavar="USERNAME", help="the sales rep who owns them")
        parser.add_argument(
            "--map", nargs="*", action="extend", default=[], metavar="COLUMN=FIELD", help="column mapping"
        )
        parser.add_argument(
            "--language",
            default="",
            choices=["", "fr", "en"],
            help="the language of every row, required when no column gives it",
        )
        parser.add_argument("--batch-size", type=int, default=importing.BATCH_SIZE, help="lines per commit")

    def handle(self, *args, **options):
        job = self._job(options)
        job = importing.run(job, batch_size=options["batch_size"], on_progress=self._progress)
        self.stdout.write("")
        if job.status != ImportJob.Status.DONE:
            raise CommandError(job.error or f"Import #{job.pk} is {job.get_status_display().lower()}.")
        self.stdout.write(f"{job.loaded} prospects loaded, {job.rejected} rows rejected (import #{job.pk}).")
        counts = job.rejections.values("reason").annotate(rows=Count("id")).order_by("reason")
        for row in counts:
            self.stdout.write(f"  {ImportRejection.Reason(row['reason']).label}: {row['rows']}")

    def _job(self, options) -> ImportJob:
        path = Path(options["file"]).resolve()
        if not path.is_file():
            raise CommandError(f"No such file: {path}")
        owner = get_user_model().objects.filter(username=options["owner"]).first()
        if owner is None:
            raise CommandError(f"No user named {options['owner']!r}.")
        found = importing.resumable(
            fingerprint=importing.fingerprint(str(path)), source_type=options["source"], owner=owner
        )
        if found is not None:
            self.stdout.write(f"Resuming import #{found.pk} after line {found.loaded_through}.")
            return found
        try:
            job = importing.create_job(
                path=str(path),
                filename=path.name,
                source_type=options["source"],
                evidence=_pairs(options["evidence"], "--evidence"),
                owner=owner,
                by=owner,
            )
            mapping = {field: column for column, field in _pairs(options["map"], "--map", last=True).items()}
            importing.inspect(job)  # a command is not a web request: it reads the file itself
            if job.status == ImportJob.Status.FAILED:
                raise CommandError(job.error)
            if job.status == ImportJob.Status.QUEUED:  # business cards: the mapping is fixed
                return job
            return importing.begin(
                job,
                mapping={**importing.guess_mapping(job.headings), **mapping},
                language=options["language"],
            )
        except ValidationError as error:
            raise CommandError(_messages(error)) from error

    def _progress(self, job: ImportJob) -> None:
        done = BAR * job.progress // 100
        bar = "#" * done + "." * (BAR - done)
        self.stdout.write(
            f"\r[{bar}] {job.progress:3d}%  {job.loaded} loaded, {job.rejected} rejected", ending=""
        )
        self.stdout.flush()


def _pairs(items: list[str], option: str, *, last: bool = False) -> dict[str, str]:
    pairs = {}
    for item in items:
        if "=" not in item:
            raise CommandError(f"{option} expects NAME=VALUE, not {item!r}.")
        name, value = item.rsplit("=", 1) if last else item.split("=", 1)
        pairs[name.strip()] = value.strip()
    return pairs


def _messages(error: ValidationError) -> str:
    return "; ".join(f"{name}: {' '.join(messages)}" for name, messages in error.message_dict.items())
