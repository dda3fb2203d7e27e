import Foundation
import ParkCore
import Postgres
import Testing
import TestSupport

/// `parkctl db backup` (issue 21, first part): the demo's database backed up, restored
/// into a throw-away database and found identical table by table; a file changed after
/// the fact is caught by its sha256; a staff login is refused.
@Suite(.timeLimit(.minutes(10))) struct BackupTests {
    @Test func theDemoBacksUpAndVerifies() throws {
        let cli = try CLI()
        try cli.ok(["demo"])
        let parent = NSTemporaryDirectory() + "parkctl-backup-test-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: parent) }

        // The demo restores: its leads' credit codes are checked by a function the restore
        // runs with an empty search_path (it named another without its schema until 0038).
        let out = try cli.run(["db", "backup", "--to", parent, "--verify"])
        #expect(out.status == 0 && out.stdout.contains("verified: restored into a throw-away database"), "\(out.stdout)\(out.stderr)")
        let folders = try FileManager.default.contentsOfDirectory(atPath: parent)
        #expect(folders.count == 1 && folders[0].hasPrefix("parkctl-backup-"), "\(folders)")
        let folder = parent + "/" + folders[0]
        let manifest = try Backup.manifest(in: folder)
        let conn = cli.db.connection
        #expect(manifest.tables["unit"]?.rows == (try conn.query("SELECT count(*)::int FROM unit").rows[0].decode(0, as: Int.self)))
        #expect(manifest.tables["lead"]?.rows == 5 && manifest.schemaVersion == Migration.embedded.last?.name)
        #expect(manifest.tables.count == (try conn.query("""
            SELECT count(*)::int FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p')
            """).rows[0].decode(0, as: Int.self)))
        let mode = try FileManager.default.attributesOfItem(atPath: folder)[.posixPermissions] as? NSNumber
        #expect(mode?.intValue == 0o700)
        for file in [manifest.file, "manifest.json"] {
            let fileMode = try FileManager.default.attributesOfItem(atPath: folder + "/" + file)[.posixPermissions] as? NSNumber
            #expect(fileMode?.intValue == 0o600, "\(file)")
        }
        #expect(out.stdout.hasPrefix("backed up server "), "\(out.stdout)")

        // One byte changed in the file: the manifest's sha256 no longer matches.
        let dump = folder + "/" + manifest.file
        var bytes = try Data(contentsOf: URL(fileURLWithPath: dump))
        bytes[bytes.count / 2] ^= 0xFF
        try bytes.write(to: URL(fileURLWithPath: dump))
        let backup = try Backup(target: .server(conninfo: cli.db.conninfo))
        let problems = try backup.verify(folder: folder)
        #expect(problems.count == 1 && problems[0].contains("has changed since it was written"), "\(problems)")

        // A staff login sees its parks' rows only: no backup of it. A server needs --to.
        let login = "bk_\(String(UInt32.random(in: 0...UInt32.max), radix: 36))"
        try conn.execute("SELECT parkctl_staff_add(\(login), 'admin', ARRAY[(SELECT id FROM park WHERE code = 'SW')], NULL)")
        let staff = try cli.run(["db", "backup", "--to", parent, "--user", login])
        #expect(staff.status == 77 && staff.stderr.contains("a staff login cannot back up the database"), "\(staff.stderr)")
        let nowhere = try cli.run(["db", "backup"])
        #expect(nowhere.status == 64 && nowhere.stderr.contains("give --to DIR"), "\(nowhere.stderr)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: parent).count == 1)

        // An owner held to row security (every park table forces it) is told what right it
        // lacks before anything is written; so is --to naming a file.
        let owner = "own_\(String(UInt32.random(in: 0...UInt32.max), radix: 36))"
        let database: String = try conn.query("SELECT current_database()::text").rows[0].decode(0)
        try conn.simpleQuery("CREATE ROLE \(owner) LOGIN; ALTER DATABASE \(database) OWNER TO \(owner)")
        let held = #expect(throws: ParkError.self) {
            _ = try Backup(target: .server(conninfo: cli.db.conninfo), user: owner).take(into: parent, parkctlVersion: "test")
        }
        #expect(held?.kind == .forbidden && held?.message.contains("ALTER ROLE \(owner) BYPASSRLS") == true, "\(String(describing: held))")
        let file = parent + "/a-file"
        try Data("x".utf8).write(to: URL(fileURLWithPath: file))
        let notFolder = try cli.run(["db", "backup", "--to", file])
        #expect(notFolder.status == 65 && notFolder.stderr.contains("is not a folder") || notFolder.stderr.contains("cannot make the folder"),
                "\(notFolder.stderr)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: parent).sorted() == ["a-file", folders[0]])
    }

    /// Two backups of the same second get two folders; a folder made by someone else is
    /// never written into.
    @Test func aBackupFolderIsMadeHereOnly() throws {
        let parent = NSTemporaryDirectory() + "parkctl-backup-folders-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: parent) }
        let first = try Backup.newFolder(in: parent, named: "parkctl-backup-20261203-120000")
        let second = try Backup.newFolder(in: parent, named: "parkctl-backup-20261203-120000")
        #expect(first.hasSuffix("/parkctl-backup-20261203-120000") && second.hasSuffix("/parkctl-backup-20261203-120000-2"))
        let mode = try FileManager.default.attributesOfItem(atPath: second)[.posixPermissions] as? NSNumber
        #expect(mode?.intValue == 0o700)
    }

    /// A mistake undone: backup, a change, then `db restore` refuses to overwrite, restores
    /// beside the database (`--into`), and with `--replace` puts the backed-up state back,
    /// staff still able to log in; the state it replaced was backed up and restores too.
    @Test func aRestoreRefusesToOverwriteThenPutsTheBackupBack() throws {
        let cli = try CLI()
        try cli.ok(["demo"])
        let parent = NSTemporaryDirectory() + "parkctl-restore-test-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: parent) }
        var conn = cli.db.connection
        let login = "rs_\(String(UInt32.random(in: 0...UInt32.max), radix: 36))"
        try conn.execute("SELECT parkctl_staff_add(\(login), 'leasing', ARRAY[(SELECT id FROM park WHERE code = 'SW')], NULL)")
        let before = try conn.tableChecksums()
        let taken = try cli.run(["db", "backup", "--to", parent])
        try #require(taken.status == 0, "\(taken.stderr)")
        let folder = parent + "/" + (try FileManager.default.contentsOfDirectory(atPath: parent)[0])

        // The mistake: a park added and a unit's rent changed after the backup.
        try cli.ok(["park", "add", "--code", "XX", "--name", "误建园区", "--kind", "software", "--industries", "software"])
        try conn.execute("UPDATE unit SET list_rent = list_rent + 1 WHERE id = (SELECT min(id) FROM unit)")
        let changed = try conn.tableChecksums()
        #expect(changed != before)

        // Never over a database that holds data, unless asked: nothing changes.
        let refused = try cli.run(["db", "restore", folder])
        #expect(refused.status == 65 && refused.stderr.range(of: #"holds data \(4 parks, \d+ tenants, 5 leads, 1 staff\)"#, options: .regularExpression) != nil
                && refused.stderr.contains("Give --replace"), "\(refused.stderr)")
        #expect(try conn.tableChecksums() == changed)
        let badName = try cli.run(["db", "restore", folder, "--into", "Park-Copy"])
        #expect(badName.status == 65 && badName.stderr.contains("--into Park-Copy: a database name is a lower-case letter"), "\(badName.stderr)")
        let system = try cli.run(["db", "restore", folder, "--into", "template1"])
        #expect(system.status == 65 && system.stderr.contains("one of the server's own databases"), "\(system.stderr)")

        // Beside it: a new database with the backup's every table as it was.
        let copyName = "restored_\(String(UInt32.random(in: 0...UInt32.max), radix: 36))"
        defer { try? TestServer.connect(cli.db.conninfo).simpleQuery("DROP DATABASE IF EXISTS \(copyName) WITH (FORCE)") }
        let beside = try cli.run(["db", "restore", folder, "--into", copyName])
        #expect(beside.status == 0 && beside.stdout.contains("as the database \(copyName): 50 tables"), "\(beside.output)")
        let copy = try Connection(ConnectionString.replacing(["dbname": copyName], in: cli.db.conninfo))
        #expect(try copy.tableChecksums() == before)
        copy.close()
        #expect(try conn.tableChecksums() == changed)
        // Once there, it holds data too.
        let again = try cli.run(["db", "restore", folder, "--into", copyName])
        #expect(again.status == 65 && again.stderr.contains("the database \(copyName) holds data"), "\(again.stderr)")

        // --replace: the backup's state back under the database's name; the state it
        // replaced is backed up first, and staff still log in (their CONNECT is given again).
        let replaced = try cli.run(["db", "restore", folder, "--replace"])
        #expect(replaced.status == 0, "\(replaced.output)")
        conn = try TestServer.connect(cli.db.conninfo)
        defer { conn.close() }
        #expect(try conn.tableChecksums() == before)
        let staff = try Connection(ConnectionString.replacing(["user": login], in: cli.db.conninfo))
        let seen: Int = try staff.query("SELECT count(*)::int FROM park").rows[0].decode(0)
        #expect(seen == 1, "the leasing login sees its one park")
        staff.close()
        // ... and nobody else may connect: a new database lets PUBLIC in until parkctl's grants are set.
        let publicConnects: Bool = try conn.query("""
            SELECT EXISTS (SELECT 1 FROM pg_database d, aclexplode(coalesce(d.datacl, acldefault('d', d.datdba))) a
                           WHERE d.datname = current_database() AND a.grantee = 0 AND a.privilege_type = 'CONNECT')
            """).rows[0].decode(0)
        #expect(!publicConnects)
        let previous = try #require(replaced.stdout.split(separator: "\n").first { $0.contains("the state it replaced is backed up in ") }
            .flatMap { $0.split(separator: " ").first { $0.hasPrefix(parent) } }.map(String.init), "\(replaced.stdout)")
        #expect(try Backup.manifest(in: previous).tables["park"]?.rows == 4)

        // And that backup undoes the restore.
        let undone = try cli.run(["db", "restore", previous, "--replace"])
        #expect(undone.status == 0, "\(undone.output)")
        conn = try TestServer.connect(cli.db.conninfo)
        #expect(try conn.tableChecksums() == changed)
    }

    /// A manifest that points outside its folder, or a file changed since, is refused
    /// before anything is created; a backup of an older schema is migrated after the restore.
    @Test func aRestoreChecksTheBackupAndMigratesAnOlderOne() throws {
        let cli = try CLI()
        let parent = NSTemporaryDirectory() + "parkctl-restore-old-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: parent) }
        // A database one migration behind, with a park in it, backed up.
        let older = try TestServer.shared.get().makeEmptyDatabase()
        let oldConn = try TestServer.connect(older)
        let last = try #require(Migration.embedded.last)
        try Migrator(migrations: Array(Migration.embedded.dropLast())).migrate(oldConn)
        try oldConn.execute("INSERT INTO park (code, name, kind) VALUES ('OL', '旧园区', 'software')")
        oldConn.close()
        let (folder, manifest) = try Backup(target: .server(conninfo: older)).take(into: parent, parkctlVersion: "test")
        #expect(manifest.schemaVersion < last.name)

        let name = "migrated_\(String(UInt32.random(in: 0...UInt32.max), radix: 36))"
        defer { try? cli.db.connection.simpleQuery("DROP DATABASE IF EXISTS \(name) WITH (FORCE)") }
        let out = try cli.run(["db", "restore", folder, "--into", name])
        #expect(out.status == 0 && out.stdout.contains("migrated since: \(last.name)"), "\(out.output)")
        let restored = try Connection(ConnectionString.replacing(["dbname": name], in: cli.db.conninfo))
        #expect(try restored.query("SELECT max(name) FROM schema_migrations").rows[0].decode(0, as: String.self) == last.name)
        #expect(try restored.query("SELECT name FROM park").rows.map { try $0.decode(0, as: String.self) } == ["旧园区"])
        restored.close()

        // A database with tables of its own (another schema than parkctl's) holds data;
        // a new, migrated parkctl database does not (its calendars and service levels are seeds).
        let foreignName = "ledger_\(String(UInt32.random(in: 0...UInt32.max), radix: 36))"
        try cli.db.connection.simpleQuery("CREATE DATABASE \(foreignName)")
        defer { try? TestServer.connect(cli.db.conninfo).simpleQuery("DROP DATABASE IF EXISTS \(foreignName) WITH (FORCE)") }
        let foreignConn = try Connection(ConnectionString.replacing(["dbname": foreignName], in: cli.db.conninfo))
        try foreignConn.simpleQuery("CREATE SCHEMA ledger; CREATE TABLE ledger.entries (id int); INSERT INTO ledger.entries VALUES (1)")
        foreignConn.close()
        let foreign = try cli.run(["db", "restore", folder, "--into", foreignName])
        #expect(foreign.status == 65 && foreign.stderr.contains("holds data (1 table that is not parkctl's)"), "\(foreign.output)")
        let fresh = try TestServer.shared.get().makeDatabase()
        let freshName = try #require(try ConnectionString.parse(fresh).last { $0.keyword == "dbname" }?.value)
        let intoFresh = try cli.run(["db", "restore", folder, "--into", freshName])
        #expect(intoFresh.status == 0 && intoFresh.stdout.contains("as the database \(freshName)"), "\(intoFresh.output)")
        let sweepName = try cli.run(["db", "restore", folder, "--into", "parkctl_restore_1_1"])
        #expect(sweepName.status == 65 && sweepName.stderr.contains("are parkctl's throw-away databases"), "\(sweepName.stderr)")

        // The manifest names a file outside the folder: no parkctl manifest.
        let manifestPath = folder + "/manifest.json"
        let original = try String(contentsOfFile: manifestPath, encoding: .utf8)
        try original.replacingOccurrences(of: "\"parkctl.dump\"", with: "\"..\\/parkctl.dump\"")
            .write(toFile: manifestPath, atomically: true, encoding: .utf8)
        let outside = try cli.run(["db", "restore", folder, "--into", name + "_x"])
        #expect(outside.status == 65 && outside.stderr.contains("which is not in its folder"), "\(outside.stderr)")
        // The file changed since it was written.
        try original.write(toFile: manifestPath, atomically: true, encoding: .utf8)
        let dump = folder + "/parkctl.dump"
        var bytes = try Data(contentsOf: URL(fileURLWithPath: dump))
        bytes[bytes.count / 2] ^= 0xFF
        try bytes.write(to: URL(fileURLWithPath: dump))
        let changed = try cli.run(["db", "restore", folder, "--into", name + "_x"])
        #expect(changed.status == 65 && changed.stderr.contains("has changed since it was written"), "\(changed.stderr)")
        #expect(try cli.db.connection.query("SELECT count(*)::int FROM pg_database WHERE datname LIKE \(name + "%")").rows[0].decode(0, as: Int.self) == 1)
    }

    /// `db status` tells the newest backup's age and warns when there is none, or when it
    /// is more than a day old; `--keep` removes the backups older than its days (never the
    /// new one, never a folder that is no backup); `--schedule` writes the entry that runs
    /// the same backup, and `--install` puts it in the crontab once.
    @Test func theNewestBackupsAgeIsShownOldOnesGoAndASchedulePrints() throws {
        let pc = try PrivateCluster(label: "backup-age")
        defer { pc.destroy() }
        let none = try pc.parkctl(["db", "status"])
        let backups = pc.cluster.root + "/backups"
        #expect(none.status == 0 && none.stdout.contains("backups: none in \(backups)\nWARNING: no backup: run `parkctl db backup --verify`"),
                "\(none.output)")
        let first = try pc.parkctl(["db", "backup"])
        try #require(first.status == 0, "\(first.output)")
        let fresh = try pc.parkctl(["db", "status"])
        #expect(fresh.stdout.range(of: #"backups: 1 in .*; the newest, parkctl-backup-\d{8}-\d{6}, was taken [-0-9T:]+ \([01] minutes ago\)\n"#,
                                   options: .regularExpression) != nil && !fresh.stdout.contains("WARNING"), "\(fresh.stdout)")

        // Taken three days ago (its manifest says so): status warns, and --keep 2d removes it.
        let old = try #require(Backup.backups(in: backups).first).folder
        var manifest = try Backup.manifest(in: old)
        let conn = try pc.connect(applicationName: "backup-age")
        manifest.takenAt = try conn.query("""
            SELECT to_char((now() - interval '3 days 1 hour') AT TIME ZONE park_time_zone(NULL), 'YYYY-MM-DD"T"HH24:MI:SS')
            """).rows[0].decode(0)
        conn.close()
        try JSONEncoder().encode(manifest).write(to: URL(fileURLWithPath: old + "/manifest.json"))
        let stale = try pc.parkctl(["db", "status"])
        #expect(stale.stdout.contains("(3 days ago)\nWARNING: the newest backup is more than a day old"), "\(stale.stdout)")
        try FileManager.default.createDirectory(atPath: backups + "/parkctl-backup-not-one", withIntermediateDirectories: false)
        let kept = try pc.parkctl(["db", "backup", "--keep", "2d"])
        #expect(kept.status == 0 && kept.stdout.contains("kept the backups of the last 2 days: removed 1 older (\((old as NSString).lastPathComponent))"),
                "\(kept.output)")
        let left = try FileManager.default.contentsOfDirectory(atPath: backups).sorted()
        // (wal/ is the WAL archive, for point-in-time recovery.)
        #expect(left.count == 3 && left.contains("parkctl-backup-not-one") && left.contains("wal") && !left.contains((old as NSString).lastPathComponent),
                "\(left)")
        // A verify stopped before it could drop its throw-away database (its parkctl is
        // gone) leaves it behind; the next verify drops it, not one whose parkctl still runs.
        let gone = try ProcessRunner.run("/bin/sh", ["-c", "echo $$"], timeout: 60).stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        let admin = try Connection(pc.cluster.conninfo(database: "postgres"))
        try admin.simpleQuery("CREATE DATABASE parkctl_verify_\(gone)_1")
        try admin.simpleQuery("CREATE DATABASE parkctl_verify_\(getpid())_1")
        let swept = try pc.parkctl(["db", "backup", "--verify"])
        #expect(swept.status == 0, "\(swept.output)")
        let scratch: [String] = try admin.query("SELECT datname::text FROM pg_database WHERE datname LIKE 'parkctl_verify_%' ORDER BY 1")
            .rows.map { try $0.decode(0) }
        #expect(scratch == ["parkctl_verify_\(getpid())_1"], "\(scratch)")
        try admin.simpleQuery("DROP DATABASE parkctl_verify_\(getpid())_1")
        admin.close()
        try FileManager.default.removeItem(atPath: (swept.stdout.split(separator: "\n")[0].split(separator: " ").last).map(String.init) ?? "/nonexistent")
        let badKeep = try pc.parkctl(["db", "backup", "--keep", "0d"])
        #expect(badKeep.status == 64 && badKeep.stderr.contains("--keep 0d: give the days to keep backups for, 1d to 3650d"), "\(badKeep.stderr)")

        // The schedule: the same command, reaching the same cluster, writing a log beside the backups.
        // 02:30 the parks' time is 18:30 the day before on a machine on UTC. Root's runs log
        // under /var/log (the cluster's folder is the postgres user's); the log is 0600.
        let log = geteuid() == 0 ? "/var/log/parkctl-backup.log" : backups + "/backup.log"
        let printed = try Parkctl.run(["db", "backup", "--schedule", "daily", "--verify", "--keep", "14d"],
                                      environment: pc.environment.merging(["TZ": "UTC"]) { $1 })
        #expect(printed.status == 0, "\(printed.output)")
        let cron = try #require(printed.stdout.split(separator: "\n").first { $0.hasPrefix("30 18 * * * ") }.map(String.init), "\(printed.stdout)")
        #expect(cron.contains("umask 077; PARKCTL_HOME=\(pc.cluster.root) /") && cron.contains(" db backup --to \(backups) --verify --keep 14d >> \(log) 2>&1"),
                "\(cron)")
        let weekly = try Parkctl.run(["db", "backup", "--schedule", "weekly"], environment: pc.environment.merging(["TZ": "UTC"]) { $1 })
        #expect(weekly.stdout.contains("\n30 18 * * 6 umask 077;"), "Sunday 02:30 the parks' time is Saturday 18:30 UTC: \(weekly.stdout)")
        #expect(printed.stdout.contains("OnCalendar=*-*-* 02:30:00 Asia/Shanghai") && printed.stdout.contains("Environment=PARKCTL_HOME=\(pc.cluster.root)"))
        #expect(try FileManager.default.contentsOfDirectory(atPath: backups).count == 3, "a schedule takes no backup")
        let lone = try pc.parkctl(["db", "backup", "--install"])
        #expect(lone.status == 64 && lone.stderr.contains("--install installs a schedule"), "\(lone.stderr)")

        // Installed twice, it is in the crontab once (cron is installed by .ci/run).
        let crontab = "/usr/bin/crontab"
        try #require(FileManager.default.isExecutableFile(atPath: crontab), "cron is not installed (apt-get install cron)")
        let saved = try ProcessRunner.run(crontab, ["-l"], timeout: 60)
        defer {
            _ = saved.status == 0 ? try? ProcessRunner.run(crontab, ["-"], input: Array(saved.stdout.utf8), timeout: 60)
                                  : try? ProcessRunner.run(crontab, ["-r"], timeout: 60)
        }
        for _ in 1...2 {
            let installed = try pc.parkctl(["db", "backup", "--schedule", "weekly", "--install"])
            #expect(installed.status == 0 && installed.stdout.contains("installed in your crontab"), "\(installed.output)")
        }
        let listed = try ProcessRunner.run(crontab, ["-l"], timeout: 60).stdout
        #expect(listed.components(separatedBy: "# parkctl backup: \(pc.cluster.root)\n").count == 2, "\(listed)")
        #expect(listed.contains(" * * 6 umask 077; PARKCTL_HOME=\(pc.cluster.root)") || listed.contains(" * * 0 umask 077; PARKCTL_HOME=\(pc.cluster.root)"),
                "\(listed)")
    }

    /// A `--replace` killed after it closed the database to staff (SIGKILL, a power cut)
    /// leaves it closed; staff are told a restore may be under way, and the owner's next
    /// command reopens it.
    @Test func aKilledRestoreLeavesNoStaffLockedOut() throws {
        let cli = try CLI()
        try cli.ok(["demo"])
        let parent = NSTemporaryDirectory() + "parkctl-restore-killed-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: parent) }
        let login = "rk_\(String(UInt32.random(in: 0...UInt32.max), radix: 36))"
        try cli.db.connection.execute("SELECT parkctl_staff_add(\(login), 'viewer', NULL, NULL)")
        try #require(try cli.run(["db", "backup", "--to", parent]).status == 0)
        let folder = try #require(Backup.backups(in: parent).first).folder

        let observer = try TestServer.connect(cli.db.conninfo)
        defer { observer.close() }
        let restore = try SpawnedProcess.parkctl(["db", "restore", folder, "--replace", "--database-url", cli.db.conninfo],
                                                 environment: ["PARKCTL_ACTOR": "cli-tester"])
        defer { restore.kill() }
        restore.closeInput()
        // Killed once its new database exists: by then its staff are shut out.
        _ = try waitFor(seconds: 120, "the restore to create its new database") { () -> Bool? in
            if let done = restore.wait(seconds: 0) { throw SpawnError("the restore ended first: \(done.status) \(done.stderr)") }
            // Its own (the other tests of the suite restore on the same server at the same time).
            return try observer.query("SELECT 1 FROM pg_database WHERE datname LIKE \("parkctl_restore_\(restore.pid)_%")").rowCount > 0 ? true : nil
        }
        // A power cut: parkctl and the pg_restore it started end at once.
        restore.kill()
        for pid in (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? [] where pid.allSatisfy(\.isNumber) {
            let cmdline = (try? String(contentsOfFile: "/proc/\(pid)/cmdline", encoding: .utf8)) ?? ""
            if cmdline.hasPrefix("/") && cmdline.contains("pg_restore") && cmdline.contains("parkctl_restore_\(restore.pid)_"), let id = pid_t(pid) {
                _ = Glibc.kill(id, SIGKILL)
            }
        }
        _ = try waitFor(seconds: 120, "the restore's sessions to end") { () -> Bool? in
            try observer.query("SELECT 1 FROM pg_stat_activity WHERE datname LIKE \("parkctl_restore_\(restore.pid)_%")").rowCount == 0 ? true : nil
        }
        let shut = try cli.run(["park", "list", "--user", login])
        #expect(shut.status == 77 && shut.stderr.contains("or a restore is under way"), "\(shut.output)")
        // The owner's next command reopens it.
        let owner = try cli.run(["park", "list"])
        #expect(owner.status == 0, "\(owner.output)")
        let back = try cli.run(["park", "list", "--user", login])
        #expect(back.status == 0 && back.stdout.contains("SW"), "\(back.output)")
        let mark: String? = try observer.query("SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = current_database()")
            .rows[0].decode(0)
        #expect(mark == nil)
    }
}

