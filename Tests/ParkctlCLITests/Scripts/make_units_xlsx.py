"""Writes the workbooks of SpreadsheetImportCommandTests with openpyxl, as a park's staff
would have them in Excel: a title-less sheet of units with Chinese headers, numbers,
text that looks like numbers, an empty row; a leases sheet with real Excel dates,
a percentage cell and shared strings; and a second sheet."""
import datetime
import sys

import openpyxl

path = sys.argv[1]
book = openpyxl.Workbook()
units = book.active
units.title = "房源"
units.append(["园区", "楼栋", "房号", "楼层", "面积(㎡)", "用途", "租金(元/㎡/月)"])
units.append(["SW", "B1", "0401", 4, 120.5, "办公", 38])
units.append(["SW", "B1", "0402", "4F", "1,200.50", "直播间", 36.5])
units.append([])                                  # row 4 left empty
units.append(["SW", "B1", "0403", 4, 0, "办公", 38])   # row 5: an area of 0 is refused
leases = book.create_sheet("合同")
leases.append(["统一社会信用代码", "房源", "起租日", "到期日", "租金(元/㎡/月)", "递增率", "付款方式"])
leases.append(["91350100M000100Y43", "SW/B1/0101", datetime.date(2027, 1, 1), datetime.date(2027, 12, 31), 35, 0.03, "季付"])
leases["C2"].number_format = "yyyy\"年\"m\"月\"d\"日\""
leases["F2"].number_format = "0%"
book.save(path)
