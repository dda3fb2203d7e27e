import Foundation
import Postgres
import Testing
import TestSupport

@Suite struct ConnectionTests {
    @Test func refusedConnectionNamesTheHost() throws {
        let error = #expect(throws: PostgresError.self) {
            _ = try Connection("postgresql://parkctl@127.0.0.1:1/parkctl?connect_timeout=5")
        }
        #expect(error?.kind == .connectionFailed)
        #expect(error?.isConnectionError == true)
        #expect(error?.description.contains("127.0.0.1:1") == true)
    }

    /// Session settings arrive as given, `/`, spaces and backslashes included; a bad
    /// name or a control character is an error, never a setting dropped in silence.
    @Test func settingsArriveAsGivenOrAreRefused() throws {
        let db = try TestDatabase()
        let conn = try Connection(db.conninfo, settings: ["timezone": "Asia/Shanghai", "lock_timeout": "5s",
                                                          "parkctl.note": #"a b\c/园区"#])
        defer { conn.close() }
        let row = try conn.query("SELECT current_setting('timezone'), current_setting('lock_timeout'), current_setting('parkctl.note')").rows[0]
        #expect(try row.decode(0, as: String.self) == "Asia/Shanghai")
        #expect(try row.decode(1, as: String.self) == "5s")
        #expect(try row.decode(2, as: String.self) == #"a b\c/园区"#)
        for bad in [["x; DROP": "1"], ["": "1"], ["timezone": "UTC\nx"]] {
            let error = #expect(throws: PostgresError.self) { _ = try Connection(db.conninfo, settings: bad) }
            #expect(error?.kind == .client, "\(bad)")
        }
    }

    @Test func setsApplicationNameAndUTF8() throws {
        let db = try TestDatabase()
        let row = try db.connection.query("SELECT current_setting('application_name') AS app, current_setting('client_encoding') AS enc").rows[0]
        #expect(try row.decode("app", as: String.self) == "parkctl")
        #expect(try row.decode("enc", as: String.self) == "UTF8")
    }

    @Test func aKilledBackendIsALostConnectionNotACrash() throws {
        let db = try TestDatabase()
        let conninfo = db.conninfo
        let victimPID = ResultBox32()
        let outcome = runConcurrently(2) { i -> Bool in
            if i == 0 {
                let conn = try Connection(conninfo)
                victimPID.set(conn.backendPID)
                do {
                    try conn.query("SELECT pg_sleep(120)")
                    return false
                } catch let error as PostgresError {
                    // Once lost, the connection says so on every later call.
                    let again = (try? conn.query("SELECT 1")) == nil
                    return error.kind == .connectionLost && again
                }
            } else {
                // Until the victim is seen asleep, however long a loaded machine takes to get there.
                let admin = try Connection(conninfo)
                let deadline = Date().addingTimeInterval(60)
                while Date() < deadline {
                    let pid = victimPID.get()
                    if pid != 0, try admin.query("SELECT 1 FROM pg_stat_activity WHERE pid = \(pid) AND wait_event = 'PgSleep'").rowCount == 1 {
                        return try admin.query("SELECT pg_terminate_backend(\(pid))").rows[0].decode(0, as: Bool.self)
                    }
                    usleep(20_000)
                }
                return false
            }
        }
        #expect(try outcome[1].get())
        #expect(try outcome[0].get())
        // A new connection works.
        #expect(try Connection(conninfo).query("SELECT 1").rowCount == 1)
    }

    @Test func closeIsIdempotentAndLaterUseIsAnError() throws {
        let db = try TestDatabase()
        db.connection.close()
        db.connection.close()
        let error = #expect(throws: PostgresError.self) { try db.connection.query("SELECT 1") }
        #expect(error?.kind == .connectionLost)
    }

    @Test func resultClearIsSafeTwice() throws {
        let db = try TestDatabase()
        let result = try db.connection.query("SELECT 1 AS one")
        #expect(result.rowCount == 1)
        result.clear()
        result.clear()
        #expect(result.rowCount == 0)
    }

    @Test func preparedStatementsAreReused() throws {
        let db = try TestDatabase()
        for i in 1...5 {
            let v = try db.connection.preparedQuery("SELECT \(i) * 2 AS v").rows[0].decode(0, as: Int.self)
            #expect(v == i * 2)
        }
        let prepared = try db.connection.query("SELECT count(*) FROM pg_prepared_statements").rows[0].decode(0, as: Int.self)
        #expect(prepared == 1)
    }

    @Test func noticesReachTheHandlerAndOnlyIt() throws {
        let db = try TestDatabase()
        final class Box: @unchecked Sendable { var lines: [String] = [] }
        let box = Box()
        try db.connection.simpleQuery("DO $$ BEGIN RAISE NOTICE 'dropped %', 1; END $$")   // no handler: dropped
        db.connection.onNotice = { box.lines.append($0) }
        try db.connection.simpleQuery("DO $$ BEGIN RAISE NOTICE '通知 %', 2; RAISE WARNING 'careful'; END $$")
        db.connection.onNotice = nil
        try db.connection.simpleQuery("DO $$ BEGIN RAISE NOTICE 'dropped again'; END $$")
        #expect(box.lines.count == 2)
        #expect(box.lines.first?.contains("NOTICE:  通知 2") == true && box.lines.last?.contains("WARNING:  careful") == true,
                "\(box.lines)")
    }

    @Test func passwordsAreRedacted() {
        #expect(ConnectionString.redacted("postgresql://ops:s3cret@db.example/parkctl") == "user=ops password=*** dbname=parkctl host=db.example")
        #expect(ConnectionString.redacted("host=db password=s3cret user=ops") == "user=ops password=*** host=db")
        #expect(ConnectionString.redacted("host=db password='s3 cret' user=ops") == "user=ops password=*** host=db")
        #expect(ConnectionString.redacted("postgresql://db/x?password=s3cret&sslmode=verify-full")
                == "password=*** dbname=x host=db sslmode=verify-full")
        // Written in every way libpq reads a password, it never shows.
        for conninfo in ["host=db password = s3cret", "host=db password =s3cret", "host=db password= s3cret",
                         "postgresql://db/x?pass%77ord=s3cret", "host=db password=s3\\ cret", "host=db sslpassword=s3cret",
                         "postgresql://a:s3cret@c/d?password=s3cret", "host=db password='s3cret' dbname='a b'"] {
            let shown = ConnectionString.redacted(conninfo)
            #expect(!shown.contains("s3"), "\(conninfo) → \(shown)")
            #expect(shown.contains("***"), "\(conninfo) → \(shown)")
        }
        #expect(ConnectionString.redacted("host=db password='unterminated") == "(a connection string libpq cannot read)")
    }

    @Test func queryInterpolationMakesParameters() {
        let code = "SW'; DROP TABLE park; --"
        let query: PostgresQuery = "SELECT * FROM park WHERE code = \(code) AND floor > \(3)"
        #expect(query.sql == "SELECT * FROM park WHERE code = $1 AND floor > $2")
        #expect(query.binds == [PostgresBind(code), PostgresBind(3)])
    }

    @Test func injectionPayloadIsStoredLiterally() throws {
        let db = try TestDatabase()
        try db.connection.simpleQuery("CREATE TABLE t (v text)")
        let payload = "x'); DROP TABLE t; --"
        try db.connection.execute("INSERT INTO t VALUES (\(payload))")
        #expect(try db.connection.query("SELECT v FROM t").rows[0].decode(0, as: String.self) == payload)
    }
}

final class ResultBox32: @unchecked Sendable {
    private let lock = NSLock()
    private var value: Int32 = 0
    func set(_ v: Int32) { lock.withLock { value = v } }
    func get() -> Int32 { lock.withLock { value } }
}
