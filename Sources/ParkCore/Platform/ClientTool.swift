import Foundation
import Postgres

/// A PostgreSQL client program (pg_dump, pg_restore, pg_basebackup) run for the
/// database `conninfo` names: of the server's major version (pg_dump reads no newer
/// server than its own), with the user's PG* settings, and the password (if the
/// conninfo has one) in its environment, never on its command line where `ps` shows it.
struct ClientTool {
    let conninfo: String
    let serverMajor: Int

    func run(_ name: String, _ arguments: [String]) throws -> ProcessRunner.Output {
        let environment = ProcessInfo.processInfo.environment
        var dirs = [environment["PARKCTL_PG_BINDIR"], "/usr/lib/postgresql/\(serverMajor)/bin"].compactMap { $0 }
        if let located = try? PostgresBinaries.locate() {
            dirs += [located.directory, (URL(fileURLWithPath: located.initdb).resolvingSymlinksInPath().path as NSString).deletingLastPathComponent]
        }
        dirs += (environment["PATH"] ?? "").split(separator: ":").map(String.init)
        guard let path = dirs.map({ $0 + "/" + name }).first(where: FileManager.default.isExecutableFile(atPath:)) else {
            throw ParkError.unavailable("\(name) was not found (Debian/Ubuntu: apt-get install postgresql-client-\(serverMajor)); "
                                        + "or set PARKCTL_PG_BINDIR to the folder of PostgreSQL \(serverMajor)'s programs")
        }
        // The PG* settings libpq honours for parkctl (sslmode, root certificate, service
        // and password files) reach the tools too.
        var env = ProcessRunner.serverEnvironment
        for (key, value) in environment where key.hasPrefix("PG") || key == "HOME" { env[key] = value }
        if let password = try ConnectionString.parse(conninfo).last(where: { $0.keyword == "password" })?.value {
            env["PGPASSWORD"] = password
        }
        return try ProcessRunner.run(path, arguments, environment: env)
    }

    /// The conninfo to give a tool on its command line: without the password.
    static func withoutPassword(_ conninfo: String) -> String {
        (try? ConnectionString.replacing([:], removing: ["password"], in: conninfo)) ?? conninfo
    }

    static func serverMajor(_ conn: Connection) throws -> Int {
        try conn.query("SELECT current_setting('server_version_num')::int / 10000").rows[0].decode(0)
    }
}
