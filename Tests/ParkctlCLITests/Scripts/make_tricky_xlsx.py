"""Workbooks that once imported a wrong value (the hostile review): a hidden first
sheet, the 1904 date system, a unit code shown with leading zeros by its number
format, and a cell beyond the last column a row may have."""
import datetime
import sys

import openpyxl
from openpyxl.utils.datetime import CALENDAR_MAC_1904

folder = sys.argv[1]
header = ["park", "building", "unit", "floor", "area_m2", "kind", "list_rent"]

book = openpyxl.Workbook()
hidden = book.active
hidden.title = "旧"
hidden.append(header)
hidden.append(["SW", "B1", "0901", 9, 1.5, "office", 0.01])
hidden.sheet_state = "hidden"
shown = book.create_sheet("房源")
shown.append(header)
shown.append(["SW", "B1", "0901", 9, 150, "office", 45])
book.save(folder + "/hidden.xlsx")

book = openpyxl.Workbook()
book.epoch = CALENDAR_MAC_1904
sheet = book.active
sheet.append(["park", "building", "name", "floors", "delivered_on"])
sheet.append(["SW", "B7", "7号楼", 5, datetime.date(2024, 6, 19)])
sheet["E2"].number_format = "yyyy-mm-dd"
book.save(folder + "/d1904.xlsx")

book = openpyxl.Workbook()
sheet = book.active
sheet.append(header)
sheet.append(["SW", "B1", 805, 8, 100, "office", 40])
sheet["C2"].number_format = "0000"
book.save(folder + "/code.xlsx")

book = openpyxl.Workbook()
sheet = book.active
sheet.append(header)
sheet.append(["SW", "B1", "0902", 9, 100, "office", 40])
sheet.cell(row=2, column=1100, value="维修中")
book.save(folder + "/wide.xlsx")
