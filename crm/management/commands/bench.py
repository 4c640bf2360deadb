from django.core.management.base import BaseCommand, CommandError

import bench.http
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
        "in a process of its own on a file of --rss-rows lines (the issue's bound: 200 MB at 1M). "
        "With --http (PostgreSQL and wrk only), what users feel instead: --rows prospects (half of "
        "them the bench rep's team's) filled into the throwaway database, the product served as "
        "its image serves it (DEBUG off, fresh secrets, collectstatic, gunicorn with "
        "gunicorn.conf.py, --http-workers workers) beside a raw WSGI twin running the page's "
        "query on one psycopg connection per worker, the rep logged in, and each case driven by "
        "wrk -t2 -c8 for --http-rounds rounds of --http-seconds seconds. One line per case: "
        "'http NAME: ours=R req/s p50=Xms p95=Xms p99=Xms non2xx=N errors=N rounds=R1,R2,R3' "
        "followed, where a raw twin exists, by 'raw=R req/s ratio=Q raw_decrypted=R req/s "
        "ratio_decrypted=Q' (ratio: the twin's req/s over ours); the twins' own lines read "
        "'http raw_NAME: raw=R req/s ...'; 'http fill: seconds=S' is the fill's time. R is the "
        "median round, the percentiles the rounds' medians, non2xx and errors their sums."
    )

    def add_arguments(self, parser):
        parser.add_argument("--rows", type=int, default=100_000, help="rows per case (default 100000)")
        parser.add_argument(
            "--rss-rows", type=int, default=None, help="lines of the memory case's file (default: --rows)"
        )
        parser.add_argument(
            "--http", action="store_true", help="measure the pages and the API over HTTP (see above)"
        )
        parser.add_argument(
            "--http-seconds", type=int, default=10, help="seconds of load per case and round (default 10)"
        )
        parser.add_argument(
            "--http-workers", type=int, default=3, help="gunicorn workers of each server (default 3)"
        )
        parser.add_argument("--http-rounds", type=int, default=3, help="rounds of every case (default 3)")

    def handle(self, *args, **options):
        if not options["http"]:
            bench.suite.run(rows=options["rows"], rss_rows=options["rss_rows"], out=self.stdout)
            return
        try:
            bench.http.run(
                rows=options["rows"],
                seconds=options["http_seconds"],
                workers=options["http_workers"],
                rounds=options["http_rounds"],
                out=self.stdout,
            )
        except bench.http.Unavailable as error:
            raise CommandError(str(error)) from error
