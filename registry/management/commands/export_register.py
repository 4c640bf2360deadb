from pathlib import Path

from django.core.management.base import BaseCommand

from registry.art30 import LANGUAGES
from registry.exports import FORMATS, export_register


class Command(BaseCommand):
    help = "Write the Art. 30 register, with its live figures, to a file (HTML, JSON, CSV, XLSX or ODS)."

    def add_arguments(self, parser):
        parser.add_argument("--format", choices=FORMATS, required=True, dest="fmt")
        parser.add_argument("--output", type=Path, required=True, help="The file to write.")
        parser.add_argument("--language", choices=LANGUAGES, default="fr")

    def handle(self, *args, fmt: str, output: Path, language: str, **options):
        export = export_register(fmt, language=language)
        output.write_bytes(export.content)
        self.stdout.write(f"Wrote {output} ({fmt}, {len(export.content)} bytes).")
