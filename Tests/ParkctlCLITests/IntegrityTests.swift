import Foundation
import ParkCore
import Postgres
import Testing
import TestSupport

/// No double leasing, whatever query anyone runs (issue 13): the PostgreSQL GiST bug
/// of ../shared/postgresql-gist-bug run against the old and the new definition of the
/// exclusion constraint; the plans that may no longer reach its index; `db check`.
@Suite struct IntegrityTests {
    /// The shared reproduction's mechanism on a table of lease_unit's shape whose
    /// exclusion constraint is `constraint`: 400 units in a two-level index, 20 dead
    /// versions of unit 200, then unit_status_on's per-unit probe (LATERAL … LIMIT 1)
    /// while the leaf that the first probe read splits before the second. Returns the
    /// rows reached through the constraint's index, the rows in the table (what
    /// `db check` compares), and how many leases a second insert of the same unit and
    /// days got past the constraint.
    /// unit_status_on's probe, and a BI user's: by any unit condition, "NOT cancelled",
    /// with sequential and bitmap scans turned off.
    enum Probe { case byUnit, forced }

    static func runTheBug(_ conn: Connection, table: String, constraint: String, extra: String = "", insertDuplicates: Bool = true,
                          probe: Probe = .byUnit) throws -> (throughIndex: Int, inTable: Int, duplicatesAccepted: Int) {
        try conn.simpleQuery("""
            CREATE TABLE \(table) (id bigserial, unit_id bigint NOT NULL, during daterange NOT NULL,
                                   cancelled boolean NOT NULL DEFAULT false,
                                   CONSTRAINT \(table)_no_overlap \(constraint));
            \(extra)
            INSERT INTO \(table) (unit_id, during) SELECT u, '[2024-01-01,2025-01-01)' FROM generate_series(1, 400) u;
            DO $$ BEGIN
                FOR i IN 1..20 LOOP
                    UPDATE \(table) SET during = daterange('2024-01-01', date '2025-01-01' - i) WHERE unit_id = 200;
                END LOOP;
            END $$;
            -- Stands in for another session signing leases: unit 190 (the same leaf as
            -- unit 200) until that leaf splits.
            CREATE FUNCTION pg_temp.split_\(table)() RETURNS int LANGUAGE plpgsql VOLATILE AS $$
            DECLARE blocks bigint := pg_relation_size('\(table)_no_overlap'); i int := 0;
            BEGIN
                LOOP
                    i := i + 1;
                    INSERT INTO \(table) (unit_id, during) VALUES (190, daterange(date '2030-01-01' + 2 * i, date '2030-01-01' + 2 * i + 1));
                    EXIT WHEN pg_relation_size('\(table)_no_overlap') > blocks;
                END LOOP;
                RETURN i;
            END $$;
            CREATE FUNCTION pg_temp.try_insert_\(table)(u bigint, d daterange) RETURNS boolean LANGUAGE plpgsql AS $$
            BEGIN
                INSERT INTO \(table) (unit_id, during) VALUES (u, d);
                RETURN true;
            EXCEPTION WHEN exclusion_violation THEN
                RETURN false;
            END $$;
            ANALYZE \(table);
            """)
        let unitCondition = probe == .byUnit ? "t.unit_id = o.unit" : "t.unit_id + 1 = o.unit + 1"
        if probe == .forced { try conn.simpleQuery("SET enable_seqscan = off; SET enable_bitmapscan = off") }
        try conn.simpleQuery("""
            SELECT o.unit, o.rows_inserted, p.id
            FROM (SELECT unit, CASE WHEN unit = 1 THEN pg_temp.split_\(table)() END AS rows_inserted
                  FROM (VALUES (200::bigint), (1::bigint)) v(unit) OFFSET 0) o
            CROSS JOIN LATERAL (SELECT t.id FROM \(table) t WHERE \(unitCondition) AND NOT t.cancelled
                                AND t.during @> date '2024-06-01' LIMIT 1) p
            """)
        if probe == .forced { try conn.simpleQuery("RESET enable_seqscan; RESET enable_bitmapscan") }
        let counts = try conn.transaction(isolation: .repeatableRead, readOnly: true) { conn in
            let row = try conn.query("""
                SELECT through_index, in_table FROM parkctl_index_completeness() WHERE index_name = \(table + "_no_overlap")
                """).rows[0]
            return (try row.decode(0, as: Int.self), try row.decode(1, as: Int.self))
        }
        guard insertDuplicates else { return (counts.0, counts.1, 0) }
        let accepted: Int = try conn.query(PostgresQuery(unsafeSQL: """
            SELECT count(*) FILTER (WHERE pg_temp.try_insert_\(table)(o.unit_id, o.during))
            FROM (SELECT unit_id, during FROM \(table) ORDER BY id) o
            """)).rows[0].decode(0)
        return (counts.0, counts.1, accepted)
    }

    @Test func theBugCorruptsTheOldConstraintAndCannotReachTheNewOne() throws {
        // A server of its own: a dead version is "killed" only when no other session's
        // snapshot may still see it, which the shared test server cannot promise.
        let own = try PrivateCluster(label: "gist")
        defer { own.destroy() }
        let started = try own.parkctl(["db", "status"])
        #expect(started.status == 0, "\(started.stderr)")
        let conn = try own.connect(applicationName: "gist-bug")
        defer { conn.close() }
        // 0003's definition, on the columns themselves: the probe scans the constraint's
        // index, a live entry is marked dead, and a second lease of the same unit and
        // days is accepted. (This is the real bug, on this very server.)
        let old = try Self.runTheBug(conn, table: "lu_old",
                                     constraint: "EXCLUDE USING gist (unit_id WITH =, during WITH &&) WHERE (NOT cancelled)")
        #expect(old.throughIndex < old.inTable, "the old definition lost no entry: \(old)")
        #expect(old.duplicatesAccepted >= 1, "the old definition refused every duplicate: \(old)")
        // A partial index on "NOT cancelled" is reached by any query that says so, with
        // a scan of the whole index, when seq and bitmap scans are turned off.
        let partial = try Self.runTheBug(conn, table: "lu_partial",
                                         constraint: "EXCLUDE USING gist ((unit_id + 0) WITH =, (during + 'empty'::daterange) WITH &&) WHERE (NOT cancelled)",
                                         probe: .forced)
        #expect(partial.duplicatesAccepted >= 1, "the partial definition refused every duplicate: \(partial)")

        // Today's definition, read from lease_unit itself, with its btree for reads.
        let definition: String = try conn.query("""
            SELECT pg_get_constraintdef(oid) FROM pg_constraint WHERE conname = 'lease_unit_no_overlap'
            """).rows[0].decode(0)
        #expect(definition.contains("unit_id + 0") && !definition.contains("WHERE"), "\(definition)")
        let btree: String = try conn.query("SELECT pg_get_indexdef('lease_unit_unit_idx'::regclass)").rows[0].decode(0)
        let new = try Self.runTheBug(conn, table: "lu_new", constraint: definition,
                                     extra: btree.replacingOccurrences(of: "lease_unit_unit_idx", with: "lu_new_unit_idx")
                                         .replacingOccurrences(of: "public.lease_unit", with: "lu_new") + ";")
        #expect(new.throughIndex == new.inTable, "\(new)")
        #expect(new.duplicatesAccepted == 0, "\(new)")
        let forced = try Self.runTheBug(conn, table: "lu_forced", constraint: definition,
                                        extra: btree.replacingOccurrences(of: "lease_unit_unit_idx", with: "lu_forced_unit_idx")
                                            .replacingOccurrences(of: "public.lease_unit", with: "lu_forced") + ";",
                                        probe: .forced)
        #expect(forced.throughIndex == forced.inTable && forced.duplicatesAccepted == 0, "\(forced)")
    }

    /// `db check` finds the entries the bug hid, and `--repair` rebuilds the index
    /// without stopping writes (REINDEX CONCURRENTLY).
    @Test func dbCheckFindsAndRepairsAnIndexThatLostEntries() throws {
        let own = try PrivateCluster(label: "repair")
        defer { own.destroy() }
        #expect(try own.parkctl(["db", "status"]).status == 0)
        let conn = try own.connect(applicationName: "gist-bug")
        defer { conn.close() }
        let old = try Self.runTheBug(conn, table: "lu_old",
                                     constraint: "EXCLUDE USING gist (unit_id WITH =, during WITH &&) WHERE (NOT cancelled)",
                                     insertDuplicates: false)
        #expect(old.throughIndex == old.inTable - 1, "\(old)")
        let check = try own.parkctl(["db", "check"])
        #expect(check.status == 65, "\(check.stderr)")
        #expect(check.stdout.contains("index lu_old_no_overlap (lu_old): \(old.throughIndex) rows through the index, \(old.inTable) in the table: 1 MISSING"),
                "\(check.stdout)")
        #expect(check.stdout.contains("index lease_unit_no_overlap (lease_unit): 0 rows through the index, 0 in the table: complete"))
        let repaired = try own.parkctl(["db", "check", "--repair"])
        #expect(repaired.status == 0, "\(repaired.stdout)\(repaired.stderr)")
        #expect(repaired.stdout.contains("rebuilt index lu_old_no_overlap")
                && repaired.stdout.contains("index lu_old_no_overlap (lu_old): \(old.inTable) rows through the index, \(old.inTable) in the table: complete"),
                "\(repaired.stdout)")
    }

    /// What reads lease_unit (unit_status_on, every report, an ad-hoc query by unit and
    /// day) shows its plans, nested function calls included (auto_explain): none
    /// reaches a GiST index.
    @Test func noReadReachesAGiSTIndex() throws {
        let cli = try CLI()
        try cli.ok(["demo"])
        // The statements of every report, as parkctl sends them.
        let trace = FileManager.default.temporaryDirectory.appendingPathComponent("plans-\(UUID().uuidString).jsonl").path
        defer { try? FileManager.default.removeItem(atPath: trace) }
        for args in [["report", "occupancy"], ["report", "occupancy", "--as-recorded", "2026-12-01"], ["report", "vacancy"],
                     ["report", "expiring", "--within", "365"], ["report", "rent-roll"], ["report", "trend", "--months", "3"],
                     ["report", "stacking", "SW/B1"], ["unit", "list", "--status", "leased"], ["lease", "list", "--active-on", "2027-01-01"],
                     ["report", "qualifications"], ["report", "qualifications", "--expiring-within", "365"], ["qualification", "list"]] {
            let out = try cli.run(args, environment: ["PARKCTL_TRACE": trace])
            #expect(out.status == 0, "\(args): \(out.stderr)")
        }
        // The trace holds transaction control too (BEGIN, COMMIT, savepoints): replay the statements that read.
        let control = ["BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE"]
        var statements = try String(contentsOfFile: trace, encoding: .utf8).split(separator: "\n").map { line in
            let json = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] ?? [:]
            let types = (json["types"] as? [Int] ?? []).map { PostgresType(rawValue: UInt32($0)) }
            let params = json["params"] as? [Any] ?? []
            return PostgresQuery(unsafeSQL: json["sql"] as? String ?? "",
                                 binds: zip(types, params).map { PostgresBind(type: $0, text: $1 as? String) })
        }.filter { statement in !control.contains { statement.sql.hasPrefix($0) } }
        #expect(statements.count >= 12)
        statements += [
            "SELECT * FROM unit_status_on(current_date)",
            "SELECT * FROM unit_status_as_recorded(current_date, now())",
            "SELECT * FROM lease_unit WHERE unit_id = \(5) AND during @> current_date",
            "SELECT * FROM lease_unit lu WHERE lu.unit_id = \(7) AND NOT lu.cancelled AND lu.during && daterange('2026-01-01', '2027-01-01')",
            "SELECT * FROM lease_rent_schedule((SELECT min(id) FROM lease))",
            // UtilityService.open's overlap check.
            """
            SELECT number FROM utility_period WHERE park_id = 1 AND kind = 'electricity' AND status <> 'reversed'
              AND reverses_id IS NULL AND during && daterange('2026-11-01', '2026-11-30', '[]') ORDER BY lower(during) LIMIT 1
            """,
        ]
        let conn = cli.db.connection
        let plans = PlanLog()
        conn.onNotice = { plans.append($0) }
        try conn.simpleQuery("""
            LOAD 'auto_explain';
            SET auto_explain.log_min_duration = 0; SET auto_explain.log_nested_statements = on;
            SET auto_explain.log_level = notice; SET client_min_messages = notice
            """)
        for statement in statements {
            try conn.transaction { conn in _ = try conn.query(statement) }
        }
        // And what a BI user can make the planner do: no sequential or bitmap scans.
        for statement: PostgresQuery in [
            "SELECT count(*) FROM lease_unit WHERE NOT cancelled",
            """
            SELECT d, (SELECT lease_id FROM lease_unit lu WHERE NOT lu.cancelled AND lu.during @> d::date LIMIT 1)
            FROM generate_series(date '2026-01-01', date '2026-02-01', interval '1 day') d
            """,
            "SELECT * FROM lease_unit lu WHERE lu.unit_id + 1 = \(6) AND NOT lu.cancelled",
            "SELECT * FROM lease_unit WHERE during && daterange('2026-01-01', '2027-01-01') ORDER BY unit_id",
            "SELECT * FROM utility_period WHERE park_id = 1 AND kind = 'water' AND during && daterange('2026-01-01', '2027-01-01')",
        ] {
            try conn.transaction(setUp: ["SET LOCAL enable_seqscan = off", "SET LOCAL enable_bitmapscan = off"]) { conn in
                _ = try conn.query(statement)
            }
        }
        conn.onNotice = nil
        let gist: [String] = try conn.query("""
            SELECT c.relname FROM pg_class c JOIN pg_am a ON a.oid = c.relam WHERE a.amname = 'gist' AND c.relnamespace = 'public'::regnamespace
            """).rows.map { try $0.decode(0) }
        #expect(gist.sorted() == ["lease_unit_no_overlap", "utility_period_no_overlap"])
        let text = plans.all.joined(separator: "\n")
        #expect(text.contains("lease_unit_unit_idx"), "the plans never read lease_unit by unit: \(text.prefix(2000))")
        for index in gist {
            #expect(!text.contains(index), "a read reached \(index): \(text)")
        }
    }

    /// The client-side workaround is gone: a loop that probes lease_unit unit by unit
    /// with plain index scans forced runs beside lease signings and terminations, and
    /// the constraint's index stays whole.
    @Test func plainIndexScanProbesBesideSigningsLeaveTheConstraintWhole() throws {
        // A server of its own, so that dead versions are killed as soon as possible.
        let own = try PrivateCluster(label: "probes")
        defer { own.destroy() }
        let demo = try own.parkctl(["demo"])
        #expect(demo.status == 0, "\(demo.stderr)")
        let conninfo = own.cluster.conninfo
        let owner = try own.connect(applicationName: "probes")
        defer { owner.close() }
        let units: [String] = try owner.query("""
            SELECT p.code || '/' || b.code || '/' || u.code FROM unit u JOIN building b ON b.id = u.building_id JOIN park p ON p.id = u.park_id
            WHERE p.code = 'SW' AND NOT EXISTS (SELECT 1 FROM lease_unit lu WHERE lu.unit_id = u.id) ORDER BY 1 LIMIT 40
            """).rows.map { try $0.decode(0) }
        #expect(units.count == 40)
        let deadline = Date().addingTimeInterval(4)
        let outcomes = runConcurrently(3) { worker -> Int in
            let conn = try Connection(conninfo)
            defer { conn.close() }
            var done = 0
            if worker == 0 {
                // The probes: unit_status_on and an ad-hoc per-unit LATERAL, plain index scans only.
                try conn.simpleQuery("SET enable_bitmapscan = off; SET enable_seqscan = off")
                while Date() < deadline {
                    _ = try conn.query("SELECT count(*) FROM unit_status_on(current_date)")
                    _ = try conn.query("""
                        SELECT count(p.*) FROM unit u CROSS JOIN LATERAL (SELECT lu.lease_id FROM lease_unit lu
                            WHERE lu.unit_id = u.id AND NOT lu.cancelled AND lu.during @> current_date LIMIT 1) p
                        """)
                    done += 1
                }
                return done
            }
            // Signings and terminations on units of their own (dead versions, page splits).
            let leases = LeaseService(ParkSession(connection: conn, actor: "signer-\(worker)"))
            let mine = units.enumerated().filter { $0.offset % 2 == worker - 1 }.map(\.element)
            var day = CalendarDate(year: 2030, month: 1, day: 1)!
            while Date() < deadline {
                for unit in mine {
                    let terms = LeaseService.Terms(tenantCreditCode: "91430400MA40001014", units: [try UnitAddress(parsing: unit)],
                                                   start: day, end: day.adding(days: 29), rent: 30)
                    let lease = try leases.sign(terms)
                    try leases.terminate(lease.number, on: day.adding(days: 9), reason: "测试")
                    done += 1
                }
                day = day.adding(days: 30)
            }
            return done
        }
        for case .failure(let error) in outcomes { Issue.record("\(error)") }
        #expect(outcomes.allSatisfyAndNonEmpty { ((try? $0.get()) ?? 0) > 0 })
        let report = try IntegrityCheck(owner).run()
        #expect(report.isClean, "\(report)")
        let check = try own.parkctl(["db", "check"])
        #expect(check.status == 0 && check.stdout.contains("complete"), "\(check.stdout)\(check.stderr)")
    }

    /// The other ways out of the rule are closed: no empty stay, and the copy of the
    /// lease's days and state on each lease unit is the database's.
    @Test func aLeaseUnitsDaysAndStateAreTheLeases() throws {
        let cli = try CLI()
        try cli.ok(["demo"])
        let conn = cli.db.connection
        let lease: (Int, Int) = try conn.query("""
            SELECT lu.lease_id, lu.unit_id FROM lease_unit lu JOIN lease l ON l.id = lu.lease_id WHERE l.status = 'signed' LIMIT 1
            """).rows.map { (try $0.decode(0, as: Int.self), try $0.decode(1, as: Int.self)) }[0]
        // An update that claims other days or a cancellation is refused.
        let before = try conn.tableChecksums()
        for sql: PostgresQuery in ["UPDATE lease_unit SET during = '[1999-01-01,1999-01-02)' WHERE lease_id = \(lease.0)",
                                   "UPDATE lease_unit SET cancelled = true WHERE lease_id = \(lease.0)"] {
            let refused = #expect(throws: PostgresError.self) { try conn.execute(sql) }
            #expect(refused?.constraint == "lease_unit_follows_lease", "\(sql.sql): \(String(describing: refused))")
        }
        #expect(try conn.tableChecksums() == before)
        // A second lease on the same unit and days: its unit says so, and is refused.
        let other: Int = try conn.query("""
            INSERT INTO lease (number, park_id, tenant_id, term, rent)
            SELECT 'L-2099-000001', l.park_id, l.tenant_id, l.term, 1 FROM lease l WHERE l.id = \(lease.0) RETURNING id
            """).rows[0].decode(0)
        let error = #expect(throws: PostgresError.self) {
            try conn.execute("""
                INSERT INTO lease_unit (park_id, lease_id, unit_id, during)
                SELECT park_id, \(other), \(lease.1), term FROM lease WHERE id = \(other)
                """)
        }
        #expect(error?.sqlState == .exclusionViolation, "\(String(describing: error))")
        // Nor one that claims an empty stay (which overlaps nothing) or a cancellation.
        for claim in ["'empty', false", "term, true"] {
            let refused = #expect(throws: PostgresError.self) {
                try conn.execute(PostgresQuery(unsafeSQL: """
                    INSERT INTO lease_unit (park_id, lease_id, unit_id, during, cancelled)
                    SELECT park_id, \(other), \(lease.1), \(claim) FROM lease WHERE id = \(other)
                    """))
            }
            #expect(refused?.constraint == "lease_unit_follows_lease", "\(claim): \(String(describing: refused))")
        }
        // That lease was only the vessel of these attempts: it holds no unit, which db
        // check would report (0019); it goes.
        try conn.execute("UPDATE lease SET status = 'cancelled' WHERE id = \(other)")
        // A lease unit left out of step (by an older parkctl, or a race before 0012):
        // db check lists it, and --repair sets it to its lease's days.
        try conn.simpleQuery("""
            ALTER TABLE lease_unit DISABLE TRIGGER lease_unit_follows_lease;
            UPDATE lease_unit SET during = daterange(lower(during), upper(during) - 1) WHERE lease_id = \(lease.0) AND unit_id = \(lease.1);
            ALTER TABLE lease_unit ENABLE TRIGGER lease_unit_follows_lease
            """)
        let found = try cli.run(["db", "check"])
        #expect(found.status == 65 && found.stdout.contains("lease units: 1 disagree with their lease"), "\(found.stdout)\(found.stderr)")
        let repaired = try cli.run(["db", "check", "--repair"])
        #expect(repaired.status == 0 && repaired.stdout.contains("rebuilt lease units (1 set to their lease's days)"),
                "\(repaired.stdout)\(repaired.stderr)")
        // And an empty stay is refused in its own right (the trigger that holds a lease
        // unit to its lease set aside to reach the check).
        try conn.simpleQuery("BEGIN; ALTER TABLE lease_unit DISABLE TRIGGER lease_unit_follows_lease")
        let empty = #expect(throws: PostgresError.self) {
            try conn.execute("UPDATE lease_unit SET during = 'empty' WHERE lease_id = \(lease.0)")
        }
        #expect(empty?.constraint == "lease_unit_during_not_empty")
        try conn.simpleQuery("ROLLBACK")
    }

    /// A database that already holds two overlapping leases (the bug's harm, done
    /// before 0012) does not brick parkctl: the migration says which leases and what
    /// to do, `db check` lists them, the lease commands resolve them, and then the
    /// migration goes through.
    @Test func overlapsFoundOnUpgradeAreResolvedWithParkctlAlone() throws {
        let conninfo = try TestServer.shared.get().makeEmptyDatabase()
        let conn = try Connection(conninfo)
        defer { conn.close() }
        try Migrator(migrations: Migration.embedded.filter { $0.name < "0011" }).migrate(conn)
        try conn.simpleQuery("""
            INSERT INTO park (code, name, kind) VALUES ('SW', '软件园', 'software');
            INSERT INTO building (park_id, code, name, floors_above) SELECT id, 'B1', '1号楼', 5 FROM park;
            INSERT INTO unit (park_id, building_id, code, floor, area_m2, kind, list_rent)
                SELECT park_id, id, '0101', 1, 100, 'office', 30 FROM building;
            INSERT INTO tenant (name, credit_code, industry, contact, phone)
                VALUES ('博思软件', '91350100M000100Y43', 'software', '陈静', '0591-87500103');
            -- What the bug did: the constraint stopped seeing a lease.
            ALTER TABLE lease_unit DROP CONSTRAINT lease_unit_no_overlap;
            INSERT INTO lease (number, park_id, tenant_id, term, rent)
                SELECT n, p.id, t.id, r, 30 FROM park p, tenant t,
                (VALUES ('L-2030-000001', daterange('2030-01-01', '2031-01-01')), ('L-2030-000002', daterange('2030-06-01', '2031-06-01'))) v(n, r);
            INSERT INTO lease_unit (park_id, lease_id, unit_id, during) SELECT l.park_id, l.id, u.id, l.term FROM lease l, unit u;
            """)
        func parkctl(_ args: [String]) throws -> ProcessRunner.Output {
            try Parkctl.run(args + ["--database-url", conninfo], environment: ["PARKCTL_ACTOR": "upgrader"])
        }
        let migrate = try parkctl(["db", "migrate"])
        #expect(migrate.status == 65, "\(migrate.stderr)")
        #expect(migrate.stderr.contains("L-2030-000001 and L-2030-000002 on SW/B1/0101")
                && migrate.stderr.contains("parkctl lease cancel|terminate"), "\(migrate.stderr)")
        let status = try parkctl(["db", "status"])
        #expect(status.status == 0 && status.stdout.contains("0012_exclusion_out_of_reach.sql  pending"), "\(status.stdout)\(status.stderr)")
        let refused = try parkctl(["unit", "list"])
        #expect(refused.status == 69 && refused.stderr.contains("db migrate"), "\(refused.stderr)")
        let check = try parkctl(["db", "check"])
        #expect(check.status == 65, "\(check.stderr)")
        #expect(check.stdout.contains("SW/B1/0101: L-2030-000001 (2030-01-01…2030-12-31) and L-2030-000002 (2030-06-01…2031-05-31)"),
                "\(check.stdout)")
        let listed = try parkctl(["lease", "list", "--format", "csv"])
        #expect(listed.status == 0 && listed.stdout.contains("L-2030-000002"), "\(listed.stderr)")
        let cancelled = try parkctl(["lease", "cancel", "L-2030-000002", "--reason", "重复录入"])
        #expect(cancelled.status == 0, "\(cancelled.stderr)")
        #expect(try parkctl(["db", "migrate"]).status == 0)
        // The rebuilt index may be too new for a snapshot while older transactions of
        // other tests run (indcheckxmin): `db check` then says so (69) and is run again.
        let clean = try waitFor(seconds: 20, "db check to read the new index") { () -> ProcessRunner.Output? in
            let out = try parkctl(["db", "check"])
            return out.status == 69 ? nil : out
        }
        #expect(clean.status == 0 && clean.stdout.contains("no two hold the same unit"), "\(clean.stdout)\(clean.stderr)")
        #expect(try parkctl(["unit", "list"]).status == 0)
    }

    /// A lease unit is checked against its lease under a lock: a term changed by another
    /// session meanwhile cannot leave a unit on the old days.
    @Test func aLeaseUnitCannotRaceItsLeasesChange() throws {
        let cli = try CLI()
        try cli.ok(["demo"])
        let conninfo = cli.db.conninfo
        let ids: (Int, Int) = try cli.db.connection.query("""
            SELECT l.id, u.id FROM lease l, unit u JOIN building b ON b.id = u.building_id JOIN park p ON p.id = u.park_id
            WHERE l.number = 'L-2026-000005' AND p.code = 'SW' AND b.code = 'B1'
              AND NOT EXISTS (SELECT 1 FROM lease_unit lu WHERE lu.unit_id = u.id) ORDER BY u.code LIMIT 1
            """).rows.map { (try $0.decode(0, as: Int.self), try $0.decode(1, as: Int.self)) }[0]
        let changer = try Connection(conninfo)
        defer { changer.close() }
        try changer.simpleQuery("BEGIN")
        try changer.execute("UPDATE lease SET term = daterange(lower(term), upper(term) + 365) WHERE id = \(ids.0)")
        // Another session adds a unit to the lease, with the days it sees: the old term.
        // It waits for the change's lock; before the fix it went through.
        final class Outcome: @unchecked Sendable { var error: Error?; var rows = -1 }
        let outcome = Outcome()
        let done = Signal()
        Thread {
            do {
                let adder = try Connection(conninfo)
                defer { adder.close() }
                outcome.rows = try adder.execute("""
                    INSERT INTO lease_unit (park_id, lease_id, unit_id, during)
                    SELECT park_id, id, \(ids.1), lease_occupancy(term, terminated_on) FROM lease WHERE id = \(ids.0)
                    """)
            } catch {
                outcome.error = error
            }
            done.fire()
        }.start()
        usleep(500_000)
        try changer.simpleQuery("COMMIT")
        #expect(done.wait(seconds: 20))
        #expect((outcome.error as? PostgresError)?.constraint == "lease_unit_follows_lease", "\(outcome.rows) \(String(describing: outcome.error))")
        #expect(try IntegrityCheck(cli.db.connection).run().isClean)
    }

    @Test func dbCheckAnswersOnlyALoginThatSeesEveryPark() throws {
        let cli = try CLI()
        try cli.ok(["demo"])
        let viewer = "chk_\(String(UInt32.random(in: 0...UInt32.max), radix: 36))"
        try cli.ok(["staff", "add", viewer, "--role", "viewer", "--parks", "SW"])
        let scoped = try cli.run(["db", "check", "--user", viewer])
        #expect(scoped.status == 77 && scoped.stderr.contains("reads every park"), "\(scoped.stdout)\(scoped.stderr)")
        #expect(try cli.run(["db", "check"]).status == 0)
    }
}

/// Notices collected from a connection (the handler runs on the connection's thread).
final class PlanLog: @unchecked Sendable {
    private let lock = NSLock()
    private var lines: [String] = []
    func append(_ line: String) { lock.withLock { lines.append(line) } }
    var all: [String] { lock.withLock { lines } }
}
