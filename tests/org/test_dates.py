"""One date format and one date-and-time format per language, in the organisation's time zone."""

from datetime import UTC, date, datetime

from django.template import Context, Template
from django.utils import translation

from org.dates import shown_date, shown_moment

MOMENT = datetime(2026, 12, 7, 13, 5, tzinfo=UTC)  # 14:05 in Paris


def test_a_moment_is_shown_in_the_organisations_time_zone_in_each_language():
    with translation.override("fr"):
        french = shown_moment(MOMENT)
    english = shown_moment(MOMENT)

    assert english == "7 December 2026, 14:05"
    assert french == "7 décembre 2026 à 14:05"


def test_iso_text_reads_like_any_other_date():
    assert shown_moment("2026-12-07T13:05:00+00:00") == "7 December 2026, 14:05"
    assert shown_date("2026-12-07") == shown_date(date(2026, 12, 7)) == "7 December 2026"
    assert shown_moment(None) == shown_date("") == ""


def test_the_short_and_long_formats_of_templates_agree():
    template = Template('{{ at|date:"SHORT_DATETIME_FORMAT" }}|{{ at|date:"DATETIME_FORMAT" }}|{{ at|date }}')

    with translation.override("fr"):
        shown = template.render(Context({"at": MOMENT}))

    assert shown == "7 décembre 2026 à 14:05|7 décembre 2026 à 14:05|7 décembre 2026"
