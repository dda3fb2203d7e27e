import Foundation
import Postgres
import Testing
import TestSupport

@Suite struct TimeoutTests {
    /// A row locked by another session: parkctl gives up after the stated time with a
    /// message saying what is locked, instead of hanging; nothing is changed.
    @Test func aLockedRowAndALongStatementEndClearly() throws {
        let cli = try CLI()
        try cli.portfolio()
        let holder = try Connection(cli.db.conninfo)
        try holder.simpleQuery("BEGIN")
        try holder.query("SELECT 1 FROM unit WHERE code = '0301' FOR UPDATE").clear()

        let started = Date()
        let locked = try cli.run(["unit", "off-market", "SW/B1/0301", "--reason", "维修", "--lock-timeout", "1"])
        #expect(locked.status == 69)
        #expect(locked.stderr.contains("a row of unit is locked by another session"), "\(locked.stderr)")
        #expect(Date().timeIntervalSince(started) < 10)

        let slow = try cli.run(["unit", "off-market", "SW/B1/0301", "--reason", "维修", "--lock-timeout", "60", "--timeout", "1"])
        #expect(slow.status == 69)
        #expect(slow.stderr.contains("ran longer than --timeout"), "\(slow.stderr)")

        try holder.simpleQuery("ROLLBACK")
        let unit = try #require(try cli.json(["unit", "show", "SW/B1/0301"]) as? [String: Any])
        #expect(unit["off_market_reason"] is NSNull)
        let bad = try cli.run(["unit", "list", "--timeout", "0"])
        #expect(bad.status == 64)
    }

    /// A report that cannot finish in time (here: the unit table is locked by another
    /// session, and parkctl is told to wait for locks longer than the statement may
    /// run) is cancelled after --timeout, with exit 69 and a message.
    @Test func aLongReportObeysTheStatementTimeout() throws {
        let cli = try CLI()
        try cli.portfolio()
        let holder = try Connection(cli.db.conninfo)
        try holder.simpleQuery("BEGIN; LOCK TABLE unit IN ACCESS EXCLUSIVE MODE")
        let started = Date()
        let out = try cli.run(["report", "occupancy", "--park", "SW", "--timeout", "1", "--lock-timeout", "60"])
        #expect(out.status == 69, "\(out.stderr)")
        #expect(out.stderr.contains("ran longer than --timeout"), "\(out.stderr)")
        #expect(Date().timeIntervalSince(started) < 10)
        try holder.simpleQuery("ROLLBACK")
        #expect(try cli.run(["report", "occupancy", "--park", "SW", "--timeout", "5"]).status == 0)
    }
}
