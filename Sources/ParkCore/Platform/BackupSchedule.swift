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

        /// cron's five fields, in the machine's time zone (cron has no other): at half
        /// past the hour, or at 02:30 the parks' time (Asia/Shanghai, when the parks
        /// sleep), or at 02:30 on Sundays, the parks' time.
        func cron(machine: TimeZone = .current) -> String {
            let parks = TimeZone(identifier: "Asia/Shanghai")!
            // 02:30 the parks' time, as the machine's clock reads it today.
            let shift = (machine.secondsFromGMT() - parks.secondsFromGMT()) / 60
            let minutes = ((2 * 60 + 30 + shift) % 1440 + 1440) % 1440
            let dayShift = (2 * 60 + 30 + shift) < 0 ? -1 : (2 * 60 + 30 + shift) >= 1440 ? 1 : 0
            switch self {
            case .hourly: return "\((30 + shift % 60 + 60) % 60) * * * *"
            case .daily: return "\(minutes % 60) \(minutes / 60) * * *"
            case .weekly: return "\(minutes % 60) \(minutes / 60) * * \((7 + dayShift) % 7)"
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
        // Root's runs log where only root writes: the embedded cluster's folder belongs to
        // the postgres user, who could put a link to any file in the log's place.
        logFile = geteuid() == 0 ? "/var/log/parkctl-backup.log" : (folder as NSString).appendingPathComponent("backup.log")
    }

    /// A word for a shell, quoted when it needs to be.
    static func shellWord(_ word: String) -> String {
        word.allSatisfy { $0.isLetter || $0.isNumber || "/._-=:@+,".contains($0) } && !word.isEmpty
            ? word : "'" + word.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }

    public var cronTime: String { frequency.cron() }

    public var cronLine: String {
        let env = environment.map { "\($0.0)=\(Self.shellWord($0.1))" }.joined(separator: " ")
        // umask 077: the log, like the backups, is its owner's alone.
        return "\(cronTime) umask 077; \(env) \(command.map(Self.shellWord).joined(separator: " ")) >> \(Self.shellWord(logFile)) 2>&1"
    }

    public var systemdService: String {
        """
        [Unit]
        Description=parkctl backup of \(marker.dropFirst("# parkctl backup: ".count))

        [Service]
        Type=oneshot
        \(environment.map { "Environment=\($0.0)=\($0.1)" }.joined(separator: "\n"))
        ExecStart=\(command.map(Self.shellWord).joined(separator: " "))
        UMask=0077
        StandardOutput=append:\(logFile)
        StandardError=append:\(logFile)

        """
    }

    public var systemdTimer: String {
        """
        [Unit]
        Description=parkctl backup, \(frequency.rawValue)

        [Timer]
        OnCalendar=\(frequency.systemd) Asia/Shanghai
        Persistent=true

        [Install]
        WantedBy=timers.target

        """
    }

    /// Whether a cron daemon runs on this machine (an entry in a crontab nobody reads
    /// never runs).
    public static var cronRunning: Bool {
        let pids = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        return pids.contains { pid in
            guard pid.allSatisfy(\.isNumber), let comm = try? String(contentsOfFile: "/proc/\(pid)/comm", encoding: .utf8) else { return false }
            return ["cron", "crond"].contains(comm.trimmingCharacters(in: .whitespacesAndNewlines))
        }
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
