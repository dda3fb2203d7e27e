import Foundation
import ParkCore
import Postgres
import Testing
import TestSupport

/// Attacks on the database's own defences (issue 12), made the way a member of staff
/// with psql or a BI tool would make them: a direct connection as their login. Each
/// test is the attack; before migration 0010 each one succeeded.
@Suite struct SecurityDatabaseTests {
    /// A demo database, staff logins on it, and direct connections as them.
    struct Park {
        let cli: CLI
        let suffix = String(UInt32.random(in: 0...UInt32.max), radix: 36)
        static let password = "correct horse 1"

        init() throws {
            cli = try CLI()
            try cli.ok(["demo"])
        }

        var owner: Connection { cli.db.connection }

        /// A login of the given role and parks (a unique name: roles belong to the cluster).
        func staff(_ name: String, role: String, parks: String?) throws -> String {
            let login = "\(name)_\(suffix)"
            let out = try cli.run(["staff", "add", login, "--role", role, "--password-stdin"]
                                  + (parks.map { ["--parks", $0] } ?? ["--all-parks"]), input: Self.password)
            #expect(out.status == 0, "\(out.stderr)")
            return login
        }

        /// What psql would open as this login.
        func connect(_ login: String) throws -> Connection {
            try Connection(try ConnectionString.replacing(["user": login], in: cli.db.conninfo))
        }

        func run(_ login: String, _ args: [String], actor: String = "someone-else") throws -> ProcessRunner.Output {
            try cli.run(args + ["--user", login], actor: actor, environment: ["PGPASSWORD": Self.password])
        }

        func int(_ sql: PostgresQuery) throws -> Int { try owner.query(sql).rows[0].decode(0) }
        func id(_ sql: PostgresQuery) throws -> Int { try int(sql) }

        /// Role attributes that no staff login may ever gain.
        func powers(_ login: String) throws -> String {
            try owner.query("""
                SELECT concat_ws(',', CASE WHEN rolsuper THEN 'superuser' END, CASE WHEN rolcreaterole THEN 'createrole' END,
                                 CASE WHEN rolbypassrls THEN 'bypassrls' END, CASE WHEN rolcreatedb THEN 'createdb' END)
                FROM pg_roles WHERE rolname = \(login)
                """).rows[0].decode(0)
        }
    }

    /// The SQL state of what `body` threw (nil if it did not throw).
    static func refusal(_ body: () throws -> Void) -> SQLState? {
        do { try body() } catch let error as PostgresError { return error.sqlState } catch { return nil }
        return nil
    }

    // MARK: The catalogue

    @Test func everyDefinerFunctionPinsItsSearchPathAndPublicGetsNothing() throws {
        let db = try TestDatabase()
        let definers: [(String, [String]?)] = try db.connection.query("""
            SELECT p.oid::regprocedure::text, p.proconfig FROM pg_proc p
            WHERE p.pronamespace = 'public'::regnamespace AND p.prosecdef ORDER BY 1
            """).rows.map { (try $0.decode(0), try $0.decode(1)) }
        #expect(definers.count >= 12)
        for (function, config) in definers {
            let path = config?.first { $0.hasPrefix("search_path=") }.map { $0.dropFirst("search_path=".count) }
                .map { $0.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) } }
            #expect(path?.first == "pg_catalog" && path?.last == "pg_temp", "\(function): \(config ?? [])")
        }
        // PUBLIC may execute none of parkctl's functions (btree_gist's are the extension's),
        // and may create nothing in the schema.
        let open: [String] = try db.connection.query("""
            SELECT p.oid::regprocedure::text FROM pg_proc p
            WHERE p.pronamespace = 'public'::regnamespace AND has_function_privilege('public', p.oid, 'EXECUTE')
              AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_proc'::regclass AND d.objid = p.oid AND d.deptype = 'e')
            ORDER BY 1
            """).rows.map { try $0.decode(0) }
        #expect(open == [])
        // No staff role may execute a trigger function: it could fire it on a table of its own.
        let triggers: [String] = try db.connection.query("""
            SELECT p.oid::regprocedure::text FROM pg_proc p, unnest(ARRAY['parkctl_admin', 'parkctl_leasing', 'parkctl_service', 'parkctl_viewer']) g
            WHERE p.pronamespace = 'public'::regnamespace AND p.prorettype = 'trigger'::regtype AND has_function_privilege(g, p.oid, 'EXECUTE')
            ORDER BY 1
            """).rows.map { try $0.decode(0) }
        #expect(triggers == [])
        #expect(try db.connection.query("SELECT has_schema_privilege('public', 'public', 'CREATE')").rows[0].decode(0, as: Bool.self) == false)
        // Nor may PUBLIC connect to the database or make temporary tables in it.
        #expect(try db.connection.query("""
            SELECT has_database_privilege('public', current_database(), 'CONNECT') OR has_database_privilege('public', current_database(), 'TEMPORARY')
            """).rows[0].decode(0, as: Bool.self) == false)
    }

    // MARK: Temporary objects that shadow what definer functions read and write

    /// Plants, in the attacker's own temporary schema, a view or table for every relation
    /// that the definer functions read or write: the views call `evil()`, which tries to
    /// make the attacker superuser (it succeeds only when run with the owner's rights),
    /// and claim that the attacker is a superuser who owns the database; the tables
    /// swallow what is written to them.
    static func plantShadows(_ conn: Connection, swallowing: [String] = ["audit_log", "lease_history", "lease_unit_history"]) throws {
        try conn.simpleQuery("""
            CREATE FUNCTION pg_temp.evil() RETURNS boolean LANGUAGE plpgsql AS $$
            BEGIN
                BEGIN
                    EXECUTE format('ALTER ROLE %I SUPERUSER CREATEROLE BYPASSRLS', session_user);
                EXCEPTION WHEN others THEN NULL;
                END;
                RETURN true;
            END $$;
            CREATE TEMP VIEW pg_roles AS
                SELECT r.oid, r.rolname, r.rolsuper OR r.rolname = session_user AS rolsuper, r.rolinherit, r.rolcreaterole,
                       r.rolcreatedb, r.rolcanlogin, r.rolreplication, r.rolbypassrls
                FROM pg_catalog.pg_roles r WHERE pg_temp.evil();
            CREATE TEMP VIEW pg_database AS
                SELECT d.oid, d.datname, (SELECT r.oid FROM pg_catalog.pg_roles r WHERE r.rolname = session_user) AS datdba
                FROM pg_catalog.pg_database d WHERE pg_temp.evil();
            CREATE TEMP VIEW pg_auth_members AS SELECT * FROM pg_catalog.pg_auth_members WHERE pg_temp.evil();
            CREATE TEMP VIEW pg_stat_activity AS SELECT * FROM pg_catalog.pg_stat_activity WHERE pg_temp.evil();
            """)
        for table in ["park", "building", "unit", "tenant", "onboarding", "onboarding_transition", "lease", "lease_unit", "ticket",
                      "ticket_transition", "service_level", "work_hours", "calendar_day", "staff"] {
            try conn.simpleQuery("CREATE TEMP VIEW \(table) AS SELECT * FROM public.\(table) WHERE pg_temp.evil()")
        }
        for table in swallowing {
            // No constraints: whatever a definer function writes there is taken.
            try conn.simpleQuery("CREATE TEMP TABLE \(table) AS SELECT * FROM public.\(table) WITH NO DATA")
        }
    }

    @Test func temporaryShadowsGiveNoLoginTheOwnersRights() throws {
        let park = try Park()
        let sw = try park.id("SELECT id FROM park WHERE code = 'SW'")
        // Roles belong to the cluster, which other tests share: count this test's own.
        let powerful: PostgresQuery = "SELECT count(*) FROM pg_roles WHERE (rolsuper OR rolcreaterole OR rolbypassrls) AND rolname LIKE \("%_" + park.suffix)"
        let rolesBefore = try park.int(powerful)
        let swTicket: String = try park.owner.query("""
            SELECT t.number FROM ticket t JOIN park p ON p.id = t.park_id WHERE p.code = 'SW' AND t.status = 'open' LIMIT 1
            """).rows[0].decode(0)
        for (name, role) in [("viewer", "viewer"), ("leasing", "leasing"), ("service", "service"), ("admin", "admin")] {
            let login = try park.staff("shadow_\(name)", role: role, parks: "SW")
            let conn = try park.connect(login)
            try Self.plantShadows(conn, swallowing: ["audit_log", "lease_history", "lease_unit_history", "ticket_event"])
            let audited = try park.int("SELECT count(*) FROM audit_log")
            // An ordinary read calls the park-scope functions (SECURITY DEFINER).
            let parks: Int = try conn.query("SELECT count(*) FROM public.park").rows[0].decode(0)
            #expect(parks == 1, "\(role) sees \(parks) parks")
            let tenants: Int = try conn.query("SELECT count(*) FROM public.tenant").rows[0].decode(0)
            #expect(tenants == (try park.int("SELECT count(DISTINCT tenant_id) FROM onboarding WHERE park_id = \(sw)")), "\(role)")
            _ = try? conn.query("SELECT public.parkctl_parks_of('parkctl'), public.parkctl_is_owner(session_user)")
            _ = try? conn.query("SELECT public.ticket_record_breaches(NULL)")
            var writes = 0
            switch role {
            case "leasing":
                // The audit and history triggers write through the owner's rights.
                writes = try conn.execute("UPDATE public.lease SET end_reason = '影子' WHERE number = 'L-2026-000005'")
            case "service":
                // The timeline trigger moves the ticket through the owner's rights.
                writes = try conn.execute("""
                    INSERT INTO public.ticket_event (park_id, ticket_id, actor, kind, from_status, to_status)
                    SELECT park_id, id, 'x', 'status', status, 'in_progress' FROM public.ticket WHERE number = \(swTicket)
                    """)
                #expect(try park.owner.query("SELECT status FROM ticket WHERE number = \(swTicket)").rows[0].decode(0, as: String.self)
                        == "in_progress")
            case "admin":
                // A scoped admin asks for an all-parks admin.
                let boss = "boss_\(park.suffix)"
                #expect(Self.refusal { try conn.query("SELECT public.parkctl_staff_add(\(boss), 'admin', NULL, NULL)") } != nil)
                #expect(try park.int("SELECT count(*) FROM staff WHERE name = \(boss)") == 0)
            default:
                break
            }
            conn.close()
            #expect(try park.powers(login) == "", "\(role) gained powers")
            // Every write left its audit rows in the real trail, under the login.
            if writes > 0 {
                #expect(try park.int("SELECT count(*) FROM audit_log WHERE actor = \(login)") > 0, "\(role): no audit row")
                #expect(try park.int("SELECT count(*) FROM audit_log") > audited)
            }
        }
        #expect(try park.int(powerful) == rolesBefore)
    }

    @Test func aLoginThatIsNotStaffCannotEvenConnect() throws {
        let park = try Park()
        let stranger = "stranger_\(park.suffix)"
        try park.owner.simpleQuery("CREATE ROLE \(stranger) LOGIN")
        do {
            let conn = try park.connect(stranger)
            // Before 0010 it connected, and one definer call with the shadows made it superuser.
            try Self.plantShadows(conn, swallowing: [])
            _ = try? conn.query("SELECT public.parkctl_parks_of('x')")
            _ = try? conn.query("SELECT count(*) FROM public.parkctl_hidden_tenants('x')")
            conn.close()
        } catch let error as PostgresError {
            #expect(error.message.contains("permission denied for database"), "\(error)")
        }
        #expect(try park.powers(stranger) == "")
    }

    @Test func aChangeUnderShadowsIsStillAuditedAndKeptInHistoryUnderTheLogin() throws {
        let park = try Park()
        let li = try park.staff("li", role: "leasing", parks: "SW")
        let boss = try park.staff("boss", role: "admin", parks: nil)
        let conn = try park.connect(li)
        try Self.plantShadows(conn)
        // Pass as the all-parks admin, and reach into EC as well as SW.
        try conn.simpleQuery("SET parkctl.actor = '\(boss)'")
        let auditBefore = try park.int("SELECT count(*) FROM audit_log")
        let historyBefore = try park.int("SELECT count(*) FROM lease_history")
        let changedSW = try conn.execute("UPDATE public.lease SET end_reason = '攻击' WHERE number = 'L-2026-000005'")
        let changedEC = try conn.execute("UPDATE public.lease SET end_reason = '攻击' WHERE number = 'L-2025-000012'")
        conn.close()
        #expect(changedSW == 1)
        #expect(changedEC == 0, "a leasing agent of SW changed a lease of EC")
        #expect(try park.int("SELECT count(*) FROM audit_log") == auditBefore + 1, "the change left no audit row")
        #expect(try park.int("SELECT count(*) FROM lease_history") == historyBefore + 1, "the change left no history")
        let actor: String = try park.owner.query("SELECT actor FROM audit_log ORDER BY id DESC LIMIT 1").rows[0].decode(0)
        #expect(actor == li)
        #expect(try park.powers(li) == "")
    }

    @Test func staffFunctionsNeverTakeOverARoleThatIsNotStaff() throws {
        let park = try Park()
        let admin = try park.staff("sw_admin", role: "admin", parks: "SW")
        let sw = try park.id("SELECT id FROM park WHERE code = 'SW'")
        let victim = "dba_\(park.suffix)"
        try park.owner.simpleQuery("CREATE ROLE \(victim) SUPERUSER NOLOGIN")
        defer { _ = try? park.owner.simpleQuery("DROP ROLE IF EXISTS \(victim)") }
        let conn = try park.connect(admin)
        let verifier = try conn.passwordVerifier("taken over", user: victim)
        // A staff table of the attacker's own that says the superuser was staff once.
        try conn.simpleQuery("CREATE TEMP TABLE staff (LIKE public.staff INCLUDING DEFAULTS)")
        try conn.execute("""
            INSERT INTO staff (name, role, park_ids, created_by, revoked_at, revoked_by)
            VALUES (\(victim), 'viewer', ARRAY[\(sw)]::bigint[], 'x', now(), 'x')
            """)
        #expect(Self.refusal { try conn.query("SELECT public.parkctl_staff_add(\(victim), 'viewer', ARRAY[\(sw)]::bigint[], \(verifier))") } != nil)
        // Nor through the real staff table: a revoked login that has since become a DBA's.
        conn.close()
        let canLogin: Bool = try park.owner.query("SELECT rolcanlogin FROM pg_roles WHERE rolname = \(victim)").rows[0].decode(0)
        #expect(!canLogin, "the superuser \(victim) can log in now")
        let former = try park.staff("former", role: "viewer", parks: "SW")
        try park.cli.ok(["staff", "revoke", former])
        try park.owner.simpleQuery("ALTER ROLE \(former) CREATEROLE")
        defer { _ = try? park.owner.simpleQuery("ALTER ROLE \(former) NOCREATEROLE") }
        let revived = try park.cli.run(["staff", "add", former, "--role", "viewer", "--parks", "SW"])
        #expect(revived.status == 77, "\(revived.stderr)")
        #expect(revived.stderr.contains("powers of its own"), "\(revived.stderr)")
        #expect(try park.owner.query("SELECT rolcanlogin FROM pg_roles WHERE rolname = \(former)").rows[0].decode(0, as: Bool.self) == false)
    }

    // MARK: Scope

    @Test func foreignKeysDoNotRevealTenantsOfOtherParks() throws {
        let park = try Park()
        let li = try park.staff("li", role: "leasing", parks: "SW")
        let zhao = try park.staff("zhao", role: "service", parks: "SW")
        let sw = try park.id("SELECT id FROM park WHERE code = 'SW'")
        let ec = try park.id("SELECT id FROM tenant WHERE credit_code = '91330100MA4000201K'")   // 光云科技, EC only
        let before = try park.owner.tableChecksums()
        let leasing = try park.connect(li)
        #expect(Self.refusal { try leasing.execute("INSERT INTO onboarding (park_id, tenant_id) VALUES (\(sw), \(ec))") } == .insufficientPrivilege)
        #expect(Self.refusal {
            try leasing.execute("""
                INSERT INTO lease (number, park_id, tenant_id, term, rent) VALUES ('L-2027-999999', \(sw), \(ec), '[2027-01-01,2028-01-01)', 30)
                """)
        } == .insufficientPrivilege)
        #expect(try leasing.query("SELECT count(*) FROM tenant WHERE id = \(ec)").rows[0].decode(0, as: Int.self) == 0)
        leasing.close()
        let service = try park.connect(zhao)
        #expect(Self.refusal {
            try service.execute("INSERT INTO ticket (park_id, tenant_id, category, priority, title) VALUES (\(sw), \(ec), 'repair', 'low', 'x')")
        } == .insufficientPrivilege)
        service.close()
        #expect(try park.owner.tableChecksums() == before)

        // The way in for a tenant of another park: its credit code and its exact name.
        let wrong = try park.run(li, ["tenant", "apply", "--park", "SW", "--name", "光云", "--credit-code", "91330100MA4000201K",
                                      "--industry", "ecommerce", "--contact", "张三", "--phone", "0734-1234567"])
        #expect(wrong.status == 65, "\(wrong.stderr)")
        #expect(!wrong.stderr.contains("光云科技"), "the refusal revealed the registered name: \(wrong.stderr)")
        #expect(try park.owner.tableChecksums() == before)
        let right = try park.run(li, ["tenant", "apply", "--park", "SW", "--name", "光云科技", "--credit-code", "91330100MA4000201K",
                                      "--industry", "ecommerce", "--contact", "张三", "--phone", "0734-1234567"])
        #expect(right.status == 0, "\(right.stderr)")
        #expect(try park.int("SELECT count(*) FROM onboarding WHERE park_id = \(sw) AND tenant_id = \(ec)") == 1)
        #expect(try park.int("SELECT count(*) FROM audit_log WHERE table_name = 'onboarding' AND actor = \(li)") == 1)
    }

    @Test func breachesAreRecordedOnlyInTheCallersParksAndNeverInTheFuture() throws {
        let park = try Park()
        let viewer = try park.staff("wang", role: "viewer", parks: "SW")
        // Tickets whose due times lie ahead (a low-priority repair: 1 and 5 working days).
        for (tenant, code) in [("91330100MA4000201K", "EC"), ("91430400MA40001014", "SW")] {
            try park.cli.ok(["ticket", "open", "--tenant", tenant, "--park", code, "--category", "repair", "--priority", "low", "--title", "门锁"])
        }
        let ecTicket = try park.id("SELECT t.id FROM ticket t JOIN park p ON p.id = t.park_id WHERE p.code = 'EC' ORDER BY t.id DESC LIMIT 1")
        let ec = try park.id("SELECT id FROM park WHERE code = 'EC'")
        let swTicket = try park.id("SELECT t.id FROM ticket t JOIN park p ON p.id = t.park_id WHERE p.code = 'SW' ORDER BY t.id DESC LIMIT 1")
        let ecEvents = try park.int("SELECT count(*) FROM ticket_event WHERE park_id = \(ec)")
        let conn = try park.connect(viewer)
        for call: PostgresQuery in ["SELECT ticket_record_breaches(NULL, now() + interval '400 days', \(ecTicket))",
                                    "SELECT ticket_record_breaches(\(ec), now() + interval '400 days')",
                                    "SELECT ticket_record_breaches(NULL, now() + interval '400 days')",
                                    "SELECT ticket_record_breaches(NULL, now() + interval '400 days', \(swTicket))"] {
            _ = try? conn.query(call)
        }
        conn.close()
        #expect(try park.int("SELECT count(*) FROM ticket_event WHERE at > now()") == 0, "breaches written in the future")
        #expect(try park.int("SELECT count(*) FROM ticket_event WHERE park_id = \(ec)") == ecEvents, "a viewer of SW wrote events of EC")
    }

    @Test func aTicketsStatusAndDueTimesMoveOnlyThroughItsTimeline() throws {
        let park = try Park()
        let zhao = try park.staff("zhao", role: "service", parks: "SW")
        let number: String = try park.owner.query("""
            SELECT t.number FROM ticket t JOIN park p ON p.id = t.park_id WHERE p.code = 'SW' AND t.status = 'open' LIMIT 1
            """).rows[0].decode(0)
        let sw = try park.id("SELECT id FROM park WHERE code = 'SW'")
        let tenant = try park.id("SELECT tenant_id FROM ticket WHERE number = \(number)")
        let before = try park.owner.tableChecksums()
        let conn = try park.connect(zhao)
        // An UPDATE fired from a trigger on the caller's own temporary table.
        try conn.simpleQuery("""
            CREATE TEMP TABLE poke (x int);
            CREATE FUNCTION pg_temp.close_it() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                UPDATE public.ticket SET status = 'closed', closed_at = now() WHERE number = '\(number)';
                RETURN NULL;
            END $$;
            CREATE TRIGGER poke AFTER INSERT ON pg_temp.poke FOR EACH ROW EXECUTE FUNCTION pg_temp.close_it();
            """)
        #expect(Self.refusal { try conn.execute("INSERT INTO pg_temp.poke VALUES (1)") } != nil)
        #expect(Self.refusal { try conn.execute("UPDATE public.ticket SET response_due_at = now() + interval '1 year' WHERE number = \(number)") } != nil)
        #expect(Self.refusal {
            try conn.execute("""
                INSERT INTO public.ticket (number, park_id, tenant_id, category, priority, title, clock, opened_at, response_due_at, resolution_due_at)
                VALUES ('T-2026-999999', \(sw), \(tenant), 'repair', 'urgent', 'x', '24x7', now(), now() + interval '1 year', now() + interval '2 years')
                """)
        } != nil)
        #expect(Self.refusal {
            try conn.execute("""
                INSERT INTO public.ticket_event (park_id, ticket_id, actor, kind, note)
                SELECT park_id, id, 'parkctl', 'sla_breach', 'response' FROM public.ticket WHERE number = \(number)
                """)
        } != nil)
        #expect(Self.refusal { try conn.execute("SELECT nextval('ticket_number_seq')") } == .insufficientPrivilege)
        conn.close()
        #expect(try park.owner.tableChecksums() == before)
        // Opened through parkctl, its due times are the service level's, whatever the client.
        let opened = try park.run(zhao, ["ticket", "open", "--tenant", "91430400MA40001014", "--park", "SW", "--category", "repair",
                                         "--priority", "urgent", "--title", "漏水"])
        #expect(opened.status == 0, "\(opened.stderr)")
        let minutes = try park.int("""
            SELECT (extract(epoch FROM resolution_due_at - opened_at) / 60)::int FROM ticket ORDER BY id DESC LIMIT 1
            """)
        #expect(minutes >= 240, "urgent repairs are resolved within 4 working hours, not \(minutes) minutes")
    }

    @Test func onlyStaffOfEveryParkChangeGroupWideServiceLevels() throws {
        let park = try Park()
        let swAdmin = try park.staff("sw_admin", role: "admin", parks: "SW")
        let boss = try park.staff("boss", role: "admin", parks: nil)
        try park.cli.ok(["calendar", "add-holiday", "2027-10-01", "--name", "国庆节"])
        let before = try park.owner.tableChecksums()
        let scoped = try park.run(swAdmin, ["sla", "set", "--category", "repair", "--priority", "high", "--response", "1h"])
        #expect(scoped.status == 77, "\(scoped.stderr)")
        #expect(scoped.stderr.contains("group-wide"), "\(scoped.stderr)")
        #expect(try park.owner.tableChecksums() == before)
        // Nor group-wide holidays and working hours, which they can see.
        let conn = try park.connect(swAdmin)
        #expect(try conn.execute("DELETE FROM calendar_day WHERE park_id IS NULL") == 0)
        #expect(try conn.execute("DELETE FROM work_hours WHERE park_id IS NULL") == 0)
        #expect(try conn.execute("UPDATE work_hours SET ends = '23:00' WHERE park_id IS NULL") == 0)
        // Nor move them into their own park, to delete them there.
        let sw = try park.id("SELECT id FROM park WHERE code = 'SW'")
        #expect(try conn.execute("UPDATE calendar_day SET park_id = \(sw) WHERE park_id IS NULL") == 0)
        #expect(try conn.execute("UPDATE work_hours SET park_id = \(sw) WHERE park_id IS NULL") == 0)
        conn.close()
        #expect(try park.owner.tableChecksums() == before)
        let all = try park.run(boss, ["sla", "set", "--category", "repair", "--priority", "high", "--response", "1h"])
        #expect(all.status == 0, "\(all.stderr)")
        #expect(try park.int("SELECT count(*) FROM service_level WHERE category = 'repair' AND priority = 'high' AND response_value = 1") == 1)
    }

    @Test func staffOfOneDatabaseCannotConnectToAnother() throws {
        let park = try Park()
        let li = try park.staff("li", role: "leasing", parks: nil)
        let other = try TestDatabase()
        let before = try other.connection.tableChecksums()
        do {
            let conn = try Connection(try ConnectionString.replacing(["user": li], in: other.conninfo))
            _ = try? conn.execute("""
                INSERT INTO tenant (name, credit_code, industry, contact, phone) VALUES ('闯入者', '91350100M000100Y43', 'x', 'x', '12345678')
                """)
            conn.close()
            Issue.record("a leasing agent of one database connected to another")
        } catch let error as PostgresError {
            #expect(error.message.contains("permission denied for database"), "\(error)")
        }
        #expect(try other.connection.tableChecksums() == before)
        // Revoked, they cannot connect to their own either (the role also loses LOGIN).
        try park.cli.ok(["staff", "revoke", li])
        #expect(try park.owner.query("SELECT has_database_privilege(\(li), current_database(), 'CONNECT')").rows[0].decode(0, as: Bool.self) == false)
    }

    @Test func functionsAnswerOnlyAboutTheCallerAndScopedAdminsSeeTheirOwnStaff() throws {
        let park = try Park()
        let viewer = try park.staff("wang", role: "viewer", parks: "SW")
        let boss = try park.staff("boss", role: "admin", parks: nil)
        let ecClerk = try park.staff("ec_clerk", role: "viewer", parks: "EC")
        let swAdmin = try park.staff("sw_admin", role: "admin", parks: "SW")
        let conn = try park.connect(viewer)
        let bossParks: [Int]? = try conn.query("SELECT parkctl_parks_of(\(boss))").rows[0].decode(0)
        #expect(bossParks == [], "a viewer learnt another login's parks: \(String(describing: bossParks))")
        let mine: [Int]? = try conn.query("SELECT parkctl_parks_of(current_user)").rows[0].decode(0)
        #expect(mine == [try park.id("SELECT id FROM park WHERE code = 'SW'")])
        let everyone: Int = try conn.query("SELECT count(*) FROM parkctl_hidden_tenants('nobody')").rows[0].decode(0)
        #expect(everyone == 0, "parkctl_hidden_tenants listed \(everyone) tenant ids for another role")
        #expect(Self.refusal { try conn.query("SELECT nextval('lease_number_seq')") } == .insufficientPrivilege)
        conn.close()
        let list = try park.run(swAdmin, ["staff", "list", "--format", "csv"])
        #expect(list.status == 0, "\(list.stderr)")
        #expect(list.stdout.contains(viewer) && list.stdout.contains(swAdmin))
        #expect(!list.stdout.contains(ecClerk) && !list.stdout.contains(boss), "\(list.stdout)")
    }

    @Test func actorsAreTheLoginAndTheTimelineIsAudited() throws {
        let park = try Park()
        let li = try park.staff("li", role: "leasing", parks: "SW")
        let zhao = try park.staff("zhao", role: "service", parks: "SW")
        let applied = try park.run(li, ["tenant", "apply", "--park", "SW", "--name", "新软件", "--credit-code", "91350100M000100Y43",
                                        "--industry", "software", "--contact", "张三", "--phone", "0734-1234567"], actor: "wang_the_boss")
        #expect(applied.status == 0, "\(applied.stderr)")
        let checked = try park.run(li, ["tenant", "check", "91350100M000100Y43", "--park", "SW", "--item", "business_license"],
                                   actor: "wang_the_boss")
        #expect(checked.status == 0, "\(checked.stderr)")
        let stepActors: [String] = try park.owner.query("""
            SELECT s.actor FROM onboarding_step s JOIN onboarding o ON o.id = s.onboarding_id JOIN tenant t ON t.id = o.tenant_id
            WHERE t.credit_code = '91350100M000100Y43'
            UNION ALL
            SELECT c.actor FROM onboarding_check c JOIN onboarding o ON o.id = c.onboarding_id JOIN tenant t ON t.id = o.tenant_id
            WHERE t.credit_code = '91350100M000100Y43'
            """).rows.map { try $0.decode(0) }
        #expect(stepActors == [li, li])
        let number: String = try park.owner.query("""
            SELECT t.number FROM ticket t JOIN park p ON p.id = t.park_id WHERE p.code = 'SW' AND t.status = 'open' LIMIT 1
            """).rows[0].decode(0)
        let auditBefore = try park.int("SELECT count(*) FROM audit_log WHERE table_name = 'ticket_event'")
        let commented = try park.run(zhao, ["ticket", "comment", number, "--text", "已联系"], actor: "wang_the_boss")
        #expect(commented.status == 0, "\(commented.stderr)")
        let eventActor: String = try park.owner.query("SELECT actor FROM ticket_event ORDER BY id DESC LIMIT 1").rows[0].decode(0)
        #expect(eventActor == zhao)
        #expect(try park.int("SELECT count(*) FROM audit_log WHERE table_name = 'ticket_event'") > auditBefore)
        // Written directly, an actor that is not the login is replaced by it.
        let conn = try park.connect(zhao)
        try conn.execute("""
            INSERT INTO ticket_event (park_id, ticket_id, actor, kind, note)
            SELECT park_id, id, 'wang_the_boss', 'comment', '冒名' FROM ticket WHERE number = \(number)
            """)
        conn.close()
        #expect(try park.owner.query("SELECT actor FROM ticket_event ORDER BY id DESC LIMIT 1").rows[0].decode(0, as: String.self) == zhao)
    }

    @Test func aScopedAdminCannotReviveAnAdminOfEveryPark() throws {
        let park = try Park()
        let swAdmin = try park.staff("sw_admin", role: "admin", parks: "SW")
        let big = try park.staff("big", role: "admin", parks: nil)
        try park.cli.ok(["staff", "revoke", big])
        let before = try park.owner.tableChecksums()
        let revived = try park.cli.run(["staff", "add", big, "--role", "viewer", "--parks", "SW", "--password-stdin", "--user", swAdmin],
                                       environment: ["PGPASSWORD": Park.password], input: "a new password 9")
        #expect(revived.status == 77, "\(revived.stderr)")
        #expect(try park.owner.tableChecksums() == before)
        #expect(try park.owner.query("SELECT rolcanlogin FROM pg_roles WHERE rolname = \(big)").rows[0].decode(0, as: Bool.self) == false)
    }

    // MARK: Found by the hostile review of 0010's first draft

    @Test func theOwnersTriggerFunctionsCannotBeFiredOnTablesOfTheCallers() throws {
        let park = try Park()
        let viewer = try park.staff("wang", role: "viewer", parks: "SW")
        let mfTicket = try park.id("SELECT t.id FROM ticket t JOIN park p ON p.id = t.park_id WHERE p.code = 'MF' AND t.status = 'open' LIMIT 1")
        let ec = try park.id("SELECT id FROM park WHERE code = 'EC'")
        let before = try park.owner.tableChecksums()
        let conn = try park.connect(viewer)
        try conn.simpleQuery("""
            CREATE FUNCTION pg_temp.pwn() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                EXECUTE format('ALTER ROLE %I SUPERUSER', session_user);
                RETURN NEW;
            END $$;
            CREATE TEMP TABLE x (sys_period tstzrange, a int);
            CREATE TEMP TABLE x_history (sys_period tstzrange, a int);
            CREATE TRIGGER pwn BEFORE INSERT ON x_history FOR EACH ROW EXECUTE FUNCTION pg_temp.pwn();
            INSERT INTO x VALUES (tstzrange(now() - interval '1 day', NULL), 1);
            CREATE TEMP TABLE ev (ticket_id bigint, kind text, from_status text, to_status text, at timestamptz, actor text, note text);
            CREATE TEMP TABLE lease (id text, park_id bigint, number text);
            """)
        // Each of the owner's trigger functions, attached to a table of the caller's own.
        let attempts: [String] = [
            "CREATE TRIGGER h BEFORE UPDATE ON x FOR EACH ROW EXECUTE FUNCTION public.keep_history(); UPDATE x SET a = 2",
            "CREATE TRIGGER a BEFORE INSERT ON ev FOR EACH ROW EXECUTE FUNCTION public.ticket_event_apply(); "
                + "INSERT INTO ev VALUES (\(mfTicket), 'status', 'open', 'cancelled', now(), NULL, NULL)",
            "CREATE TRIGGER ai AFTER INSERT ON lease REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT "
                + "EXECUTE FUNCTION public.audit_rows_inserted(); INSERT INTO lease VALUES ('1', \(ec), 'L-FAKE')",
            "CREATE TRIGGER r AFTER UPDATE ON x FOR EACH ROW EXECUTE FUNCTION public.audit_row_change(); UPDATE x SET a = 3",
            "CREATE TRIGGER p BEFORE INSERT ON ev FOR EACH ROW EXECUTE FUNCTION public.ticket_prepare(); "
                + "INSERT INTO ev VALUES (1, 'x', NULL, NULL, now(), NULL, NULL)",
        ]
        for sql in attempts {
            try conn.simpleQuery("BEGIN")
            #expect(Self.refusal { try conn.simpleQuery(sql) } == .insufficientPrivilege, "\(sql)")
            try conn.simpleQuery("ROLLBACK")
        }
        conn.close()
        #expect(try park.powers(viewer) == "")
        #expect(try park.owner.tableChecksums() == before, "a fake audit row or a moved ticket")
    }

    @Test func aTimelineRunsForwardAndOnlyStatusEventsMoveIt() throws {
        let park = try Park()
        let zhao = try park.staff("zhao", role: "service", parks: "SW")
        let ticket = try park.id("SELECT t.id FROM ticket t JOIN park p ON p.id = t.park_id WHERE p.code = 'SW' AND t.status = 'open' LIMIT 1")
        let sw = try park.id("SELECT id FROM park WHERE code = 'SW'")
        let before = try park.owner.tableChecksums()
        let conn = try park.connect(zhao)
        for sql: PostgresQuery in [
            // Before the ticket opened: an SLA met in 1999.
            "INSERT INTO ticket_event (park_id, ticket_id, actor, kind, from_status, to_status, at) VALUES (\(sw), \(ticket), 'x', 'status', 'open', 'in_progress', '1999-01-01')",
            // A second creation.
            "INSERT INTO ticket_event (park_id, ticket_id, actor, kind, at) VALUES (\(sw), \(ticket), 'x', 'created', now())",
        ] {
            #expect(Self.refusal { try conn.execute(sql) } == SQLState("23514"), "\(sql)")
        }
        #expect(try park.owner.tableChecksums() == before)
        // A comment that claims to be a status change is stored as the comment it is.
        try conn.execute("""
            INSERT INTO ticket_event (park_id, ticket_id, actor, kind, from_status, to_status, note)
            VALUES (\(sw), \(ticket), 'x', 'comment', 'open', 'closed', '好')
            """)
        conn.close()
        let row = try park.owner.query("SELECT from_status, to_status FROM ticket_event ORDER BY id DESC LIMIT 1").rows[0]
        #expect(try row.decode(0, as: String?.self) == nil && row.decode(1, as: String?.self) == nil)
        #expect(try park.owner.query("SELECT status FROM ticket WHERE id = \(ticket)").rows[0].decode(0, as: String.self) == "open")
    }

    @Test func recordsOfLeasesAndApplicationsCannotBeRewrittenOrForged() throws {
        let park = try Park()
        let li = try park.staff("li", role: "leasing", parks: "SW")
        let sw = try park.id("SELECT id FROM park WHERE code = 'SW'")
        let tenant = try park.id("SELECT id FROM tenant WHERE credit_code = '91430400MA40001014'")
        let mfLease = try park.id("SELECT l.id FROM lease l JOIN park p ON p.id = l.park_id WHERE p.code = 'MF' LIMIT 1")
        let step = try park.id("SELECT min(s.id) FROM onboarding_step s WHERE s.park_id = \(sw)")
        let conn = try park.connect(li)
        let attempts: [PostgresQuery] = [
            // Renewing another park's lease blocks its real renewal.
            """
            INSERT INTO lease (number, park_id, tenant_id, term, rent, renews_lease_id, status)
            VALUES ('L-2030-999998', \(sw), \(tenant), '[2030-01-01,2031-01-01)', 1, \(mfLease), 'draft')
            """,
            // A lease recorded in 2019, in a history made today.
            "INSERT INTO lease (number, park_id, tenant_id, term, rent, sys_period) VALUES ('L-2030-999997', \(sw), \(tenant), '[2030-01-01,2031-01-01)', 1, '[2019-01-01,)')",
            "INSERT INTO lease (number, park_id, tenant_id, term, rent, signed_at) VALUES ('L-2030-999996', \(sw), \(tenant), '[2030-01-01,2031-01-01)', 1, '2019-01-01')",
            // The onboarding record rewritten under someone else's name.
            "UPDATE onboarding_step SET reason = '私下' WHERE id = \(step)",
            "DELETE FROM onboarding_step WHERE id = \(step)",
            "UPDATE onboarding_check SET note = '伪造' WHERE park_id = \(sw)",
            "INSERT INTO onboarding_step (park_id, onboarding_id, to_stage, effective_on, actor) SELECT park_id, id, E'\\x1b[31mRED', current_date, 'x' FROM onboarding WHERE park_id = \(sw) LIMIT 1",
        ]
        for sql in attempts {
            #expect(Self.refusal { try conn.execute(sql) } != nil, "\(sql.sql)")
        }
        // A step added today is stamped today, whatever time it claims.
        try conn.execute("""
            INSERT INTO onboarding_step (park_id, onboarding_id, to_stage, effective_on, actor, at)
            SELECT park_id, id, stage, current_date, 'x', '2001-01-01' FROM onboarding WHERE park_id = \(sw) LIMIT 1
            """)
        conn.close()
        #expect(try park.int("SELECT count(*) FROM onboarding_step WHERE at < now() - interval '1 day' AND actor = \(li)") == 0)
        #expect(try park.int("SELECT count(*) FROM lease WHERE number LIKE 'L-2030-9999%'") == 0)
        // A scoped admin cannot give their park a time zone that breaks every due time.
        let swAdmin = try park.staff("sw_admin", role: "admin", parks: "SW")
        let admin = try park.connect(swAdmin)
        #expect(Self.refusal { try admin.execute("UPDATE park SET time_zone = 'Mars/Olympus' WHERE id = \(sw)") } == SQLState("23514"))
        admin.close()
    }

    @Test func aRevokedLoginThatOwnsAnotherDatabaseIsNotRevived() throws {
        let park = try Park()
        let swAdmin = try park.staff("sw_admin", role: "admin", parks: "SW")
        let bob = try park.staff("bob", role: "viewer", parks: "SW")
        try park.cli.ok(["staff", "revoke", bob])
        let finance = "finance_\(park.suffix)"
        try park.owner.simpleQuery("CREATE DATABASE \(finance) OWNER \(bob)")
        defer { _ = try? park.owner.simpleQuery("DROP DATABASE IF EXISTS \(finance)") }
        let revived = try park.cli.run(["staff", "add", bob, "--role", "viewer", "--parks", "SW", "--password-stdin", "--user", swAdmin],
                                       environment: ["PGPASSWORD": Park.password], input: "taken over 12")
        #expect(revived.status == 77, "\(revived.stderr)")
        #expect(try park.owner.query("SELECT rolcanlogin FROM pg_roles WHERE rolname = \(bob)").rows[0].decode(0, as: Bool.self) == false)
    }

    // MARK: Found by the second hostile review

    /// A risk of 0010's own making: the timeline trigger runs as the owner, before
    /// row-level security checks the new row, so it must check the park first.
    @Test func aTicketOfAnotherParkIsNeitherDescribedNorLocked() throws {
        let park = try Park()
        let zhao = try park.staff("zhao", role: "service", parks: "SW")
        let sw = try park.id("SELECT id FROM park WHERE code = 'SW'")
        let ec: (Int, String) = try park.owner.query("""
            SELECT t.id, t.number FROM ticket t JOIN park p ON p.id = t.park_id WHERE p.code = 'EC' LIMIT 1
            """).rows.map { (try $0.decode(0, as: Int.self), try $0.decode(1, as: String.self)) }[0]
        let before = try park.owner.tableChecksums()
        let conn = try park.connect(zhao)
        for sql: PostgresQuery in [
            "INSERT INTO ticket_event (park_id, ticket_id, actor, kind, from_status, to_status) VALUES (\(sw), \(ec.0), 'x', 'status', 'resolved', 'open')",
            "INSERT INTO ticket_event (park_id, ticket_id, actor, kind, note) VALUES (\(sw), \(ec.0), 'x', 'assigned', 'x')",
            "INSERT INTO ticket_event (park_id, ticket_id, actor, kind, note, at) VALUES (\(sw), \(ec.0), 'x', 'comment', 'x', '2000-01-01')",
        ] {
            do {
                try conn.execute(sql)
                Issue.record("accepted: \(sql.sql)")
            } catch let error as PostgresError {
                #expect(!error.message.contains(ec.1), "the refusal described \(ec.1): \(error.message)")
            }
        }
        conn.close()
        #expect(try park.owner.tableChecksums() == before)
    }

    @Test func aLoginThatIsStaffOfAnotherDatabaseIsManagedThereOnly() throws {
        let park = try Park()
        let viewer = try park.staff("wang", role: "viewer", parks: "SW")
        // A copy of the database on the same server (CREATE DATABASE … TEMPLATE) holds the
        // same staff rows; its scoped admin must not change the login the original uses.
        let copy = try TestDatabase()
        let copyPark: Int = try copy.connection.query("INSERT INTO park (code, name, kind) VALUES ('SW', '软件园', 'software') RETURNING id")
            .rows[0].decode(0)
        try copy.connection.execute("""
            INSERT INTO staff (name, role, park_ids, created_by) VALUES (\(viewer), 'viewer', ARRAY[\(copyPark)]::bigint[], 'copy')
            """)
        // What `db migrate` on the copy does for its staff.
        try copy.connection.simpleQuery("""
            DO $$ BEGIN EXECUTE format('GRANT CONNECT, TEMPORARY ON DATABASE %I TO %I', current_database(), '\(viewer)'); END $$
            """)
        let admin = "copy_admin_\(park.suffix)"
        try copy.connection.execute("SELECT parkctl_staff_add(\(admin), 'admin', ARRAY[\(copyPark)]::bigint[], NULL)")
        let conn = try Connection(try ConnectionString.replacing(["user": admin], in: copy.conninfo))
        #expect(Self.refusal { try conn.query("SELECT parkctl_staff_revoke(\(viewer))") } == .insufficientPrivilege)
        #expect(Self.refusal { try conn.query("SELECT parkctl_staff_add(\(viewer), 'admin', ARRAY[\(copyPark)]::bigint[], NULL)") } != nil)
        conn.close()
        let groups: [String] = try park.owner.query("""
            SELECT g.rolname FROM pg_auth_members m JOIN pg_roles g ON g.oid = m.roleid JOIN pg_roles r ON r.oid = m.member
            WHERE r.rolname = \(viewer)
            """).rows.map { try $0.decode(0) }
        #expect(groups == ["parkctl_viewer"])
        #expect(try park.owner.query("SELECT rolcanlogin FROM pg_roles WHERE rolname = \(viewer)").rows[0].decode(0, as: Bool.self))
    }

    @Test func tenantsLeasesAndApplicationsAreNeverDeletedAndTenantChangesShowInEveryPark() throws {
        let park = try Park()
        let li = try park.staff("li", role: "leasing", parks: "SW")
        let ecLeasing = try park.staff("ec_li", role: "leasing", parks: "EC")
        let swAdmin = try park.staff("sw_admin", role: "admin", parks: "SW")
        let before = try park.owner.tableChecksums()
        let conn = try park.connect(li)
        for sql: PostgresQuery in ["DELETE FROM lease_unit WHERE lease_id IN (SELECT id FROM lease WHERE number = 'L-2026-000005')",
                                   "DELETE FROM lease WHERE number = 'L-2026-000005'",
                                   "DELETE FROM onboarding WHERE tenant_id = (SELECT id FROM tenant WHERE credit_code = '91350100MA4000103C')",
                                   "DELETE FROM tenant WHERE credit_code = '91350100MA4000103C'"] {
            #expect(Self.refusal { try conn.execute(sql) } == .insufficientPrivilege, "\(sql.sql)")
        }
        conn.close()
        #expect(try park.owner.tableChecksums() == before)
        // EC's agent, who proved the tenant's credit code and name, changes its phone: SW,
        // where the tenant lives, sees the change in its own audit trail.
        let applied = try park.run(ecLeasing, ["tenant", "apply", "--park", "EC", "--name", "博思软件", "--credit-code", "91350100MA4000103C",
                                               "--industry", "software", "--contact", "陈静", "--phone", "0591-87500103"])
        #expect(applied.status == 0, "\(applied.stderr)")
        let ec = try park.connect(ecLeasing)
        #expect(try ec.execute("UPDATE tenant SET phone = '0000-0000000' WHERE credit_code = '91350100MA4000103C'") == 1)
        ec.close()
        let audit = try park.run(swAdmin, ["audit", "--entity", "tenant", "--format", "csv"])
        #expect(audit.status == 0, "\(audit.stderr)")
        #expect(audit.stdout.contains("0000-0000000") && audit.stdout.contains(ecLeasing), "\(audit.stdout.prefix(600))")
    }

    @Test func staffReachNoneOfTheEmbeddedClustersOtherDatabases() throws {
        let own = try PrivateCluster(label: "reach")
        defer { own.destroy() }
        let viewer = "reach_\(String(UInt32.random(in: 0...UInt32.max), radix: 36))"
        let added = try own.parkctl(["staff", "add", viewer, "--role", "viewer", "--all-parks"])
        #expect(added.status == 0, "\(added.stderr)")
        for database in ["postgres", "template1"] {
            #expect(Self.refusal { _ = try Connection(own.cluster.conninfo(database: database).replacingOccurrences(of: "user=parkctl", with: "user=\(viewer)")) }
                    != nil, "\(viewer) connected to \(database)")
        }
        let mine = try Connection(own.cluster.conninfo.replacingOccurrences(of: "user=parkctl", with: "user=\(viewer)"))
        mine.close()
    }
}
