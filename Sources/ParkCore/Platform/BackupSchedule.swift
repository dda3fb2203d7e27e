import Foundation
import Postgres

/// `parkctl db backup --schedule`: the same backup, run by the system's scheduler. It
/// is written as a cron entry (installed with `--install` through `crontab`, replacing
/// an earlier entry for the same database) and, for machines run by systemd, as a
/// service and timer pair to copy into /etc/systemd/system.
///
/// The entry reaches the database as this command did: the embedded cluster through
/// `PARKCTL_HOME`, a server through its URL without the password (the scheduled run
/// takes it from ~/.pgpass, never from the crontab, which other tools print).
public struct BackupSchedule {
    public enum Frequency: String, CaseIterable, Sendable {
        case hourly, daily, weekly

        /// cron's five fields: at half past, at 02:30 (the server's time, when the
        /// parks sleep), or at 02:30 on Sundays.
        var cron: String {
            switch self {
            case .hourly: "30 * * * *"
            case .daily: "30 2 * * *"
            case .weekly: "30 2 * * 0"
            }
        }

        var systemd: String {
            switch self {
            case .hourly: "*-*-* *:30:00"
            case .daily: "*-*-* 02:30:00"
            case .weekly: "Sun *-*-* 02:30:00"
            }
        }
    }

    public let frequency: Frequency
    /// The environment the run needs (PARKCTL_HOME or PARKCTL_DATABASE_URL).
    public let environment: [(String, String)]
    /// parkctl and its arguments.
    public let command: [String]
    /// Where the runs write what they say.
    public let logFile: String
    /// Names the entry, so that installing it again replaces it.
    public let marker: String

    public init(frequency: Frequency, target: DatabaseTarget, parkctl: String, folder: String, verify: Bool, keep: Int?) throws {
        self.frequency = frequency
        switch target {
        case .embedded(let cluster):
            environment = [("PARKCTL_HOME", cluster.root)]
            marker = "# parkctl backup: \(cluster.root)"
        case .server(let conninfo):
            let url = ClientTool.withoutPassword(conninfo)
            environment = [("PARKCTL_DATABASE_URL", url)]
            marker = "# parkctl backup: \(ConnectionString.redacted(conninfo))"
        }
        for (name, value) in environment + [("", parkctl), ("", folder)] where value.contains("\n") || value.contains("%") {
            // cron ends an entry at a line break and turns % into one.
            throw ParkError.invalid("\(name.isEmpty ? value : name) holds a line break or a %, which a cron entry cannot carry: "
                                    + "schedule the backup by hand (see the README's Backups section)")
        }
        command = [parkctl, "db", "backup", "--to", folder] + (verify ? ["--verify"] : []) + (keep.map { ["--keep", "\($0)d"] } ?? [])
        logFile = (folder as NSString).appendingPathComponent("backup.log")
    }

    /// A word for a shell, quoted when it needs to be.
    static func shellWord(_ word: String) -> String {
        word.allSatisfy { $0.isLetter || $0.isNumber || "/._-=:@+,".contains($0) } && !word.isEmpty
            ? word : "'" + word.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }

    public var cronLine: String {
        let env = environment.map { "\($0.0)=\(Self.shellWord($0.1))" }.joined(separator: " ")
        return "\(frequency.cron) \(env) \(command.map(Self.shellWord).joined(separator: " ")) >> \(Self.shellWord(logFile)) 2>&1"
    }

    public var systemdService: String {
        """
        [Unit]
        Description=parkctl backup of \(marker.dropFirst("# parkctl backup: ".count))

        [Service]
        Type=oneshot
        \(environment.map { "Environment=\($0.0)=\($0.1)" }.joined(separator: "\n"))
        ExecStart=\(command.map(Self.shellWord).joined(separator: " "))
        StandardOutput=append:\(logFile)
        StandardError=append:\(logFile)

        """
    }

    public var systemdTimer: String {
        """
        [Unit]
        Description=parkctl backup, \(frequency.rawValue)

        [Timer]
        OnCalendar=\(frequency.systemd)
        Persistent=true

        [Install]
        WantedBy=timers.target

        """
    }

    /// Puts the entry in the user's crontab (replacing an earlier one for the same
    /// database) and returns the crontab as installed.
    @discardableResult
    public func install(crontab: String = "crontab") throws -> String {
        let path = ([ProcessInfo.processInfo.environment["PATH"] ?? ""] + ["/usr/bin:/bin"]).joined(separator: ":")
            .split(separator: ":").map { "\($0)/\(crontab)" }.first(where: FileManager.default.isExecutableFile(atPath:))
        guard let path else {
            throw ParkError.unavailable("crontab was not found, so the schedule cannot be installed: install cron (Debian/Ubuntu: apt-get install cron), "
                                        + "or put the systemd timer printed by `parkctl db backup --schedule \(frequency.rawValue)` in place")
        }
        let current = try ProcessRunner.run(path, ["-l"])
        // "no crontab for root" is an empty crontab.
        let existing = current.status == 0 ? current.stdout : ""
        var lines = existing.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        if lines.last == "" { lines.removeLast() }
        if let at = lines.firstIndex(of: marker) {
            lines.removeSubrange(at..<min(at + 2, lines.count))
        }
        lines += [marker, cronLine]
        let installed = lines.joined(separator: "\n") + "\n"
        let out = try ProcessRunner.run(path, ["-"], input: Array(installed.utf8))
        guard out.status == 0 else { throw ParkError.unavailable("crontab refused the entry: \(out.stderr)") }
        return installed
    }
}
