"""Reads an .xlsx file with openpyxl (a reader independent of parkctl), after checking
the CRC of every part of the archive, and prints its first sheet as JSON: the frozen pane, the filter, each column's width, the charts, and
each cell's value, type, number format and boldness, row by row."""
import datetime
import json
import re
import sys
import zipfile

import openpyxl

with zipfile.ZipFile(sys.argv[1]) as archive:
    damaged = archive.testzip()   # every entry's CRC-32 checked
    if damaged is not None:
        sys.exit(f"{sys.argv[1]}: entry {damaged} is damaged")
book = openpyxl.load_workbook(sys.argv[1])
sheet = book.worksheets[0]
rows = []
for row in sheet.iter_rows():
    cells = []
    for cell in row:
        value = cell.value
        if isinstance(value, (datetime.datetime, datetime.date)):
            value = value.isoformat(sep=" ") if isinstance(value, datetime.datetime) else value.isoformat()
        cells.append({"value": value, "type": cell.data_type, "format": cell.number_format, "bold": bool(cell.font and cell.font.b)})
    rows.append(cells)
widths = {key: dim.width for key, dim in sheet.column_dimensions.items()}
# openpyxl does not read charts: the chart parts of the file, with their titles and kinds.
charts = []
with zipfile.ZipFile(sys.argv[1]) as archive:
    for name in sorted(n for n in archive.namelist() if re.fullmatch(r"xl/charts/chart\d+\.xml", n)):
        xml = archive.read(name).decode("utf-8")
        kind = re.search(r"<c:(barChart|lineChart)>", xml)
        charts.append({"kind": kind.group(1) if kind else None, "title": "".join(re.findall(r"<a:t>([^<]*)</a:t>", xml)),
                       "ranges": re.findall(r"<c:f>([^<]*)</c:f>", xml)})
print(json.dumps({"sheets": book.sheetnames, "freeze": sheet.freeze_panes, "filter": sheet.auto_filter.ref,
                  "widths": widths, "charts": charts, "rows": rows}, ensure_ascii=False))
