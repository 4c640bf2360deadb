"""``moment`` and ``day``: for the values that reach a template as ISO text (the register's
dictionary, kept ISO for its JSON export), shown like every other date (org/dates.py)."""

from django import template

from org.dates import shown_date, shown_moment

register = template.Library()
register.filter("moment", shown_moment)
register.filter("day", shown_date)
