"""A purge run's counts in words on the DPO's pages (prospects/record_kinds.py)."""

from django import template

from prospects.record_kinds import counts_in_words, rows_in_words

register = template.Library()
register.filter("rows_in_words", rows_in_words)
register.filter("counts_in_words", counts_in_words)
