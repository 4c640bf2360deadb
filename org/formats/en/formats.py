"""Dates in English pages, exports and e-mails: one date format and one date-and-time format.

Read by Django through FORMAT_MODULE_PATH (crm/settings.py); the short and long names give the
same result, so every template shows a moment alike.
"""

DATE_FORMAT = SHORT_DATE_FORMAT = "j F Y"
DATETIME_FORMAT = SHORT_DATETIME_FORMAT = "j F Y, H:i"
TIME_FORMAT = "H:i"
MONTH_DAY_FORMAT = "j F"
YEAR_MONTH_FORMAT = "F Y"
