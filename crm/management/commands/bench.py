from django.core.management.base import BaseCommand

import bench.suite


class Command(BaseCommand):
    help = (
        "Run the benchmark suite and print one line per case: "
        "NAME: ours=SECONDS raw=SECONDS ratio=R target<=T, where raw is the equivalent raw SQL "
        "(psycopg, COPY, set-based statements) timed in the same run. The suite works in a "
        "throwaway database, never in the configured one: on PostgreSQL a database named after "
        "DATABASE_URL's with _bench_<process id> appended, created and dropped by the run (the "
        "user needs CREATEDB); on SQLite a temporary file. Cases whose module is not written yet print "
        "'skipped (not built yet)'. import_peak_rss is the peak memory of import_prospects run "
        "in a process of its own on a file of --rss-rows lines (the issue's bound: 200 MB at 1M)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--rows", type=int, default=100_000, help="rows per case (default 100000)")
        parser.add_argument(
            "--rss-rows", type=int, default=None, help="lines of the memory case's file (default: --rows)"
        )

    def handle(self, *args, **options):
        bench.suite.run(rows=options["rows"], rss_rows=options["rss_rows"], out=self.stdout)
