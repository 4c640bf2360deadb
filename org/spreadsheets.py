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


# --- Layout: what a spreadsheet program and its PDF print show whole --------------------------

# Widths in characters: wide enough for the longest line of a column, capped so that a long
# text wraps instead of pushing the other columns off the page.
MIN_WIDTH, MAX_WIDTH = 8, 60
CSV_DIALECTS = {
    # French Excel reads ';' as the separator and needs the byte-order mark to see UTF-8.
    "fr": {"delimiter": ";", "bom": True},
    "en": {"delimiter": ",", "bom": False},
}


def column_width(values) -> int:
    """Characters for a column holding ``values``: its longest line, within the caps."""
    longest = max((len(line) for value in values for line in str(value or "").split("\n")), default=0)
    return max(MIN_WIDTH, min(MAX_WIDTH, longest + 2))


def csv_bytes(dataset, *, language: str) -> bytes:
    """A tablib dataset as CSV in the language's dialect: ';' and a BOM for French Excel."""
    dialect = CSV_DIALECTS.get(language, CSV_DIALECTS["en"])
    text = dataset.export("csv", delimiter=dialect["delimiter"])
    return ("\ufeff" + text if dialect["bom"] else text).encode()


def laid_out_xlsx(content: bytes) -> bytes:
    """Every sheet of a workbook with fitted widths, wrapped cells, a bold frozen header row,
    and a landscape print fitted to the page width."""
    import io

    import openpyxl
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    workbook = openpyxl.load_workbook(io.BytesIO(content))
    for sheet in workbook.worksheets:
        for index, column in enumerate(sheet.iter_cols(), start=1):
            sheet.column_dimensions[get_column_letter(index)].width = column_width(c.value for c in column)
            for cell in column:
                cell.alignment = Alignment(wrap_text=True, vertical="top")
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        sheet.freeze_panes = "A2"
        sheet.page_setup.orientation = "landscape"
        sheet.page_setup.fitToWidth, sheet.page_setup.fitToHeight = 1, 0
        sheet.sheet_properties.pageSetUpPr.fitToPage = True
        sheet.print_title_rows = "1:1"
    output = io.BytesIO()
    workbook.save(output)
    return output.getvalue()


def laid_out_ods(content: bytes) -> bytes:
    """Every table of an ODS document with fitted column widths, wrapped cells and a bold header."""
    import io

    from odf.opendocument import load
    from odf.style import (
        ParagraphProperties,
        Style,
        TableCellProperties,
        TableColumnProperties,
        TextProperties,
    )
    from odf.table import Table, TableCell, TableColumn, TableRow
    from odf.teletype import extractText

    document = load(io.BytesIO(content))
    wrapped = Style(name="LoyalWrapped", family="table-cell")
    wrapped.addElement(TableCellProperties(wrapoption="wrap", verticalalign="top"))
    header = Style(name="LoyalHeader", family="table-cell")
    header.addElement(TableCellProperties(wrapoption="wrap", verticalalign="top"))
    header.addElement(TextProperties(fontweight="bold"))
    header.addElement(ParagraphProperties())
    document.automaticstyles.addElement(wrapped)
    document.automaticstyles.addElement(header)
    for table_number, table in enumerate(document.spreadsheet.getElementsByType(Table)):
        rows = [row.getElementsByType(TableCell) for row in table.getElementsByType(TableRow)]
        count = max((len(cells) for cells in rows), default=0)
        for old in table.getElementsByType(TableColumn):
            table.removeChild(old)
        first = table.firstChild
        for index in range(count):
            values = [extractText(cells[index]) for cells in rows if index < len(cells)]
            style = Style(name=f"LoyalColumn{table_number}x{index}", family="table-column")
            # About 0.21 cm per character of a 10-point font.
            style.addElement(TableColumnProperties(columnwidth=f"{column_width(values) * 0.21:.2f}cm"))
            document.automaticstyles.addElement(style)
            table.insertBefore(TableColumn(stylename=style), first)
        for number, cells in enumerate(rows):
            for cell in cells:
                cell.setAttrNS(cell.qname[0], "style-name", "LoyalHeader" if number == 0 else "LoyalWrapped")
    output = io.BytesIO()
    document.write(output)
    return output.getvalue()
