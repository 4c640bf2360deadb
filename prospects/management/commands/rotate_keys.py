from django.core.management.base import BaseCommand

from prospects import keys


class Command(BaseCommand):
    help = "Re-encrypt every value encrypted at rest under the first key of LOYAL_ENCRYPTION_KEYS."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--chunk-size", type=int, default=keys.CHUNK_SIZE, help="Rows per transaction.")

    def handle(self, *args, chunk_size: int, **options) -> None:
        rows = keys.rotate_keys(chunk_size=chunk_size)
        self.stdout.write(f"{rows} rows re-encrypted under the current key; older keys can now be removed.")
