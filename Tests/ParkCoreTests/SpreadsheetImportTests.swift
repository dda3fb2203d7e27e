import Foundation
import ParkCore
import Postgres
import Testing
import TestSupport
#if canImport(Glibc)
import Glibc
#endif

/// Files as park staff keep them in Excel or WPS: Chinese headers with units, numbers
/// with thousands separators and units, full-width digits, dates written the Chinese
/// way, labels instead of codes.
@Suite struct SpreadsheetImportTests {
    @Test func unitsWithChineseHeadersAndSpreadsheetValuesImport() throws {
        let (db, session) = try makeSession()
        try smallPortfolio(session)
        try PortfolioService(session).addBuilding(BuildingAddress(park: "SW", building: "B2"), name: "2号楼", floorsAbove: 3, floorsBelow: 1)
        // Each row's area and rent are written differently; what is stored is what they mean.
        let csv = """
            园区,楼栋,房号, 面积（㎡）,租金(元/㎡/月),用途,所在楼层
            SW,B2,0101,"1,200.50",38,办公,1
            SW,B2,0102,256.5㎡,３８．５０,直播间,1F
            SW,B2,0201,256.5 m²,"1,038.00",Factory,2层
            SW,B2,B101,８０,36.00 元/㎡/月,仓库,B1
            """
        let summary = try importText(session, .units, csv)
        #expect(summary.rowsImported == 4)
        let rows = try db.connection.query("""
            SELECT u.code, u.floor, u.area_m2::text AS area, u.list_rent::text AS rent, u.kind
            FROM unit u JOIN building b ON b.id = u.building_id WHERE b.code = 'B2' ORDER BY u.code
            """).rows.map { [try $0.decode("code", as: String.self), String(try $0.decode("floor", as: Int.self)),
                             try $0.decode("area", as: String.self), try $0.decode("rent", as: String.self), try $0.decode("kind", as: String.self)] }
        #expect(rows == [["0101", "1", "1200.50", "38.00", "office"],
                         ["0102", "1", "256.50", "38.50", "live_room"],
                         ["0201", "2", "256.50", "1038.00", "factory"],
                         ["B101", "-1", "80.00", "36.00", "warehouse"]])
    }

    @Test func leaseDatesCyclesAndPercentagesAreReadTheChineseWay() throws {
        let (db, session) = try makeSession()
        try leasingPortfolio(session)
        let csv = """
            统一社会信用代码,房源,起租日,到期日,租金(元/㎡/月),押金,递增率,付款方式
            91350100M000100Y43,SW/B1/0101,2027年1月1日,2027/12/31,35,"¥12,000.00",3%,季付
            91350100M000100Y43,SW/B1/0201,2027.1.1,2027-12-31,３５,500元,,半年付
            """
        #expect(try importText(session, .leases, csv).rowsImported == 2)
        let rows = try db.connection.query("""
            SELECT lower(l.term)::text AS start, (upper(l.term) - 1)::text AS last, l.deposit::text AS deposit,
                   l.escalation_pct::text AS escalation, l.cycle
            FROM lease l ORDER BY l.number
            """).rows.map { row in try ["start", "last", "deposit", "escalation", "cycle"].map { try row.decode($0, as: String?.self) ?? "" } }
        #expect(rows.count == 2)
        #expect(rows.first?[0] == "2027-01-01" && rows.first?[1] == "2027-12-31")
        #expect(rows.first?[2] == "12000.00" && rows.first.map { Decimal(string: $0[3]) } == Decimal(3) && rows.first?[4] == "quarterly")
        #expect(rows.last?[0] == "2027-01-01" && rows.last?[2] == "500.00" && rows.last?[4] == "semiannual")
    }

    @Test func aDateWithTheYearLastIsRefusedNotGuessed() throws {
        let (db, session) = try makeSession()
        try leasingPortfolio(session)
        // 3/1/2027 is 1 March to some and 3 January to others; 2027/2/30 does not exist.
        let csv = """
            tenant_credit_code,units,start,end,rent
            91350100M000100Y43,SW/B1/0101,3/1/2027,2027-12-31,35
            91350100M000100Y43,SW/B1/0201,2027/2/30,2027-12-31,35
            91350100M000100Y43,SW/B1/0301,2027-01-01,2027-12-31,"1,2"
            91350100M000100Y43,SW/B1/0301,2028-01-01,2028-12-31,"0,100"
            """
        let before = try db.connection.query("SELECT count(*) FROM lease").rows[0].decode(0, as: Int.self)
        let rejected = #expect(throws: ImportRejected.self) { try importText(session, .leases, csv) }
        let problems = rejected?.problems ?? []
        // One problem a cell, each naming the cell as the file has it.
        #expect(problems.map(\.line) == [2, 3, 4, 5])
        #expect(problems.first?.column == "start" && problems.first?.value == "3/1/2027")
        #expect(problems.first?.rule.contains("puts the year last") == true)
        #expect(problems.dropFirst().first?.value == "2027/2/30" && problems.dropFirst().first?.rule.contains("YYYY-MM-DD") == true)
        // "1,2" is not a thousands separator: 1.2 to some, 12 to others; nor is "0,100" (0.1).
        #expect(problems.dropFirst(2).first?.column == "rent" && problems.dropFirst(2).first?.value == "1,2")
        #expect(problems.last?.column == "rent" && problems.last?.value == "0,100")
        #expect(try db.connection.query("SELECT count(*) FROM lease").rows[0].decode(0, as: Int.self) == before)
    }

    @Test func anUnknownHeaderGetsTheNearestName() throws {
        let (_, session) = try makeSession()
        try smallPortfolio(session)
        // A month's total is not a rent per m²: 租金(元/月) is not 租金(元/㎡/月).
        let total = #expect(throws: ParkError.self) { try importText(session, .units, "园区,楼栋,房号,楼层,面积,用途,租金(元/月)\n") }
        #expect(total?.message.contains("unknown column '租金(元/月)' (租金 is in 元/㎡/月, not 元/月)") == true)
        let area = #expect(throws: ParkError.self) { try importText(session, .units, "园区,楼栋,房号,楼层,面积(亩),用途,租金\n") }
        #expect(area?.message.contains("unknown column '面积(亩)' (面积 is in ㎡, not 亩)") == true)
        let typo = #expect(throws: ParkError.self) { try importText(session, .units, "园区,楼栋,房号,楼层,面积,用途,租全(元/㎡/月)\n") }
        #expect(typo?.message.contains("unknown column '租全(元/㎡/月)' (did you mean 租金(元/㎡/月)?)") == true)
        #expect(area?.message.contains("parkctl import --help") == true)
        let nothingNear = #expect(throws: ParkError.self) { try importText(session, .units, "park,building,unit,floor,area,kind,list_rent,xyzzy\n") }
        #expect(nothingNear?.message.contains("unknown column 'xyzzy';") == true)
    }

    @Test func everyLabelIsInEveryLanguage() {
        for language in Language.allCases {
            #expect(Catalogue.keys(in: language) == Catalogue.keys(in: .en), "\(language)")
            for key in LabelledVocabularies.keys { #expect(Catalogue.keys(in: language).contains(key), "\(key) in \(language)") }
        }
        #expect(PaymentCycle.fromLabel("季付") == .quarterly && UnitKind.fromLabel("Live Room") == .liveRoom)
        #expect(UnitKind.fromLabel("castle") == nil)
    }

    /// Excel's "Unicode text" is UTF-16 with a byte-order mark, tab-separated, lines ending
    /// CRLF: read with --encoding utf-16; read as anything else, the message says what the
    /// file is.
    @Test func aUTF16FileIsReadOrNamed() throws {
        let (db, session) = try makeSession()
        try smallPortfolio(session)
        // A quoted cell with a comma in it, as Excel writes one.
        let csv = "\u{FEFF}园区\t楼栋\t房号\t楼层\t面积\t类型\t租金\t不可租原因\r\nSW\tB1\t0401\t4\t120.50\t办公\t38\t\"漏水,维修中\"\r\n"
        var bytes: [UInt8] = []
        for unit in csv.utf16 { bytes.append(UInt8(unit & 0xFF)); bytes.append(UInt8(unit >> 8)) }   // little-endian, as Excel writes
        func importing(_ encoding: TextEncoding) throws -> ImportSummary {
            let fd = try fileDescriptor(bytes)
            defer { close(fd) }
            return try ImportService(session).run(.units, from: fd, encoding: encoding)
        }
        let before = try db.connection.tableChecksums()
        for encoding in [TextEncoding.utf8, .gbk] {
            let wrong = #expect(throws: ParkError.self) { try importing(encoding) }
            #expect(wrong?.message == "the file looks like UTF-16 (it starts with a UTF-16 byte-order mark, not \(encoding == .utf8 ? "UTF-8" : "GBK/GB18030")): "
                    + "import it with --encoding utf-16")
        }
        #expect(try db.connection.tableChecksums() == before)
        #expect(try importing(.utf16).rowsImported == 1)
        let unit = try PortfolioService(session).unit(UnitAddress(parsing: "SW/B1/0401"))
        #expect(unit.areaM2 == Decimal(string: "120.50") && unit.offMarketReason == "漏水,维修中")
        // Each encoding by any of its names, in any case.
        #expect(try ["GBK", "gb18030", "UTF-16", "utf16", "UTF-8"].map(TextEncoding.parse) == [.gbk, .gbk, .utf16, .utf16, .utf8])
        let refused135 = #expect(throws: ParkError.self) { try TextEncoding.parse("latin1") }
        #expect(refused135?.kind == .invalidInput && refused135?.message.contains("encoding 'latin1' is not one of: utf8, gbk (or gb18030), utf-16") == true, "\(String(describing: refused135))")
    }
}
