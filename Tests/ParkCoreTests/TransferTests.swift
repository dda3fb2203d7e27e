import Foundation
import ParkCore
import Postgres
import Testing
import TestSupport
#if canImport(Glibc)
import Glibc
#endif

/// Writes bytes to a temporary file and returns an open descriptor to it.
func fileDescriptor(_ bytes: [UInt8]) throws -> Int32 {
    var template = Array((NSTemporaryDirectory() + "/parkctl-import-XXXXXX").utf8CString)
    let fd = mkstemp(&template)
    #expect(fd >= 0)
    template.withUnsafeBufferPointer { _ = unlink($0.baseAddress!) }
    _ = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
    lseek(fd, 0, SEEK_SET)
    return fd
}

func importText(_ session: ParkSession, _ entity: TransferEntity, _ text: String, dryRun: Bool = false,
                encoding: TextEncoding = .utf8) throws -> ImportSummary {
    let fd = try fileDescriptor(Array(text.utf8))
    defer { close(fd) }
    return try ImportService(session).run(entity, from: fd, encoding: encoding, dryRun: dryRun)
}

func exportText(_ session: ParkSession, _ entity: TransferEntity, park: String? = nil) throws -> String {
    var bytes: [UInt8] = []
    try ExportService(session).run(entity, park: park) { bytes.append(contentsOf: $0) }
    return String(decoding: bytes, as: UTF8.self)
}

@Suite struct TransferTests {
    @Test func everyEntityRoundTripsIntoAnEmptyDatabase() throws {
        let (_, source) = try makeSession()
        try DemoPortfolio(source).load()
        let (_, target) = try makeSession()
        for entity in [TransferEntity.parks, .buildings, .units, .tenants, .leases] {
            let exported = try exportText(source, entity)
            let summary = try importText(target, entity, exported)
            #expect(summary.rowsImported == exported.split(separator: "\n").count - 1, "\(entity)")
            #expect(try exportText(target, entity) == exported, "\(entity)")
        }
        // The occupancy agrees too.
        let a = try OccupancyReport(source).run(asOf: CalendarDate("2026-06-30")).rows.last
        let b = try OccupancyReport(target).run(asOf: CalendarDate("2026-06-30")).rows.last
        #expect(a == b)
        #expect(try exportText(source, .units, park: "EC").split(separator: "\n").count == 126)
    }

    @Test func everyRuleIsReportedWithItsLineAndNothingIsImported() throws {
        let (db, session) = try makeSession()
        try smallPortfolio(session)
        let csv = """
            park,building,unit,floor,area_m2,kind,list_rent,off_market_reason
            SW,B1,0401,4,120.50,office,38.00,
            XX,B1,0402,4,100,office,38,
            SW,B9,0403,4,100,office,38,
            SW,B1,04 04,4,100,office,38,
            SW,B1,0405,four,100,office,38,
            SW,B1,0406,9,100,office,38,
            SW,B1,0407,4,-5,office,38,
            SW,B1,0408,4,10.123,office,38,
            SW,B1,0409,4,100,castle,38,
            SW,B1,0410,4,100,office,NaN,
            SW,B1,0401,4,100,office,38,
            SW,B1,0101,1,100,office,38,
            SW,B1,,4,100,office,38,
            """
        let before = try db.connection.tableChecksums()
        let rejected = #expect(throws: ImportRejected.self) { try importText(session, .units, csv) }
        let problems = rejected?.problems ?? []
        func has(_ line: Int, _ column: String, _ rule: String) -> Bool {
            problems.contains { $0.line == line && $0.column == column && $0.rule.contains(rule) }
        }
        #expect(has(3, "park", "no park has this code"))
        #expect(has(4, "building", "has no building B9"))
        #expect(has(5, "unit", "a unit code is"))
        #expect(has(6, "floor", "whole number"))
        #expect(has(7, "floor", "has floors 1…5"))
        #expect(has(8, "area_m2", "above 0"))
        #expect(has(9, "area_m2", "at most 2 decimals"))
        #expect(has(10, "kind", "kind is one of"))
        #expect(has(11, "list_rent", "list rent"))
        #expect(has(12, "unit", "the same unit is on line 2"))
        #expect(has(13, "unit", "exists already"))
        #expect(has(14, "unit", "must not be empty"))
        #expect(!problems.contains { $0.line == 2 })
        #expect(rejected?.summary.rowsRead == 13)
        #expect(rejected?.summary.rowsRejected == 12)
        #expect(try db.connection.tableChecksums() == before)
        // A dry run of a good file writes nothing either.
        let good = "park,building,unit,floor,area_m2,kind,list_rent\nSW,B1,0401,4,120.50,office,38.00\n"
        #expect(try importText(session, .units, good, dryRun: true).rowsRead == 1)
        #expect(try db.connection.tableChecksums() == before)
        #expect(try importText(session, .units, good).rowsImported == 1)
        #expect(try PortfolioService(session).unit(UnitAddress(park: "SW", building: "B1", unit: "0401")).areaM2 == money("120.50"))
    }

    /// Duplicates and overlaps are checked by the constraints on insert when nothing else
    /// is wrong; a file whose only faults are those still gets every one listed, with its
    /// line, and nothing imported.
    @Test func duplicatesAndOverlapsAloneAreStillAllReported() throws {
        let (db, session) = try makeSession()
        try leasingPortfolio(session)
        try LeaseService(session).sign(terms(["SW/B1/0301"], "2026-01-01", "2026-12-31"))
        let before = try db.connection.tableChecksums()
        let units = "park,building,unit,floor,area_m2,kind,list_rent\nSW,B1,0401,4,50,office,30\nSW,B1,0101,1,50,office,30\n"
            + "SW,B1,0402,4,50,office,30\nSW,B1,0401,4,60,office,30\n"
        let rejected = #expect(throws: ImportRejected.self) { try importText(session, .units, units) }
        #expect(rejected?.problems.map { "\($0.line) \($0.column)" } == ["3 unit", "5 unit"], "\(rejected?.problems ?? [])")
        #expect(rejected?.problems.last?.rule.contains("the same unit is on line 2") == true)
        #expect(rejected?.problems.first?.rule.contains("exists already") == true)
        #expect(rejected?.summary.rowsRejected == 2 && rejected?.summary.rowsRead == 4)

        let leases = """
            tenant_credit_code,units,start,end,rent
            91350100M000100Y43,SW/B1/0101,2027-01-01,2027-12-31,35
            91350100M000100Y43,SW/B1/0101,2027-06-01,2028-05-31,35
            91350100M000100Y43,SW/B1/0301,2026-12-01,2027-11-30,35
            """
        let overlaps = #expect(throws: ImportRejected.self) { try importText(session, .leases, leases) }
        #expect(overlaps?.problems.map(\.line) == [3, 4], "\(overlaps?.problems ?? [])")
        #expect(try db.connection.tableChecksums() == before)
        // A dry run lists them without inserting anything.
        let dry = #expect(throws: ImportRejected.self) { try importText(session, .units, units, dryRun: true) }
        #expect(dry?.problems.count == 2)
    }

    @Test func aThousandBadRowsAreAllReported() throws {
        let (_, session) = try makeSession()
        try smallPortfolio(session)
        var csv = "park,building,unit,floor,area_m2,kind,list_rent\n"
        for i in 1...1_000 { csv += "SW,B1,X\(i),1,0,office,38\n" }
        for i in 1...500 { csv += "SW,B1,Y\(i),1,10,office,38\n" }
        let rejected = #expect(throws: ImportRejected.self) { try importText(session, .units, csv) }
        #expect(rejected?.problems.count == 1_000)
        #expect(rejected?.problems.map(\.line) == Array(2...1_001))
        #expect(rejected?.summary.rowsRejected == 1_000 && rejected?.summary.rowsRead == 1_500)
    }

    @Test func bomChineseHeadersQuotedCellsAndGBK() throws {
        let (_, session) = try makeSession()
        try smallPortfolio(session)
        let tenants = "\u{FEFF}公司名,统一社会信用代码,行业,联系人,电话,园区,阶段\r\n"
            + "\"博思软件, 福州\",91350100M000100Y43,software,\"陈 \"\"小\"\" 静\",0591-87500103,SW,approved\r\n"
            + "\"多行\n名称\",91440300708461136T,ai,李明,0734-8100101,SW,\r\n"
            + "\"=HYPERLINK(\"\"http://x\"\")\",91350100M000100Y43,software,陈静,0591-87500103,,\r\n"
        // A quoted cell may span lines, but a company name is one line: the line break is
        // reported with the line the record starts on, and the next record's line is right.
        let multiline = #expect(throws: ImportRejected.self) { try importText(session, .tenants, tenants) }
        #expect(multiline?.problems.map { "\($0.line) \($0.column)" } == ["3 name", "5 name"], "\(multiline?.problems ?? [])")
        #expect(multiline?.problems.first?.rule == "holds a line break or tab; a cell is one line of text")
        let fixed = tenants.replacingOccurrences(of: "多行\n名称", with: "多行 名称").split(separator: "\r\n").dropLast().joined(separator: "\r\n")
        #expect(try importText(session, .tenants, fixed).rowsImported == 2)
        let shown = try TenantService(session).show(creditCode: "91350100M000100Y43")
        #expect(shown.tenant.name == "博思软件, 福州")
        #expect(shown.tenant.contact == "陈 \"小\" 静")
        #expect(shown.applications.first?.stage == .approved)
        #expect(try TenantService(session).show(creditCode: "91440300708461136T").tenant.name == "多行 名称")
        #expect(try TenantService(session).onboarding(creditCode: "91440300708461136T", park: "SW").stage == .movedIn)

        // The same units file in GBK.
        let units = "园区,楼栋,单元,楼层,面积,类型,租金,不可租原因\nSW,B1,0501,5,88.80,office,30.00,屋面维修\n"
        let gbk = try #require(gbkBytes(units))
        #expect(!gbk.elementsEqual(Array(units.utf8)))
        let fd = try fileDescriptor(gbk)
        defer { close(fd) }
        #expect(try ImportService(session).run(.units, from: fd, encoding: .gbk).rowsImported == 1)
        #expect(try PortfolioService(session).unit(UnitAddress(park: "SW", building: "B1", unit: "0501")).offMarketReason == "屋面维修")
        // GBK read as UTF-8 is refused with the line and the hint.
        let wrong = try fileDescriptor(gbk)
        defer { close(wrong) }
        let error = #expect(throws: ParkError.self) { try ImportService(session).run(.units, from: wrong) }
        #expect(error?.message.contains("--encoding gbk") == true)
        // A GBK cell under a plain header is reported with its line.
        let mixed = try fileDescriptor(Array("park,building,unit,floor,area_m2,kind,list_rent,off_market_reason\n".utf8)
                                       + Array(gbk.split(separator: 0x0A)[1]) + [0x0A])
        defer { close(mixed) }
        let cell = #expect(throws: ImportRejected.self) { try ImportService(session).run(.units, from: mixed) }
        #expect(cell?.problems.first?.line == 2)
        #expect(cell?.problems.first?.rule.contains("--encoding gbk") == true)
    }

    @Test func theHeaderIsChecked() throws {
        let (_, session) = try makeSession()
        let unknown = #expect(throws: ParkError.self) { try importText(session, .units, "park,building,unit,floors,area\n") }
        #expect(unknown?.message.contains("unknown column 'floors' (did you mean floor?)") == true)
        let missing = #expect(throws: ParkError.self) { try importText(session, .units, "park,building,unit\n") }
        #expect(missing?.message.contains("lacks the required columns: floor, area_m2, kind, list_rent") == true)
        let refused192 = #expect(throws: ParkError.self) { try importText(session, .units, "") }
        #expect(refused192?.kind == .invalidInput && refused192?.message.contains("the file is empty: it needs a header line (park,building,unit,floor,ar") == true, "\(String(describing: refused192))")
        let refused193 = #expect(throws: ParkError.self) { try importText(session, .tickets, "x\n") }
        #expect(refused193?.kind == .invalidInput && refused193?.message.contains("tickets can be exported but not imported") == true, "\(String(describing: refused193))")
    }

    @Test func leaseRulesIncludingOverlapsInTheFileAndInTheDatabase() throws {
        let (_, session) = try makeSession()
        try leasingPortfolio(session)
        try LeaseService(session).sign(terms(["SW/B1/0301"], "2026-01-01", "2026-12-31"))
        let csv = """
            tenant_credit_code,units,start,end,rent,free_from,free_to
            91350100M000100Y43,SW/B1/0101,2026-01-01,2026-12-31,35,2026-01-01,2026-01-31
            91350100M000100Y43,SW/B1/0101;SW/B1/0201,2026-06-01,2027-05-31,35,,
            91350100M000100Y43,SW/B1/0301,2026-12-01,2027-11-30,35,,
            91350100M000100Y43,SW/B1/0201;EC/A/101,2028-01-01,2028-12-31,35,,
            91350100M000100Y43,SW/B1/0201,2029-02-30,2029-12-31,35,,
            91440300708461136T,SW/B1/0201,2030-01-01,2030-12-31,35,,
            91350100M000100Y43,SW/B1/0201,2031-01-01,2031-12-31,35,2030-12-01,2031-01-31
            """
        let rejected = #expect(throws: ImportRejected.self) { try importText(session, .leases, csv) }
        let problems = rejected?.problems ?? []
        func has(_ line: Int, _ column: String, _ rule: String) -> Bool {
            problems.contains { $0.line == line && $0.column == column && $0.rule.contains(rule) }
        }
        #expect(has(3, "units", "overlaps the lease on line 2"))
        #expect(has(4, "units", "leased under L-2026-"))
        #expect(has(5, "units", "more than one park"))
        #expect(has(6, "start", "a date is YYYY-MM-DD"))
        #expect(has(7, "tenant_credit_code", "no tenant has this credit code"))
        #expect(has(8, "free_from", "inside the term"))
        #expect(!problems.contains { $0.line == 2 })
        let good = "tenant_credit_code,units,start,end,rent\n91350100M000100Y43,SW/B1/0101 SW/B1/0201,2027-01-01,2027-12-31,36.50\n"
        #expect(try importText(session, .leases, good).rowsImported == 1)
        let leases = try LeaseService(session).list(activeOn: CalendarDate("2027-06-01"))
        #expect(leases.map(\.units) == [["SW/B1/0101", "SW/B1/0201"]])
    }

    /// A unit added or released by an amendment travels with its days, so that an
    /// exported lease file imports without a false overlap and with the same occupancy.
    @Test func unitsHeldForPartOfALeaseTravelWithTheirDays() throws {
        let (_, source) = try makeSession()
        try leasingPortfolio(source)
        let leases = LeaseService(source)
        let lease = try leases.sign(terms(["SW/B1/0101"], "2027-01-01", "2027-12-31"))
        var change = LeaseService.Amendment(signedOn: day("2026-11-01"))
        change.effectiveOn = day("2027-03-11")
        change.addUnits = [unit("SW/B1/0201")]
        try leases.amend(lease.number, change)
        change.effectiveOn = day("2027-07-01")
        change.addUnits = []
        change.releaseUnits = [unit("SW/B1/0101")]
        try leases.amend(lease.number, change)
        // 0101 is free from July: another lease of it must import next to this one.
        try leases.sign(terms(["SW/B1/0101"], "2027-09-01", "2027-12-31"))
        let exported = try exportText(source, .leases)
        #expect(exported.contains(",SW/B1/0101[..2027-06-30];SW/B1/0201[2027-03-11..],2027-01-01,2027-12-31,"), "\(exported)")

        var rent = LeaseService.Amendment(signedOn: day("2026-11-02"))
        rent.effectiveOn = day("2027-05-01")
        rent.rent = money("41.00")
        rent.note = "补充协议三：调租"
        try leases.amend(lease.number, rent)
        let amendments = try exportText(source, .amendments)
        #expect(amendments.hasPrefix("number,lease,signed_on,from,rent,property_fee,end_before,end_after,units_added,units_released,note,by\n"))
        #expect(amendments.contains("\(lease.number)-A3,\(lease.number),2026-11-02,2027-05-01,41.00,,,,,,补充协议三：调租,tester"), "\(amendments)")

        let (_, target) = try makeSession()
        try leasingPortfolio(target)
        #expect(try importText(target, .leases, exported).rowsImported == 2)
        #expect(try exportText(target, .leases) == exported)
        #expect(try importText(target, .amendments, amendments).rowsImported == 3)
        #expect(try exportText(target, .amendments) == amendments)
        let badAmendments = """
            lease,signed_on,from,rent,units_added
            L-2027-999999,2026-11-02,2027-05-01,41,
            \(lease.number),2026-11-02,2026-05-01,41,
            \(lease.number),2026-11-02,2027-05-01,,SW/B1/0301
            \(lease.number),2026-11-02,,,
            """
        let refused = #expect(throws: ImportRejected.self) { try importText(target, .amendments, badAmendments) }
        let said = (refused?.problems ?? []).map { "\($0.line) \($0.column): \($0.rule)" }
        #expect(said.contains { $0.hasPrefix("2 lease: no lease has this number") }, "\(said)")
        #expect(said.contains { $0.hasPrefix("3 from: lease \(lease.number) runs 2027-01-01 to 2027-12-31") }, "\(said)")
        #expect(said.contains { $0.hasPrefix("4 units_added: the unit is not on the lease") }, "\(said)")
        #expect(said.contains { $0.hasPrefix("5 rent: an amendment changes") }, "\(said)")
        #expect(try leases.schedule(lease.number) == LeaseService(target).schedule(lease.number))
        for d in ["2027-03-10", "2027-03-11", "2027-06-30", "2027-07-01", "2027-09-01"] {
            let a = try OccupancyReport(source).run(asOf: day(d)).rows.last
            #expect(try OccupancyReport(target).run(asOf: day(d)).rows.last == a, "\(d)")
        }

        // Days that are not days, outside the lease, or leaving a day with no unit.
        let (db, third) = try makeSession()
        try leasingPortfolio(third)
        let before = try db.connection.tableChecksums()
        let bad = """
            tenant_credit_code,units,start,end,rent
            91350100M000100Y43,SW/B1/0101[2027-02-30..],2027-01-01,2027-12-31,35
            91350100M000100Y43,SW/B1/0101;SW/B1/0201[2029-01-01..],2027-01-01,2027-12-31,35
            91350100M000100Y43,SW/B1/0301[..2027-05-31],2027-01-01,2027-12-31,35
            """
        let rejected = #expect(throws: ImportRejected.self) { try importText(third, .leases, bad) }
        let problems = rejected?.problems ?? []
        #expect(problems.contains { $0.line == 2 && $0.rule.contains("SW/B1/0301[2027-03-11..2027-06-15]") }, "\(problems)")
        #expect(problems.contains { $0.line == 3 && $0.rule.contains("lie outside the lease's") }, "\(problems)")
        #expect(problems.contains { $0.line == 4 && $0.rule.contains("holds no unit on some of its days") }, "\(problems)")
        #expect(try db.connection.tableChecksums() == before)
    }

    @Test func aKilledImportLeavesNothingAndRunsAgain() throws {
        let (db, session) = try makeSession()
        try smallPortfolio(session)
        let before = try db.connection.tableChecksums()
        // A pipe that the test feeds slowly, so the backend can be killed mid-COPY.
        var fds: [Int32] = [0, 0]
        #expect(pipe(&fds) == 0)
        let readEnd = fds[0], writeEnd = fds[1]
        let conninfo = db.conninfo
        let pid = Signal()
        let pidBox = ResultBox32()
        let outcome = runConcurrently(2) { i -> String in
            if i == 0 {
                let conn = try Connection(conninfo)
                pidBox.set(conn.backendPID)
                pid.fire()
                do {
                    _ = try ImportService(ParkSession(connection: conn, actor: "import")).run(.units, from: readEnd)
                    return "finished"
                } catch let error as PostgresError {
                    return error.isConnectionError ? "lost" : "error \(error)"
                }
            } else {
                _ = pid.wait()
                let header = "park,building,unit,floor,area_m2,kind,list_rent\n"
                _ = header.withCString { write(writeEnd, $0, strlen($0)) }
                // 60,000 rows (1.6 MB): more than the import buffers before it sends them to the COPY.
                for i in 1...60_000 {
                    let row = "SW,B1,K\(i),1,10,office,38\n"
                    _ = row.withCString { write(writeEnd, $0, strlen($0)) }
                }
                // Killed once the server has taken rows into the COPY (as pg_stat_progress_copy
                // shows), with the input still open: in the middle of it, whatever the timing.
                let admin = try Connection(conninfo)
                let deadline = Date().addingTimeInterval(60)
                var taken = 0
                while taken == 0 && Date() < deadline {
                    taken = try admin.query("""
                        SELECT coalesce(max(tuples_processed), 0)::int FROM pg_stat_progress_copy WHERE pid = \(pidBox.get())
                        """).rows[0].decode(0)
                    if taken == 0 { usleep(20_000) }
                }
                _ = try admin.query("SELECT pg_terminate_backend(\(pidBox.get()))")
                close(writeEnd)
                return taken > 0 ? "killed after \(taken) rows" : "never saw the COPY take a row"
            }
        }
        close(readEnd)
        #expect(try outcome[0].get() == "lost")
        #expect(try outcome[1].get().hasPrefix("killed after "), "\(outcome[1])")
        let after = try Connection(db.conninfo)
        #expect(try after.tableChecksums() == before)
        let again = try importText(ParkSession(connection: after, actor: "retry"), .units,
                                   "park,building,unit,floor,area_m2,kind,list_rent\nSW,B1,K1,1,10,office,38\n")
        #expect(again.rowsImported == 1)
    }
}

/// `text` in GBK, through iconv.
func gbkBytes(_ text: String) -> [UInt8]? {
    let cd = iconv_open("GB18030", "UTF-8")
    guard cd != iconv_t(bitPattern: -1) else { return nil }
    defer { iconv_close(cd) }
    var input = Array(text.utf8)
    var output = [UInt8](repeating: 0, count: input.count * 2 + 16)
    let produced: Int? = input.withUnsafeMutableBytes { inBuf in
        output.withUnsafeMutableBytes { outBuf in
            var inPtr = inBuf.baseAddress?.assumingMemoryBound(to: CChar.self)
            var inLeft = inBuf.count
            var outPtr = outBuf.baseAddress?.assumingMemoryBound(to: CChar.self)
            var outLeft = outBuf.count
            guard iconv(cd, &inPtr, &inLeft, &outPtr, &outLeft) != -1 else { return nil }
            return outBuf.count - outLeft
        }
    }
    return produced.map { Array(output[0..<$0]) }
}

final class ResultBox32: @unchecked Sendable {
    private let lock = NSLock()
    private var value: Int32 = 0
    func set(_ v: Int32) { lock.withLock { value = v } }
    func get() -> Int32 { lock.withLock { value } }
}
