"""Cells of the CSV, XLSX and ODS files Loyal writes: never read as a formula.

A spreadsheet runs a cell that starts with ``=``, ``+``, ``-`` or ``@`` (and a tab or a
carriage return before them) as a formula: a name typed as ``=HYPERLINK(...)`` would
become a link or a command in the DPO's copy of the register (OWASP, CSV injection).
Every cell written from user data goes through ``safe_cell``, which prefixes such text
with an apostrophe, as a spreadsheet itself does for text typed to look like a formula.
"""

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: object) -> object:
    """``value`` as a cell: text that a spreadsheet would run gets a leading apostrophe;
    numbers, dates and empty values are left as they are."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value
