import Foundation
import ParkCore
import Postgres

// Drives parkctl's own code paths for the scripts in bench/ and for memory checks.
//
//   parkctl-bench copy-in CONNINFO FILE     COPY FILE into bench_unit through Connection.copyIn
//   parkctl-bench copy-out CONNINFO FILE    COPY bench_unit out to FILE through Connection.copyOut
//   parkctl-bench exercise CONNINFO         every layer feature once, for valgrind / LeakSanitizer
//   parkctl-bench tickets CONNINFO CLIENTS SECONDS CREDIT_CODE UNIT
//                                           CLIENTS threads, one connection each, opening tickets
//                                           through TicketService for SECONDS; prints tickets per second
//   parkctl-bench payments CONNINFO CLIENTS SECONDS PARK CODE1,CODE2,...
//                                           CLIENTS threads, one connection each, client i recording
//                                           payments of 100.00 for tenant CODEi in PARK through
//                                           PaymentService for SECONDS; prints payments per second
//   parkctl-bench soak CONNINFO CLIENTS SECONDS
//                                           CLIENTS threads mixing park work through the services for
//                                           SECONDS, then the invariants (Soak.swift); exit 1 if one fails

func fail(_ message: String) -> Never {
    FileHandle.standardError.write(Data("parkctl-bench: \(message)\n".utf8))
    exit(64)
}

let args = Array(CommandLine.arguments.dropFirst())
guard args.count >= 2 else { fail("usage: parkctl-bench copy-in|copy-out|exercise|tickets|payments|soak CONNINFO [...]") }
if args[0] == "soak" { exit(Soak.main(Array(args.dropFirst()))) }

do {
    let conn = try Connection(args[1])
    defer { conn.close() }
    switch args[0] {
    case "copy-in":
        guard args.count == 3 else { fail("copy-in CONNINFO FILE") }
        let fd = open(args[2], O_RDONLY)
        guard fd >= 0 else { fail("cannot open \(args[2])") }
        defer { close(fd) }
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 20, alignment: 16)
        defer { buffer.deallocate() }
        let rows = try conn.copyIn("COPY bench_unit FROM STDIN (FORMAT csv)") { writer in
            while true {
                let n = read(fd, buffer.baseAddress, buffer.count)
                if n < 0 { throw PostgresError(kind: .client, message: "read failed") }
                if n == 0 { break }
                try writer.write(UnsafeRawBufferPointer(rebasing: buffer[0..<n]))
            }
        }
        print(rows)
    case "copy-out":
        guard args.count == 3, let out = FileHandle(forWritingAtPath: args[2]) ?? {
            _ = FileManager.default.createFile(atPath: args[2], contents: nil)
            return FileHandle(forWritingAtPath: args[2])
        }() else { fail("copy-out CONNINFO FILE") }
        var pending = Data()
        let rows = try conn.copyOut("COPY bench_unit TO STDOUT (FORMAT csv)") { chunk in
            pending.append(chunk.bindMemory(to: UInt8.self))
            if pending.count >= 1 << 20 { out.write(pending); pending.removeAll(keepingCapacity: true) }
        }
        out.write(pending)
        try out.close()
        print(rows)
    case "tickets":
        guard args.count == 6, let clients = Int(args[2]), let seconds = Double(args[3]) else {
            fail("tickets CONNINFO CLIENTS SECONDS CREDIT_CODE UNIT")
        }
        let tenant = args[4], unit = try UnitAddress(parsing: args[5])
        print(rate(conninfo: args[1], clients: clients, seconds: seconds) { i, session in
            try TicketService(session).open(.init(tenantCreditCode: tenant, unit: unit, category: .repair, priority: .normal,
                                                  title: "bench \(i)"))
        })
    case "payments":
        guard args.count == 6, let clients = Int(args[2]), let seconds = Double(args[3]) else {
            fail("payments CONNINFO CLIENTS SECONDS PARK CODE1,CODE2,...")
        }
        let park = args[4], tenants = args[5].split(separator: ",").map(String.init)
        guard tenants.count >= clients else { fail("payments: give a tenant per client") }
        print(rate(conninfo: args[1], clients: clients, seconds: seconds) { i, session in
            _ = try PaymentService(session).record(tenant: tenants[i], park: park, amount: 100, on: CalendarDate("2026-01-05")!)
        })
    case "exercise":
        try conn.simpleQuery("DROP TABLE IF EXISTS bench_exercise; CREATE TABLE bench_exercise (id int PRIMARY KEY, name text, area numeric(12,2), day date)")
        let copied = try conn.copyIn("COPY bench_exercise FROM STDIN (FORMAT csv)") { writer in
            for i in 1...20_000 { try writer.write("\(i),单元\(i),\(i % 500).25,2026-11-\(i % 28 + 1)\n") }
        }
        var bytes = 0
        try conn.copyOut("COPY bench_exercise TO STDOUT") { bytes += $0.count }
        var area = Decimal(0)
        for row in try conn.query("SELECT id, name, area, day FROM bench_exercise WHERE id <= \(5000)").rows {
            area += try row.decode("area", as: Decimal.self)
            _ = try row.decode("name", as: String.self)
            _ = try row.decode("day", as: CalendarDate.self)
        }
        var streamed = 0
        try conn.forEachRow("SELECT id FROM bench_exercise") { _ in streamed += 1 }
        let outcomes = try conn.pipeline((1...100).map { "UPDATE bench_exercise SET name = \("改\($0)") WHERE id = \($0)" })
        for i in 1...50 { _ = try conn.preparedQuery("SELECT name FROM bench_exercise WHERE id = \(i)") }
        _ = try? conn.query("INSERT INTO bench_exercise (id) VALUES (1)")  // a unique violation, cleared too
        _ = try conn.transaction { try $0.execute("DELETE FROM bench_exercise WHERE id > \(19_000)") }
        // Savepoints, kept and rolled back to, and records fetched through SQL pieces.
        let saved = try conn.transaction { conn in
            _ = try? conn.inSavepoint { try $0.execute("INSERT INTO bench_exercise (id) VALUES (1)") }
            return try conn.inSavepoint { try $0.execute("UPDATE bench_exercise SET name = \("存") WHERE id = \(2)") }
        }
        let named = try ExerciseRow.fetchAll(conn, "WHERE id <= \(1000) ORDER BY id").count + (try ExerciseRow.fetchOne(conn, "WHERE id = \(2)") == nil ? 0 : 1)
        try conn.simpleQuery("DROP TABLE bench_exercise")
        let verifiers = try (1...20).map { try conn.passwordVerifier("secret \($0)", user: "exercise") }
        print("copied \(copied), copied out \(bytes) bytes, area \(area), streamed \(streamed), pipelined \(outcomes.count), "
              + "saved \(saved), records \(named), verifiers \(verifiers.count)")
    default:
        fail("unknown command \(args[0])")
    }
} catch {
    FileHandle.standardError.write(Data("parkctl-bench: \(error)\n".utf8))
    exit(70)
}

/// `clients` threads, one connection each, doing `work` over and over for `seconds`;
/// returns how many times a second they did it, all together ("%.1f").
func rate(conninfo: String, clients: Int, seconds: Double, _ work: @escaping @Sendable (Int, ParkSession) throws -> Void) -> String {
    let counts = TicketCounts(clients)
    let deadline = Date().addingTimeInterval(seconds)
    let started = Date()
    let group = DispatchGroup()
    for i in 0..<clients {
        group.enter()
        Thread {
            defer { group.leave() }
            do {
                let session = ParkSession(connection: try Connection(conninfo), actor: "bench-\(i)")
                while Date() < deadline {
                    try work(i, session)
                    counts.add(i)
                }
            } catch {
                FileHandle.standardError.write(Data("client \(i): \(error)\n".utf8))
                exit(70)
            }
        }.start()
    }
    group.wait()
    return String(format: "%.1f", Double(counts.total) / Date().timeIntervalSince(started))
}

final class TicketCounts: @unchecked Sendable {
    private let lock = NSLock()
    private var counts: [Int]
    init(_ n: Int) { counts = Array(repeating: 0, count: n) }
    func add(_ i: Int) { lock.withLock { counts[i] += 1 } }
    var total: Int { lock.withLock { counts.reduce(0, +) } }
}

/// A row of the exercise's table, read as a record.
struct ExerciseRow: PostgresRecord {
    var id: Int
    var name: String?
    static let selection: SQL = "SELECT id, name FROM bench_exercise"
    init(row: PostgresRow) throws {
        id = try row.decode("id")
        name = try row.decode("name")
    }
}
