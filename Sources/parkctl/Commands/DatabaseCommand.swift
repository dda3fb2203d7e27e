import ArgumentParser
import Foundation
import ParkCore

struct DatabaseCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "db",
        abstract: "Manage the database: migrations and the embedded cluster.",
        subcommands: [Status.self, Migrate.self, Check.self, Start.self, Stop.self, TakeBackup.self, RestoreBackup.self, Upgrade.self]
    )

    struct Status: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Say where the database lives, how old its newest backup is and which migrations are applied.")
        @OptionGroup var database: DatabaseOptions
        @Option(help: "The folder backups are written under (default: the embedded cluster's backups folder).") var backups: String?

        /// The newest backup and its age, with a warning when it is more than a day old.
        func backupsLine(_ target: DatabaseTarget, _ session: ParkSession) throws -> String {
            let folder: String
            switch (backups, target) {
            case (let given?, _): folder = given
            case (nil, .embedded(let cluster)): folder = (cluster.root as NSString).appendingPathComponent("backups")
            case (nil, .server): return "  backups: give --backups DIR to see the newest backup's age\n"
            }
            let found = ParkCore.Backup.backups(in: folder)
            guard let newest = found.first else {
                return "  backups: none in \(folder)\nWARNING: no backup: run `parkctl db backup --verify`, "
                    + "and schedule it (`parkctl db backup --schedule daily --install`)\n"
            }
            let minutes = try ParkCore.Backup.minutesSince(newest.manifest, session)
            let age = minutes < 120 ? "\(minutes) minutes" : minutes < 48 * 60 ? "\(minutes / 60) hours" : "\(minutes / 1440) days"
            var line = "  backups: \(found.count) in \(folder); the newest, \((newest.folder as NSString).lastPathComponent), "
                + "was taken \(newest.manifest.takenAt) (\(age) ago)\(newest.manifest.note.map { ": \($0)" } ?? "")\n"
            if minutes > 24 * 60 {
                line += "WARNING: the newest backup is more than a day old: run `parkctl db backup --verify`, "
                    + "and schedule it (`parkctl db backup --schedule daily --install`)\n"
            }
            if case .embedded = target, let based = found.first(where: { $0.manifest.base != nil }) {
                line += "  newest base backup (where db restore --to-time starts): \((based.folder as NSString).lastPathComponent)\n"
            } else if case .embedded(let cluster) = target, cluster.archivingOff == nil {
                line += "  no base backup yet: db restore --to-time needs one (parkctl db backup takes one)\n"
            }
            return line
        }

        func run() throws {
            let target = database.target
            // Status reports a stopped embedded cluster as stopped; it does not start it.
            if case .embedded(let cluster) = target, try cluster.isStopped() {
                say("database: \(target.displayName)\n  data:    \(cluster.dataDirectory)\n"
                    + "  server:  stopped (parkctl db start, or any other command, starts it)\n")
                return
            }
            let session = try database.session(requireCurrentSchema: false, repairing: true)
            defer { session.close() }
            say("database: \(target.displayName)\n")
            if case .embedded(let cluster) = target {
                say("  data:    \(cluster.dataDirectory)\n")
                say("  socket:  \(cluster.socketDirectory) (no TCP listener)\n")
                say("  log:     \(cluster.logFile)\n")
            }
            say("  server:  \(session.serverDescription)\n")
            say(try backupsLine(target, session))
            if case .embedded(let cluster) = target {
                let archiving: String = try session.connection.query("SELECT current_setting('archive_mode')").rows[0].decode(0)
                if let off = cluster.archivingOff {
                    say("  WAL:     not archived (\(off)): no point-in-time recovery\n")
                } else if archiving == "off" {
                    say("  WAL:     archived from the cluster's next start (parkctl db stop, then parkctl db start)\n")
                } else {
                    let files = ((try? FileManager.default.contentsOfDirectory(atPath: cluster.walArchive)) ?? []).filter { $0.count == 24 }
                    say("  WAL:     archived into \(cluster.walArchive) (\(files.count) files): db restore --to-time reaches any moment after the oldest base backup\n")
                }
            }
            if case .embedded(let cluster) = target, let made = cluster.clusterVersion.flatMap(Int.init),
               let newest = PostgresBinaries.installedMajors().first, newest > made {
                say("  upgrade: PostgreSQL \(newest) is installed: `parkctl db upgrade --check`, then `parkctl db upgrade`, move the cluster to it\n")
            }
            let states = try Migrator().status(session)
            let count = { (s: MigrationState.Status) in states.filter { $0.status == s }.count }
            say("migrations: \(count(.applied)) applied, \(count(.pending)) pending"
                + (count(.changed) > 0 ? ", \(count(.changed)) CHANGED since applied" : "")
                + (count(.unknown) > 0 ? ", \(count(.unknown)) unknown to this parkctl" : "") + "\n")
            for state in states {
                say("  \(state.name)  \(state.status.rawValue)\(state.appliedAt.map { "  \($0)" } ?? "")\n")
            }
        }
    }

    struct TakeBackup: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "backup",
            abstract: "Back up the database: pg_dump's compressed format and a manifest (versions, rows and a checksum per table, sha256), in a folder named by the time.",
            discussion: """
                --verify restores the backup into a throw-away database on the same server and compares every table with the manifest. \
                Taken by the database's owner: a staff login sees only its parks' rows. \
                Example: parkctl db backup --to /srv/backups --verify
                """)
        @OptionGroup var database: DatabaseOptions
        @Option(help: "The folder to write it under (default: the embedded cluster's backups folder; required for a server).") var to: String?
        @Flag(help: "Restore it into a throw-away database and compare every table with the manifest.") var verify = false
        @Option(help: "Once this backup is taken (and verified), remove the backups in the folder older than this many days (e.g. 14d).",
                transform: KeepDays.parse) var keep: Int?
        @Option(help: "Print the cron entry and systemd timer that take this backup on a schedule, instead of taking it now.")
        var schedule: BackupSchedule.Frequency?
        @Flag(help: "With --schedule: install the cron entry in your crontab (replacing an earlier one for this database).") var install = false

        func validate() throws {
            if install && schedule == nil { throw ValidationError("--install installs a schedule: give --schedule hourly|daily|weekly too") }
        }

        func run() throws {
            // Starts (and migrates) the embedded cluster as any command does.
            try database.session().close()
            let target = database.target
            let parent: String
            switch (to, target) {
            case (let to?, _): parent = (to as NSString).expandingTildeInPath.hasPrefix("/") ? (to as NSString).expandingTildeInPath
                : FileManager.default.currentDirectoryPath + "/" + to
            case (nil, .embedded(let cluster)): parent = (cluster.root as NSString).appendingPathComponent("backups")
            case (nil, .server): throw ValidationError("give --to DIR: the folder to write the backup under")
            }
            if let schedule {
                let parkctl = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().path
                let entry = try BackupSchedule(frequency: schedule, target: target, parkctl: parkctl, folder: parent, verify: verify, keep: keep)
                if install {
                    try entry.install()
                    say("installed in your crontab (crontab -l shows it; runs write to \(entry.logFile)):\n\(entry.marker)\n\(entry.cronLine)\n")
                    if !BackupSchedule.cronRunning {
                        say("WARNING: no cron daemon runs on this machine, so the entry will not run: start it "
                            + "(systemctl enable --now cron, or service cron start)\n")
                    }
                } else {
                    say("""
                        # cron (crontab -e, or parkctl db backup --schedule \(schedule.rawValue) --install):
                        \(entry.marker)
                        \(entry.cronLine)

                        # or systemd: /etc/systemd/system/parkctl-backup.service
                        \(entry.systemdService)
                        # and /etc/systemd/system/parkctl-backup.timer, then: systemctl enable --now parkctl-backup.timer
                        \(entry.systemdTimer)
                        """)
                }
                return
            }
            let backup = try ParkCore.Backup(target: target, user: database.resolvedUser)
            let (folder, manifest) = try backup.take(into: parent, parkctlVersion: Parkctl.version, verifying: verify)
            let rows = manifest.tables.values.reduce(0) { $0 + $1.rows }
            say("backed up \(manifest.source): \(manifest.tables.count) tables, \(rows) rows (schema \(manifest.schemaVersion)) to \(folder)\n"
                + "  \(manifest.file): \(manifest.bytes) bytes, sha256 \(manifest.sha256)\n")
            if verify {
                let problems = try backup.verify(folder: folder)
                guard problems.isEmpty else {
                    throw ParkError(.internalError, "the backup at \(folder) does not verify:\n  " + problems.joined(separator: "\n  "))
                }
                say("verified: restored into a throw-away database, every table's rows and checksum as backed up\n")
            }
            if let keep {
                let (removed, walFiles) = try backup.prune(in: parent, olderThanDays: keep, keeping: folder)
                say("kept the backups of the last \(keep) days: " + (removed.isEmpty ? "none older to remove"
                    : "removed \(removed.count) older (\(removed.map { ($0 as NSString).lastPathComponent }.joined(separator: ", ")))")
                    + (walFiles > 0 ? "; removed \(walFiles) archived WAL files older than the oldest base backup kept" : "") + "\n")
            }
        }
    }

    /// `--keep 14d` (or 14): a number of days, 1 to 3650.
    enum KeepDays {
        static func parse(_ text: String) throws -> Int {
            let digits = text.hasSuffix("d") ? String(text.dropLast()) : text
            guard let days = Int(digits), (1...3650).contains(days) else {
                throw ValidationError("--keep \(text): give the days to keep backups for, 1d to 3650d (e.g. --keep 14d)")
            }
            return days
        }
    }

    struct RestoreBackup: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "restore",
            abstract: "Restore a backup made by `parkctl db backup` as a database of the same server.",
            discussion: """
                The backup is restored into a new database, checked table by table against its manifest and migrated to this \
                parkctl's schema; only then does it take the target's name. A database that holds data is replaced only with \
                --replace: its staff are signed out and its present state is backed up first (restore that backup to undo). \
                Examples: parkctl db restore /srv/backups/parkctl-backup-20261201-101500 --into parkctl_check; \
                parkctl db restore /srv/backups/parkctl-backup-20261201-101500 --replace
                """)
        @OptionGroup var database: DatabaseOptions
        @Argument(help: "The backup's folder, as `db backup` printed it.") var backup: String?
        @Option(help: "Restore as this new database of the same server (default: the database parkctl uses).") var into: String?
        @Flag(help: "Replace a database that holds data, after backing up its present state.") var replace = false
        @Option(name: .customLong("to-time"),
                help: "The embedded cluster as it was at this moment (\"2026-12-01 10:15\", the parks' time), from a base backup and the archived WAL.")
        var toTime: String?

        func validate() throws {
            if toTime != nil {
                if backup != nil { throw ValidationError("--to-time picks the base backup itself: give no BACKUP folder with it") }
                if into != nil { throw ValidationError("--to-time puts the whole embedded cluster back: it takes no --into") }
            } else if backup == nil {
                throw ValidationError("give the BACKUP folder to restore (parkctl db status lists the newest), or --to-time \"YYYY-MM-DD HH:MM\"")
            }
        }

        func run() throws {
            if let toTime { return try restoreToTime(toTime) }
            let backup = backup ?? ""
            try database.session(requireCurrentSchema: false).close()
            let target = database.target
            // The replaced state is backed up where backups go: the embedded cluster's
            // folder, or beside the backup being restored.
            let parent: String
            switch target {
            case .embedded(let cluster): parent = (cluster.root as NSString).appendingPathComponent("backups")
            case .server: parent = ((backup as NSString).standardizingPath as NSString).deletingLastPathComponent
            }
            let outcome = try Restore(target: target, user: database.resolvedUser)
                .run(folder: backup, into: into, replace: replace, backupsParent: parent, parkctlVersion: Parkctl.version)
            let m = outcome.manifest
            let rows = m.tables.values.reduce(0) { $0 + $1.rows }
            say("restored \(backup) (taken \(m.takenAt) from \(m.source), schema \(m.schemaVersion)) as the database \(outcome.database): "
                + "\(m.tables.count) tables, \(rows) rows, every table's rows and checksum as backed up\n")
            if !outcome.migrated.isEmpty { say("  migrated since: \(outcome.migrated.joined(separator: ", "))\n") }
            if into != nil {
                // How to look at it: the same server, the database's name.
                let url: String
                switch target {
                case .embedded(let cluster): url = "postgresql:///\(outcome.database)?host=\(cluster.socketDirectory)&user=\(LocalCluster.superuser)"
                case .server: url = "(your --database-url, with the database \(outcome.database))"
                }
                say("  look at it with: parkctl park list --database-url '\(url)'; drop it when done: "
                    + "psql -d '\(url.hasPrefix("postgresql:") ? url.replacingOccurrences(of: "/\(outcome.database)?", with: "/postgres?") : "postgres")' -c 'DROP DATABASE \(outcome.database)'\n")
            }
            if let previous = outcome.previous {
                say("  the state it replaced is backed up in \(previous) (parkctl db restore \(previous) --replace puts it back)\n")
            }
            if !outcome.staffWithoutLogin.isEmpty {
                say("  staff with no login on this server (add each again: parkctl staff revoke NAME, then parkctl staff add NAME …): "
                    + outcome.staffWithoutLogin.joined(separator: ", ") + "\n")
            }
        }

        func restoreToTime(_ moment: String) throws {
            guard case .embedded(let cluster) = database.target else {
                throw ParkError.invalid("--to-time puts the embedded cluster back; a server's point-in-time recovery is its administrator's (pgBackRest, Barman)")
            }
            guard replace else {
                throw ParkError(.conflict, "--to-time replaces the whole embedded cluster (the cluster as it is now is kept aside): give --replace to go ahead")
            }
            let caller = try database.session(requireCurrentSchema: false)
            try caller.requireOwner("putting the cluster back to a moment")
            caller.close()
            let outcome = try PointInTimeRestore(cluster: cluster).run(to: moment)
            // Migrations newer than that moment's schema, as after any restore.
            let session = try database.session()
            session.close()
            say("""
                restored the embedded cluster at \(cluster.root) to \(outcome.moment) (the parks' time), from the base backup in \
                \(outcome.backup) (finished at \(outcome.baseEndedAt)) and the WAL archived since
                  the cluster as it was is kept at \(outcome.previous): remove it once all is well

                """)
        }
    }

    struct Upgrade: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Move the embedded cluster to a newer PostgreSQL major version (pg_upgrade), after a backup.",
            discussion: """
                --check runs pg_upgrade's checks against the running cluster and changes nothing. Without it, the cluster is backed \
                up, stopped, upgraded in copy mode and started on the new version; the old cluster's folder is kept beside it \
                (data.old-N) until you remove it. Both versions' server programs must be installed. \
                Example: parkctl db upgrade --check && parkctl db upgrade
                """)
        @OptionGroup var database: DatabaseOptions
        @Flag(help: "Run pg_upgrade's checks only.") var check = false
        @Option(help: "The new version's server programs (default: the newest under /usr/lib/postgresql).") var newBindir: String?

        func run() throws {
            guard case .embedded(let cluster) = database.target else {
                throw ParkError.invalid("db upgrade moves the embedded cluster; a server (\(database.target.displayName)) is upgraded by its administrator")
            }
            let caller = try database.session(requireCurrentSchema: false)
            try caller.requireOwner("upgrading the cluster")
            caller.close()
            let upgrade = try ClusterUpgrade(cluster: cluster, newBinDir: newBindir)
            if check {
                let out = try upgrade.check()
                say(out.split(separator: "\n").filter { !$0.trimmingCharacters(in: .whitespaces).isEmpty }.joined(separator: "\n") + "\n")
                say("the checks passed: `parkctl db upgrade` moves the cluster from PostgreSQL \(upgrade.oldMajor) to \(upgrade.newMajor); nothing was changed\n")
                return
            }
            try database.session().close()
            let backup = try ParkCore.Backup(target: database.target)
            let (folder, _) = try backup.take(into: (cluster.root as NSString).appendingPathComponent("backups"), parkctlVersion: Parkctl.version)
            say("backed up first to \(folder)\n")
            let kept = try upgrade.run()
            let session = try database.session()
            defer { session.close() }
            // pg_upgrade carries no planner statistics over.
            try session.analyze()
            say("""
                upgraded the embedded cluster at \(cluster.root) from PostgreSQL \(upgrade.oldMajor) to \(upgrade.newMajor): \(session.serverDescription)
                  the old cluster's folder is kept at \(kept): remove it once all is well (rm -rf \(kept))
                  take a backup now (parkctl db backup --verify): point-in-time recovery starts from a base backup of PostgreSQL \(upgrade.newMajor)

                """)
        }
    }

    struct Migrate: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Apply pending migrations from sql/ (built in).")
        @OptionGroup var database: DatabaseOptions

        func run() throws {
            let session = try database.session(requireCurrentSchema: false)
            defer { session.close() }
            let applied = try Migrator().migrate(session)
            if applied.isEmpty {
                say("schema is up to date (\(Migrator().migrations.count) migrations)\n")
            } else {
                for name in applied { say("applied \(name)\n") }
            }
        }
    }

    struct Start: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Start the embedded cluster (created on first use).")
        @OptionGroup var database: DatabaseOptions

        func run() throws {
            guard case .embedded(let cluster) = database.target else {
                throw ParkError.invalid("db start manages the embedded cluster; parkctl is set to use \(database.target.displayName)")
            }
            let started = try cluster.ensureRunning()
            try database.session().close()
            say((started ? "started the embedded cluster at \(cluster.root)" : "the embedded cluster at \(cluster.root) is already running") + "\n")
        }
    }

    struct Stop: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Stop the embedded cluster.")
        @OptionGroup var database: DatabaseOptions

        func run() throws {
            guard case .embedded(let cluster) = database.target else {
                throw ParkError.invalid("db stop manages the embedded cluster; parkctl is set to use \(database.target.displayName)")
            }
            let wasRunning = cluster.isRunning
            try cluster.stop()
            say((wasRunning ? "stopped the embedded cluster at \(cluster.root)" : "the embedded cluster at \(cluster.root) was not running") + "\n")
        }
    }

    struct Check: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Check that every GiST index holds every row of its table, that no two leases overlap, and that no page is damaged.",
            discussion: """
                One read-only snapshot, no lock that stops the parks' work. Then the pages: their checksums, and amcheck's \
                reading of every btree index and table (as a superuser). Exit 0 when all is well, 65 otherwise. \
                --repair rebuilds an incomplete index (REINDEX CONCURRENTLY); overlapping leases are listed with \
                what to do, since which lease is wrong is for you to say.
                """)
        @OptionGroup var database: DatabaseOptions
        @Flag(help: "Rebuild incomplete indexes (needs the database owner).") var repair = false

        func run() throws {
            let session = try database.session(repairing: true)
            defer { session.close() }
            // Pages first: the checks of the rules read the same pages, and a damaged one
            // would stop them with an error instead of a report.
            let pages = try PageCheck(session).run()
            guard pages.isClean else {
                say(Self.describe(pages))
                throw ParkError.invalid("""
                    the database's pages are damaged (the disk or memory under it is failing): copy the cluster folder aside as it is, \
                    then restore the newest backup that verifies (parkctl db restore BACKUP --replace)
                    """)
            }
            let check = IntegrityCheck(session)
            var report = try check.run()
            if repair, !report.isClean {
                for index in try check.repair(report) { say("rebuilt \(index.hasPrefix("lease units") ? index : "index " + index)\n") }
                report = try check.run()
            }
            say(Self.describe(report) + Self.describe(pages))
            if report.isClean && !report.isChecked {
                throw ParkError.unavailable("""
                    an index could not be read yet: it was built after a transaction that is still open; \
                    run `parkctl db check` again in a moment
                    """)
            }
            guard report.isClean else {
                throw ParkError.invalid(report.overlaps.isEmpty
                    ? "the database is not consistent; run `parkctl db check --repair` as the database owner"
                    : "the database is not consistent: leases overlap; cancel or terminate one lease of each pair "
                        + "(parkctl lease cancel|terminate NUMBER), then `parkctl db check --repair` and `parkctl db migrate`")
            }
        }

        static func describe(_ pages: PageCheck.Report) -> String {
            var out = "pages: data checksums \(pages.dataChecksums ? "on" : "off (the cluster was made without them)"), "
                + "\(pages.checksumFailures) checksum failure\(pages.checksumFailures == 1 ? "" : "s") recorded\n"
            if let skipped = pages.skipped { return out + "amcheck: skipped: \(skipped)\n" }
            out += "amcheck: \(pages.indexesChecked) btree indexes and \(pages.tablesChecked) tables read"
            if pages.findings.isEmpty { return out + ", no damage found\n" }
            out += "; damage found:\n"
            for finding in pages.findings { out += "  \(finding.relation): \(finding.detail)\n" }
            return out
        }

        static func describe(_ report: IntegrityCheck.Report) -> String {
            var out = ""
            for index in report.indexes {
                out += "index \(index.index) (\(index.table)): "
                if !index.checked {
                    out += "not readable yet (newer than a transaction still open); not checked\n"
                } else if index.isComplete {
                    out += "\(index.throughIndex) rows through the index, \(index.inTable) in the table: complete\n"
                } else {
                    let missing = index.inTable - index.throughIndex
                    out += "\(index.throughIndex) rows through the index, \(index.inTable) in the table: "
                        + (missing > 0 ? "\(missing) MISSING (rules that use it cannot see them)\n" : "\(-missing) more than the table\n")
                }
            }
            if !report.outOfStep.isEmpty {
                out += "lease units: \(report.outOfStep.count) disagree with their lease:\n"
                for o in report.outOfStep {
                    out += "  \(o.lease) \(o.unit): holds \(o.storedDays.map(\.description) ?? "no days")\(o.storedCancelled ? " (cancelled)" : ""), "
                        + "the lease says \(o.leaseDays.map(\.description) ?? "no days") (\(o.leaseStatus))\n"
                }
            }
            for gap in report.gaps {
                out += "lease \(gap.lease) holds no unit from \(gap.days.first) to \(gap.days.last): add a unit from that day, "
                    + "or end the lease (parkctl lease amend|terminate)\n"
            }
            if report.overlaps.isEmpty {
                out += "leases: no two hold the same unit on the same day\n"
            } else {
                out += "leases: \(report.overlaps.count) pair\(report.overlaps.count == 1 ? "" : "s") hold the same unit on the same days:\n"
                for o in report.overlaps {
                    out += "  \(o.unit): \(o.first) (\(o.firstDays)) and \(o.second) (\(o.secondDays))\n"
                }
            }
            return out
        }
    }
}
