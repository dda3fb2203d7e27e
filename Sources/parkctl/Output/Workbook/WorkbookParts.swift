import Foundation

/// The parts of an .xlsx package around its one sheet (ECMA-376, SpreadsheetML): what
/// Excel, WPS and LibreOffice need to open it, and nothing more. The sheet itself is
/// streamed by ``Spreadsheet``.
enum WorkbookParts {
    static let sheetName = "parkctl"
    static let sheetPath = "xl/worksheets/sheet1.xml"
    static let main = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
    static let relationships = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    private static let declaration = #"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>"# + "\n"

    static func contentTypes(chart: Bool) -> String {
        let office = "application/vnd.openxmlformats-officedocument"
        var parts = [
            ("/xl/workbook.xml", "\(office).spreadsheetml.sheet.main+xml"),
            ("/\(sheetPath)", "\(office).spreadsheetml.worksheet+xml"),
            ("/xl/styles.xml", "\(office).spreadsheetml.styles+xml"),
            ("/docProps/core.xml", "application/vnd.openxmlformats-package.core-properties+xml"),
        ]
        if chart {
            parts += [("/xl/drawings/drawing1.xml", "\(office).drawing+xml"),
                      ("/xl/charts/chart1.xml", "\(office).drawingml.chart+xml")]
        }
        return declaration + #"<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">"#
            + #"<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>"#
            + #"<Default Extension="xml" ContentType="application/xml"/>"#
            + parts.map { #"<Override PartName="\#($0.0)" ContentType="\#($0.1)"/>"# }.joined() + "</Types>"
    }

    /// A relationships part: (type under officeDocument/2006/relationships or a full URI, target).
    static func relationships(_ targets: [(type: String, target: String)]) -> String {
        declaration + #"<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">"#
            + targets.enumerated().map { index, r in
                let type = r.type.hasPrefix("http") ? r.type : "\(relationships)/\(r.type)"
                return #"<Relationship Id="rId\#(index + 1)" Type="\#(type)" Target="\#(r.target)"/>"#
            }.joined() + "</Relationships>"
    }

    static let packageRelationships = relationships([
        ("officeDocument", "xl/workbook.xml"),
        ("http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties", "docProps/core.xml"),
    ])

    static let workbookRelationships = relationships([("worksheet", "worksheets/sheet1.xml"), ("styles", "styles.xml")])

    /// Who made the file and when (shown in Excel's file information).
    static func core(created: Date) -> String {
        let stamp = ISO8601DateFormatter().string(from: created)
        return declaration + #"<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" "#
            + #"xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" "#
            + #"xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><dc:creator>parkctl</dc:creator>"#
            + #"<dcterms:created xsi:type="dcterms:W3CDTF">\#(stamp)</dcterms:created>"#
            + #"<dcterms:modified xsi:type="dcterms:W3CDTF">\#(stamp)</dcterms:modified></cp:coreProperties>"#
    }

    /// The workbook: its one sheet, and the range of its filter (which Excel keeps as a
    /// hidden name).
    static func workbook(filter: String?) -> String {
        declaration + #"<workbook xmlns="\#(main)" xmlns:r="\#(relationships)">"#
            + #"<bookViews><workbookView/></bookViews><sheets><sheet name="\#(sheetName)" sheetId="1" r:id="rId1"/></sheets>"#
            + (filter.map { #"<definedNames><definedName name="_xlnm._FilterDatabase" localSheetId="0" hidden="1">\#(sheetName)!\#($0)</definedName></definedNames>"# } ?? "")
            + "</workbook>"
    }

    /// The cell formats: `numberFormats` are custom codes (ids from 164); each style is
    /// (index into them or nil for General, bold).
    static func styles(numberFormats: [String], styles: [(format: Int?, bold: Bool)]) -> String {
        let font = #"<sz val="11"/><name val="Calibri"/><family val="2"/>"#
        var xml = declaration + #"<styleSheet xmlns="\#(main)">"#
        if !numberFormats.isEmpty {
            xml += #"<numFmts count="\#(numberFormats.count)">"#
                + numberFormats.enumerated().map { #"<numFmt numFmtId="\#(164 + $0)" formatCode="\#(escaped($1))"/>"# }.joined()
                + "</numFmts>"
        }
        xml += #"<fonts count="2"><font>\#(font)</font><font><b/>\#(font)</font></fonts>"#
            + #"<fills count="2"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill></fills>"#
            + #"<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>"#
            + #"<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>"#
            + #"<cellXfs count="\#(styles.count)">"#
            + styles.map { style in
                let format = style.format.map { 164 + $0 } ?? 0
                return #"<xf numFmtId="\#(format)" fontId="\#(style.bold ? 1 : 0)" fillId="0" borderId="0" xfId="0""#
                    + (format != 0 ? #" applyNumberFormat="1""# : "") + (style.bold ? #" applyFont="1""# : "") + "/>"
            }.joined()
            + "</cellXfs>"
            + #"<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles></styleSheet>"#
        return xml
    }

    /// The drawing that places the chart right of the table, 8 columns by 15 rows.
    static func drawing(column: Int) -> String {
        func corner(_ tag: String, _ col: Int, _ row: Int) -> String {
            "<xdr:\(tag)><xdr:col>\(col)</xdr:col><xdr:colOff>0</xdr:colOff><xdr:row>\(row)</xdr:row><xdr:rowOff>0</xdr:rowOff></xdr:\(tag)>"
        }
        return declaration
            + #"<xdr:wsDr xmlns:xdr="http://schemas.openxmlformats.org/drawingml/2006/spreadsheetDrawing" xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main">"#
            + #"<xdr:twoCellAnchor editAs="oneCell">"# + corner("from", column, 1) + corner("to", column + 8, 16)
            + #"<xdr:graphicFrame macro=""><xdr:nvGraphicFramePr><xdr:cNvPr id="2" name="Chart 1"/><xdr:cNvGraphicFramePr/></xdr:nvGraphicFramePr>"#
            + #"<xdr:xfrm><a:off x="0" y="0"/><a:ext cx="0" cy="0"/></xdr:xfrm><a:graphic><a:graphicData uri="http://schemas.openxmlformats.org/drawingml/2006/chart">"#
            + #"<c:chart xmlns:c="http://schemas.openxmlformats.org/drawingml/2006/chart" xmlns:r="\#(relationships)" r:id="rId1"/>"#
            + "</a:graphicData></a:graphic></xdr:graphicFrame><xdr:clientData/></xdr:twoCellAnchor></xdr:wsDr>"
    }

    /// A chart of one series: columns, or a line for a series over time; `categories` and
    /// `values` are ranges of the sheet (`parkctl!$D$2:$D$6`), `numericCategories` when
    /// the categories are numbers or dates; `percent` formats the value axis.
    static func chart(title: String, categories: String, values: String, numericCategories: Bool, line: Bool, percent: Bool) -> String {
        let reference = numericCategories ? "numRef" : "strRef"
        let series = #"<c:ser><c:idx val="0"/><c:order val="0"/>"#
            + (line ? #"<c:marker><c:symbol val="circle"/></c:marker>"# : #"<c:invertIfNegative val="0"/>"#)
            + "<c:cat><c:\(reference)><c:f>\(escaped(categories))</c:f></c:\(reference)></c:cat>"
            + "<c:val><c:numRef><c:f>\(escaped(values))</c:f></c:numRef></c:val>"
            + (line ? #"<c:smooth val="0"/>"# : "") + "</c:ser>"
        let plot = line
            ? #"<c:lineChart><c:grouping val="standard"/><c:varyColors val="0"/>\#(series)<c:marker val="1"/><c:axId val="1"/><c:axId val="2"/></c:lineChart>"#
            : #"<c:barChart><c:barDir val="col"/><c:grouping val="clustered"/><c:varyColors val="0"/>\#(series)<c:gapWidth val="150"/><c:axId val="1"/><c:axId val="2"/></c:barChart>"#
        return declaration
            + #"<c:chartSpace xmlns:c="http://schemas.openxmlformats.org/drawingml/2006/chart" xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main" xmlns:r="\#(relationships)">"#
            + #"<c:chart><c:title><c:tx><c:rich><a:bodyPr/><a:p><a:r><a:t>\#(escaped(title))</a:t></a:r></a:p></c:rich></c:tx><c:overlay val="0"/></c:title>"#
            + #"<c:autoTitleDeleted val="0"/><c:plotArea><c:layout/>\#(plot)"#
            + #"<c:catAx><c:axId val="1"/><c:scaling><c:orientation val="minMax"/></c:scaling><c:delete val="0"/><c:axPos val="b"/>"#
            + #"<c:numFmt formatCode="General" sourceLinked="1"/><c:tickLblPos val="nextTo"/><c:crossAx val="2"/><c:crosses val="autoZero"/>"#
            + #"<c:auto val="1"/><c:lblAlgn val="ctr"/><c:lblOffset val="100"/></c:catAx>"#
            + #"<c:valAx><c:axId val="2"/><c:scaling><c:orientation val="minMax"/></c:scaling><c:delete val="0"/><c:axPos val="l"/><c:majorGridlines/>"#
            + #"<c:numFmt formatCode="\#(percent ? "0%" : "General")" sourceLinked="\#(percent ? 0 : 1)"/><c:tickLblPos val="nextTo"/>"#
            + #"<c:crossAx val="1"/><c:crosses val="autoZero"/><c:crossBetween val="between"/></c:valAx></c:plotArea>"#
            + #"<c:plotVisOnly val="1"/><c:dispBlanksAs val="gap"/></c:chart></c:chartSpace>"#
    }

    /// Text for XML content or attributes.
    static func escaped(_ text: String) -> String {
        var buffer = XMLBuffer(capacity: text.utf8.count + 16)
        buffer.append(escaped: text)
        return String(decoding: buffer.bytes, as: UTF8.self)
    }
}
