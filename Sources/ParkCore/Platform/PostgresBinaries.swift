import Foundation

/// Where the PostgreSQL server programs (initdb, pg_ctl, postgres) live.
public struct PostgresBinaries: Sendable {
    public let directory: String

    public var initdb: String { directory + "/initdb" }
    public var pgCtl: String { directory + "/pg_ctl" }

    static let required = ["initdb", "pg_ctl", "postgres"]

    public init(directory: String) { self.directory = directory }

    /// The major version these programs are ("15"), as `postgres --version` says.
    public func majorVersion() throws -> String {
        let out = try ProcessRunner.run(directory + "/postgres", ["--version"], environment: ProcessRunner.serverEnvironment)
        // "postgres (PostgreSQL) 15.18 (Debian 15.18-0+deb12u1)"
        guard out.status == 0, let word = out.stdout.split(separator: " ").first(where: { $0.first?.isNumber == true }),
              let major = word.split(separator: ".").first else {
            throw ParkError.unavailable("cannot tell the version of \(directory)/postgres: \(out.output)")
        }
        return String(major)
    }

    /// The major versions installed under /usr/lib/postgresql, newest first.
    public static func installedMajors() -> [Int] {
        ((try? FileManager.default.contentsOfDirectory(atPath: "/usr/lib/postgresql")) ?? []).compactMap(Int.init)
            .filter { v in required.allSatisfy { FileManager.default.isExecutableFile(atPath: "/usr/lib/postgresql/\(v)/bin/\($0)") } }
            .sorted(by: >)
    }

    /// Finds the server programs: `PARKCTL_PG_BINDIR`, then `PATH`, then
    /// `pg_config --bindir`, then the newest `/usr/lib/postgresql/*/bin`. When a
    /// cluster exists, the programs of its major version are preferred.
    public static func locate(forMajorVersion major: String? = nil,
                              environment: [String: String] = ProcessInfo.processInfo.environment) throws -> PostgresBinaries {
        var candidates: [String] = []
        if let dir = environment["PARKCTL_PG_BINDIR"], !dir.isEmpty { candidates.append(dir) }
        if let major { candidates.append("/usr/lib/postgresql/\(major)/bin") }
        candidates += (environment["PATH"] ?? "").split(separator: ":").map(String.init)
        if let bindir = pgConfigBindir(environment: environment) { candidates.append(bindir) }
        let versions = ((try? FileManager.default.contentsOfDirectory(atPath: "/usr/lib/postgresql")) ?? [])
            .compactMap { Int($0) }.sorted(by: >)
        candidates += versions.map { "/usr/lib/postgresql/\($0)/bin" }
        candidates += ["/usr/local/pgsql/bin", "/opt/homebrew/bin", "/usr/local/bin"]
        for dir in candidates where required.allSatisfy({ FileManager.default.isExecutableFile(atPath: dir + "/" + $0) }) {
            return PostgresBinaries(directory: dir)
        }
        throw ParkError.unavailable("""
            PostgreSQL server programs (initdb, pg_ctl, postgres) were not found, so parkctl cannot \
            start its embedded database. Install them (Debian/Ubuntu: apt-get install postgresql; \
            macOS: brew install postgresql@15), or set PARKCTL_PG_BINDIR to their folder, or set \
            PARKCTL_DATABASE_URL (or --database-url) to use an existing server.
            """)
    }

    private static func pgConfigBindir(environment: [String: String]) -> String? {
        let dirs = (environment["PATH"] ?? "").split(separator: ":").map(String.init) + ["/usr/bin"]
        guard let pgConfig = dirs.map({ $0 + "/pg_config" }).first(where: FileManager.default.isExecutableFile(atPath:)) else {
            return nil
        }
        guard let output = try? ProcessRunner.run(pgConfig, ["--bindir"]), output.status == 0 else { return nil }
        let dir = output.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        return dir.isEmpty ? nil : dir
    }
}
