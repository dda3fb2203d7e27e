import Foundation
import ParkCore
import Postgres
import Testing
import TestSupport

/// Every table that holds a park's rows is registered (`parkctl_register_park_table`,
/// migration 0021) and set up alike: park scope forced, read by every staff role and
/// by no one else, audited, tenant-visible when it names a tenant, versioned with a
/// history written only by its trigger. Read from the catalogue, not from a list.
@Suite struct CatalogueTests {
    static let staffRoles = ["parkctl_admin", "parkctl_leasing", "parkctl_service", "parkctl_viewer"]

    /// What is wrong with the park tables, one line per finding; empty when all is well.
    static func problems(_ conn: Connection) throws -> [String] {
        try conn.query("""
            WITH park_table AS (
                SELECT c.oid, c.relname AS name FROM pg_class c
                WHERE c.relnamespace = 'public'::regnamespace AND c.relkind = 'r'
                  AND EXISTS (SELECT 1 FROM pg_attribute a WHERE a.attrelid = c.oid AND a.attname = 'park_id' AND NOT a.attisdropped)
            ), registered AS (
                SELECT r.name, r.versioned, r.append_only, r.derived, to_regclass('public.' || quote_ident(r.name)) AS oid FROM parkctl_park_table r
            ), history AS (
                SELECT r.name || '_history' AS name, to_regclass('public.' || quote_ident(r.name || '_history')) AS oid, r.name AS of
                FROM registered r WHERE r.versioned
            ), scoped AS (   -- every table under the park scope: the registered ones and their histories
                SELECT name, oid FROM registered UNION ALL SELECT name, oid FROM history
            )
            SELECT p.name || ': has a park_id but is not registered (parkctl_register_park_table)' FROM park_table p
            WHERE p.name <> 'audit_log' AND p.name NOT IN (SELECT name FROM scoped)
            UNION ALL
            SELECT r.name || ': registered but missing' FROM registered r WHERE r.oid IS NULL
            UNION ALL
            SELECT h.name || ': the history of a versioned table is missing' FROM history h WHERE h.oid IS NULL
            UNION ALL
            SELECT s.name || ': row-level security is not enabled and forced' FROM scoped s JOIN pg_class c ON c.oid = s.oid
            WHERE NOT (c.relrowsecurity AND c.relforcerowsecurity)
            UNION ALL
            SELECT s.name || ': no park_scope policy' FROM scoped s
            WHERE s.oid IS NOT NULL AND NOT EXISTS (SELECT 1 FROM pg_policy p WHERE p.polrelid = s.oid AND p.polname = 'park_scope'
                                                                                AND p.polpermissive)
            UNION ALL
            SELECT s.name || ': ' || role || ' cannot read it' FROM scoped s, unnest(\(Self.staffRoles)::text[]) role
            WHERE s.oid IS NOT NULL AND NOT has_table_privilege(role, s.oid, 'SELECT')
            UNION ALL
            SELECT s.name || ': PUBLIC may ' || lower(priv) FROM scoped s, unnest(ARRAY['SELECT', 'INSERT', 'UPDATE', 'DELETE']) priv
            WHERE s.oid IS NOT NULL AND EXISTS (
                SELECT 1 FROM pg_class c, aclexplode(coalesce(c.relacl, acldefault('r', c.relowner))) acl
                WHERE c.oid = s.oid AND acl.grantee = 0 AND acl.privilege_type = priv)
            UNION ALL
            SELECT r.name || ': not audited on ' || lower(op) FROM registered r,
                   (VALUES ('INSERT', 4), ('DELETE', 8), ('UPDATE', 16)) AS ops(op, bit)
            WHERE r.oid IS NOT NULL AND NOT r.derived AND (op = 'INSERT' OR NOT r.append_only) AND NOT EXISTS (
                SELECT 1 FROM pg_trigger t WHERE t.tgrelid = r.oid AND NOT t.tgisinternal AND t.tgenabled <> 'D'
                  AND t.tgfoid IN ('audit_row_change'::regproc, 'audit_rows_inserted'::regproc) AND t.tgtype & ops.bit <> 0)
            UNION ALL   -- an append-only table refuses changes before they happen (tgtype: 2 before, 8 delete, 16 update)
            SELECT r.name || ': append-only but lets rows be ' || lower(op) || 'd' FROM registered r,
                   (VALUES ('UPDATE', 16), ('DELETE', 8)) AS ops(op, bit)
            WHERE r.append_only AND r.oid IS NOT NULL AND NOT EXISTS (
                SELECT 1 FROM pg_trigger t WHERE t.tgrelid = r.oid AND NOT t.tgisinternal AND t.tgenabled <> 'D'
                  AND t.tgtype & 2 <> 0 AND t.tgtype & ops.bit <> 0 AND t.tgtype & 1 <> 0)
            UNION ALL
            SELECT r.name || ': versioned but its old versions are not kept (keep_history)' FROM registered r
            WHERE r.versioned AND r.oid IS NOT NULL AND NOT EXISTS (
                SELECT 1 FROM pg_trigger t WHERE t.tgrelid = r.oid AND t.tgfoid = 'keep_history'::regproc AND t.tgenabled <> 'D')
            UNION ALL   -- the period of a version is the database's, never a writer's
            SELECT r.name || ': ' || role || ' may ' || lower(priv) || ' sys_period' FROM registered r,
                   unnest(\(Self.staffRoles)::text[]) role, unnest(ARRAY['INSERT', 'UPDATE']) priv
            WHERE r.versioned AND r.oid IS NOT NULL AND has_column_privilege(role, r.oid, 'sys_period', priv)
            UNION ALL
            SELECT h.name || ': ' || role || ' may ' || lower(priv) || ' the history' FROM history h,
                   unnest(\(Self.staffRoles)::text[]) role, unnest(ARRAY['INSERT', 'UPDATE', 'DELETE']) priv
            WHERE h.oid IS NOT NULL AND has_table_privilege(role, h.oid, priv)
            UNION ALL
            SELECT r.name || ': names a tenant but lets ' || role || ' write one it cannot see (no tenant_visible_insert)'
            FROM registered r, unnest(\(Self.staffRoles)::text[]) role
            WHERE r.oid IS NOT NULL AND has_table_privilege(role, r.oid, 'INSERT')
              AND EXISTS (SELECT 1 FROM pg_attribute a WHERE a.attrelid = r.oid AND a.attname = 'tenant_id' AND NOT a.attisdropped)
              AND NOT EXISTS (SELECT 1 FROM pg_policy p WHERE p.polrelid = r.oid AND p.polname = 'tenant_visible_insert'
                                                          AND NOT p.polpermissive)
            ORDER BY 1
            """).rows.map { try $0.decode(0, as: String.self) }
    }

    @Test func everyParkTableIsRegisteredAndSetUpAlike() throws {
        let db = try TestDatabase()
        let problems = try Self.problems(db.connection)
        #expect(problems == [], "\(problems)")
        // The check sees what it is there for: a table that lost its audit, or one never registered.
        struct RolledBack: Error {}
        #expect(throws: RolledBack.self) {
            try db.connection.transaction { conn in
                try conn.simpleQuery("DROP TRIGGER work_hours_audit_insert ON work_hours")
                try conn.simpleQuery("CREATE TABLE meter_draft (id bigint PRIMARY KEY, park_id bigint NOT NULL REFERENCES park)")
                #expect(try Self.problems(conn) == [
                    "meter_draft: has a park_id but is not registered (parkctl_register_park_table)",
                    "work_hours: not audited on insert",
                ])
                throw RolledBack()
            }
        }
        #expect(try Self.problems(db.connection) == [])
    }

    /// One call registers a new table, versioned and naming a tenant, and the table
    /// then behaves as the others: scoped, audited, its old versions kept.
    @Test func oneCallRegistersATable() throws {
        let (db, session) = try makeSession(actor: "meter_reader")
        try smallPortfolio(session)
        let conn = db.connection
        try conn.simpleQuery("""
            CREATE TABLE gauge (
                id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                park_id    bigint NOT NULL REFERENCES park,
                tenant_id  bigint REFERENCES tenant,
                code       text NOT NULL,
                sys_period tstzrange NOT NULL DEFAULT tstzrange(now(), NULL)
            );
            SELECT parkctl_register_park_table('gauge', writers => ARRAY['parkctl_admin'], versioned => true);
            """)
        let problems = try Self.problems(conn)
        #expect(problems == [], "\(problems)")
        let registered = try conn.query("SELECT versioned FROM parkctl_park_table WHERE name = 'gauge'").rows.map { try $0.decode(0, as: Bool.self) }
        #expect(registered == [true])
        let parkID = try conn.query("SELECT id FROM park WHERE code = 'SW'").rows[0].decode(0, as: Int.self)
        _ = try session.write { conn in
            try conn.execute("INSERT INTO gauge (park_id, code) VALUES (\(parkID), 'E-001')")
        }
        _ = try session.write { conn in try conn.execute("UPDATE gauge SET code = 'E-002'") }
        let trail = try conn.query("""
            SELECT action || ' ' || actor FROM audit_log WHERE table_name = 'gauge' ORDER BY id
            """).rows.map { try $0.decode(0, as: String.self) }
        #expect(trail == ["insert meter_reader", "update meter_reader"])
        let kept = try conn.query("SELECT code FROM gauge_history").rows.map { try $0.decode(0, as: String.self) }
        #expect(kept == ["E-001"])
        // A writer cannot set a version's period: it would hide a version from the history or date it wrongly.
        // (An admin of SW, acting as itself: a row without a period goes in, one with a period does not.)
        // Login roles are the server's, shared by the tests' databases: a name of this test's own.
        let login = "meter_admin_\(String(UInt32.random(in: 0...UInt32.max), radix: 36))"
        try conn.execute("SELECT parkctl_staff_add(\(login), 'admin', ARRAY[(SELECT id FROM park WHERE code = 'SW')], NULL)")
        _ = try conn.transaction { conn in
            try conn.simpleQuery("SET LOCAL ROLE " + login)
            return try conn.execute("INSERT INTO gauge (park_id, code) SELECT id, 'E-8' FROM park WHERE code = 'SW'")
        }
        let forged = #expect(throws: PostgresError.self) {
            try conn.transaction { conn in
                try conn.simpleQuery("SET LOCAL ROLE " + login)
                try conn.execute("INSERT INTO gauge (park_id, code, sys_period) SELECT id, 'E-9', '[2999-01-01,)' FROM park WHERE code = 'SW'")
            }
        }
        #expect(forged?.sqlState == .insufficientPrivilege && forged?.message.hasPrefix("permission denied for table gauge") == true,
                "\(String(describing: forged))")
        // An append-only ledger: rows go in, and are never changed or removed, by anyone.
        try conn.simpleQuery("""
            CREATE TABLE gauge_reading (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                                        park_id bigint NOT NULL REFERENCES park, value numeric NOT NULL);
            SELECT parkctl_register_park_table('gauge_reading', writers => ARRAY['parkctl_admin'], append_only => true);
            """)
        #expect(try Self.problems(conn) == [])
        _ = try session.write { conn in try conn.execute("INSERT INTO gauge_reading (park_id, value) VALUES (\(parkID), 1234.5)") }
        for change in ["UPDATE gauge_reading SET value = 1", "DELETE FROM gauge_reading"] {
            let error = #expect(throws: ParkError.self, "\(change)") {
                try session.write { conn in try conn.execute(PostgresQuery(unsafeSQL: change)) }
            }
            #expect(error?.kind == .forbidden)
            #expect(error?.message.contains("gauge_reading is append-only") == true, "\(String(describing: error))")
        }
        let admin = try conn.query("""
            SELECT privilege_type FROM information_schema.role_table_grants
            WHERE table_name = 'gauge_reading' AND grantee = 'parkctl_admin' ORDER BY 1
            """).rows.map { try $0.decode(0, as: String.self) }
        #expect(admin == ["INSERT", "SELECT"])
        // Refused: a table that holds no park's rows, a role that is not staff, privileges that are not a list of them.
        for statement in [
            "CREATE TABLE plain (id int); SELECT parkctl_register_park_table('plain')",
            "CREATE TABLE other (park_id bigint); SELECT parkctl_register_park_table('other', writers => ARRAY['postgres'])",
            "CREATE TABLE third (park_id bigint); SELECT parkctl_register_park_table('third', privileges => 'TRUNCATE')",
            "SELECT parkctl_register_park_table('gauge')",   // registered already
            "CREATE TABLE fourth (park_id bigint, sys_period tstzrange); "
                + "SELECT parkctl_register_park_table('fourth', versioned => true, append_only => true)",
        ] {
            #expect(throws: PostgresError.self, "\(statement)") {
                try conn.transaction { conn in try conn.simpleQuery(statement) }
            }
        }
        // Staff cannot call it.
        let granted = try conn.query("""
            SELECT role FROM unnest(\(Self.staffRoles)::text[]) role
            WHERE has_function_privilege(role, 'parkctl_register_park_table(text, text[], text, boolean, boolean)', 'EXECUTE')
            """).rows.count
        #expect(granted == 0)
    }

    /// Each rule is written once: where Swift checks a value before the database does,
    /// its pattern or its list of values is the constraint's own.
    @Test func swiftSideRulesAreTheDatabasesOwn() throws {
        let db = try TestDatabase()
        let definitions = try Dictionary(uniqueKeysWithValues: db.connection.query("""
            SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint
            WHERE connamespace = 'public'::regnamespace AND contype = 'c'
            """).rows.map { (try $0.decode(0, as: String.self), try $0.decode(1, as: String.self)) })
        for rule in PatternRule.all {
            let definition = try #require(definitions[rule.constraint], "no constraint \(rule.constraint)")
            #expect(definition.contains("~ '\(rule.pattern)'::text"), "\(rule.constraint): \(definition) vs \(rule.pattern)")
        }
        func values(_ constraint: String) throws -> Set<String> {
            let definition = try #require(definitions[constraint], "no constraint \(constraint)")
            return Set(definition.split(separator: "'").enumerated().filter { $0.offset % 2 == 1 }.map { String($0.element) }
                .filter { $0 != "::text" })
        }
        func names<V: Vocabulary>(_ type: V.Type) -> Set<String> { Set(V.allCases.map(\.rawValue)) }
        let lists: [(String, Set<String>)] = [
            ("park_kind_valid", names(ParkKind.self)), ("unit_kind_valid", names(UnitKind.self)),
            ("meter_kind_valid", names(MeterKind.self)), ("meter_reading_kind_valid", names(ReadingKind.self)),
            ("onboarding_wanted_kind_valid", names(UnitKind.self)), ("lease_cycle_valid", names(PaymentCycle.self)),
            ("lease_status_valid", names(LeaseStatus.self)), ("onboarding_stage_valid", names(OnboardingStage.self)),
            ("onboarding_check_item_valid", names(ChecklistItem.self)), ("ticket_category_valid", names(TicketCategory.self)),
            ("service_level_category_valid", names(TicketCategory.self)), ("ticket_priority_valid", names(TicketPriority.self)),
            ("service_level_priority_valid", names(TicketPriority.self)), ("ticket_status_valid", names(TicketStatus.self)),
            ("service_level_clock", names(SLAClock.self)), ("staff_role_valid", names(StaffRole.self)),
            ("calendar_day_kind_valid", names(CalendarEntry.Kind.self)),
        ]
        for (constraint, swift) in lists {
            #expect(try values(constraint) == swift, "\(constraint)")
        }
        // A constraint's message names the constraint's rule: the pattern rules' words are theirs.
        #expect(ConstraintMessages.rule("tenant_phone_format") == PatternRule.phone.rule)
    }
}
