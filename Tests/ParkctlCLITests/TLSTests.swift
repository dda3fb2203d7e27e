import Foundation
import ParkCore
import Postgres
import Testing
import TestSupport
#if canImport(Glibc)
import Glibc
#endif

/// TLS to a server: `sslmode=verify-full` with a CA of our own, through the Swift
/// layer and through the parkctl binary. Each test starts a private server that
/// listens on 127.0.0.1 only, with TLS on and a pg_hba that accepts TCP only over
/// TLS (`hostssl`), with a CA and a server certificate (localhost, 127.0.0.1) made
/// by the `openssl` command line.
@Suite(.serialized, .timeLimit(.minutes(10))) struct TLSTests {
    @Test func verifyFullConnectsOverTLSAndRefusesWrongCertificates() throws {
        let server = try TLSServer()
        defer { server.destroy() }

        let conn = try Connection(server.conninfo(rootCert: server.caCert))
        defer { conn.close() }
        let row = try #require(try conn.query("SELECT ssl, version FROM pg_stat_ssl WHERE pid = pg_backend_pid()").rows.first)
        #expect(try row.decode(0, as: Bool.self))
        #expect(try row.decode(1, as: String?.self)?.hasPrefix("TLS") == true)
        // The certificate names the address too.
        let byAddress = try Connection(server.conninfo(host: "127.0.0.1", rootCert: server.caCert))
        #expect(try byAddress.query("SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()").rows[0].decode(0, as: Bool.self))
        byAddress.close()

        // A server certificate that our CA did not sign.
        let otherCA = #expect(throws: PostgresError.self) {
            _ = try Connection(server.conninfo(rootCert: server.otherCACert))
        }
        #expect(otherCA?.kind == .connectionFailed)
        #expect(otherCA?.message.contains("certificate verify failed") == true, "\(otherCA?.message ?? "")")

        // The right CA, but the server is reached under a name its certificate does not have.
        let wrongName = #expect(throws: PostgresError.self) {
            _ = try Connection(server.conninfo(host: "wrong-name.invalid", hostaddr: "127.0.0.1", rootCert: server.caCert))
        }
        #expect(wrongName?.kind == .connectionFailed)
        #expect(wrongName?.message.contains("does not match host name \"wrong-name.invalid\"") == true, "\(wrongName?.message ?? "")")

        // Without TLS the server lets no one in (hostssl only).
        let plain = #expect(throws: PostgresError.self) {
            _ = try Connection(server.conninfo(sslmode: "disable"))
        }
        #expect(plain?.kind == .connectionFailed)
        #expect(plain?.message.contains("no pg_hba.conf entry") == true, "\(plain?.message ?? "")")
    }

    /// The parkctl binary on a server through `--database-url` with verify-full (the
    /// URL form the README shows): migrate, status, a change and a listing. Since the
    /// server takes TCP only over TLS, every one of these sessions was encrypted.
    @Test func parkctlOverVerifyFull() throws {
        let server = try TLSServer()
        defer { server.destroy() }
        let admin = try Connection(server.conninfo(rootCert: server.caCert))
        try admin.simpleQuery("CREATE DATABASE parkctl_tls")
        admin.close()

        func parkctl(_ args: [String], url: String) throws -> ProcessRunner.Output {
            try Parkctl.run(args + ["--database-url", url], environment: ["PARKCTL_ACTOR": "tls-tester"])
        }
        let root = server.caCert.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed)!
        let url = "postgresql://\(LocalCluster.superuser)@localhost:\(server.port)/parkctl_tls?sslmode=verify-full&sslrootcert=\(root)"

        let migrate = try parkctl(["db", "migrate"], url: url)
        #expect(migrate.status == 0, "\(migrate.output)")
        #expect(migrate.stdout.contains("applied 0001_foundation"), "\(migrate.stdout)")
        let status = try parkctl(["db", "status"], url: url)
        #expect(status.status == 0, "\(status.output)")
        #expect(status.stdout.contains("localhost:\(server.port)") && status.stdout.contains(", 0 pending"), "\(status.stdout)")
        let add = try parkctl(["park", "add", "--code", "SW", "--name", "湘南湘西软件产业园", "--kind", "software"], url: url)
        #expect(add.status == 0, "\(add.output)")
        let list = try parkctl(["park", "list", "--format", "csv"], url: url)
        #expect(list.status == 0 && list.stdout.contains("SW,湘南湘西软件产业园,software"), "\(list.output)")
        // The keyword form, by address, works as well.
        let byAddress = try parkctl(["park", "show", "SW", "--format", "json"],
                                    url: server.conninfo(database: "parkctl_tls", host: "127.0.0.1", rootCert: server.caCert))
        #expect(byAddress.status == 0 && byAddress.stdout.contains("\"code\": \"SW\""), "\(byAddress.output)")

        // A certificate that does not verify: the database is unavailable (69), and says why.
        let otherRoot = server.otherCACert.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed)!
        let refused = try parkctl(["park", "list"],
                                  url: "postgresql://\(LocalCluster.superuser)@localhost:\(server.port)/parkctl_tls?sslmode=verify-full&sslrootcert=\(otherRoot)")
        #expect(refused.status == 69, "\(refused.output)")
        #expect(refused.stderr.contains("cannot connect to PostgreSQL") && refused.stderr.contains("certificate verify failed"),
                "\(refused.stderr)")
        let wrongName = try parkctl(["park", "list"],
                                    url: server.conninfo(database: "parkctl_tls", host: "wrong-name.invalid", hostaddr: "127.0.0.1",
                                                         rootCert: server.caCert))
        #expect(wrongName.status == 69 && wrongName.stderr.contains("does not match host name"), "\(wrongName.output)")
    }
}

/// A throw-away PostgreSQL server with TLS, on 127.0.0.1 and a free port, in a
/// folder under /tmp; run as `postgres` when we are root. ``destroy()`` stops it
/// and removes the folder.
final class TLSServer {
    let directory: String
    private(set) var port: Int
    let binaries: PostgresBinaries
    var dataDirectory: String { directory + "/data" }
    var logFile: String { directory + "/server.log" }
    var caCert: String { directory + "/ca.crt" }
    var otherCACert: String { directory + "/other-ca.crt" }
    private var started = false

    init() throws {
        var template = Array("/tmp/parkctl-tls-XXXXXX".utf8CString)
        guard mkdtemp(&template) != nil else { throw SpawnError("mkdtemp: \(String(cString: strerror(errno)))") }
        directory = template.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
        chmod(directory, 0o755)
        binaries = try PostgresBinaries.locate()
        port = try Self.freePort()
        do {
            try makeCertificates()
            try initialize()
            // A port found free may be taken by another process before the server binds
            // it (freePort lets it go): then another port, a few times.
            var attempts = 1
            while true {
                do {
                    try start()
                    break
                } catch let error as SpawnError where attempts < 5 && error.description.contains("Address already in use") {
                    attempts += 1
                    port = try Self.freePort()
                }
            }
        } catch {
            destroy()
            throw error
        }
    }

    /// conninfo for this server: verify-full against `rootCert` unless `sslmode` says otherwise.
    func conninfo(database: String = "postgres", host: String = "localhost", hostaddr: String? = nil,
                  rootCert: String? = nil, sslmode: String = "verify-full") -> String {
        var parts = ["host=\(host)", "port=\(port)", "user=\(LocalCluster.superuser)", "dbname=\(database)", "sslmode=\(sslmode)",
                     "connect_timeout=10"]
        if let hostaddr { parts.append("hostaddr=\(hostaddr)") }
        if let rootCert { parts.append("sslrootcert=\(ConnectionString.quote(rootCert))") }
        return parts.joined(separator: " ")
    }

    func destroy() {
        if started || FileManager.default.fileExists(atPath: dataDirectory + "/postmaster.pid") {
            _ = try? ProcessRunner.run(binaries.pgCtl, ["-D", dataDirectory, "-m", "fast", "-w", "-t", "60", "stop"],
                                       asUser: PrivateCluster.serverUser, environment: PrivateCluster.serverEnvironment, timeout: 600)
            started = false
        }
        try? FileManager.default.removeItem(atPath: directory)
    }

    // MARK: Set-up

    private func openssl(_ arguments: [String]) throws {
        let dirs = (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":").map(String.init) + ["/usr/bin"]
        guard let tool = dirs.map({ $0 + "/openssl" }).first(where: FileManager.default.isExecutableFile(atPath:)) else {
            throw SpawnError("the openssl command is needed for the TLS tests (apt-get install openssl)")
        }
        let out = try ProcessRunner.run(tool, arguments, timeout: 600)
        guard out.status == 0 else { throw SpawnError("openssl \(arguments.joined(separator: " ")):\n\(out.output)") }
    }

    private func makeCertificates() throws {
        for name in ["ca", "other-ca"] {
            try openssl(["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-sha256", "-days", "2",
                         "-subj", "/CN=parkctl test \(name)", "-keyout", "\(directory)/\(name).key", "-out", "\(directory)/\(name).crt",
                         "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign"])
        }
        try openssl(["req", "-new", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=localhost",
                     "-keyout", "\(directory)/server.key", "-out", "\(directory)/server.csr"])
        try """
            basicConstraints = CA:FALSE
            keyUsage = critical, digitalSignature, keyEncipherment
            extendedKeyUsage = serverAuth
            subjectAltName = DNS:localhost, IP:127.0.0.1

            """.write(toFile: "\(directory)/server.ext", atomically: true, encoding: .utf8)
        try openssl(["x509", "-req", "-in", "\(directory)/server.csr", "-CA", caCert, "-CAkey", "\(directory)/ca.key",
                     "-set_serial", "4097", "-days", "2", "-sha256", "-extfile", "\(directory)/server.ext",
                     "-out", "\(directory)/server.crt"])
    }

    private func initialize() throws {
        try FileManager.default.createDirectory(atPath: dataDirectory, withIntermediateDirectories: false,
                                                attributes: [.posixPermissions: 0o700])
        try giveToServerUser(dataDirectory)
        let out = try ProcessRunner.run(binaries.initdb, ["-D", dataDirectory, "-U", LocalCluster.superuser, "--auth-local=trust",
                                                          "--auth-host=reject", "--no-sync", "--encoding=UTF8", "--locale=C"],
                                        asUser: PrivateCluster.serverUser, environment: PrivateCluster.serverEnvironment, timeout: 600)
        guard out.status == 0 else { throw SpawnError("initdb:\n\(out.output)") }
        // The key: mode 0600, owned by the user that runs the server (PostgreSQL checks).
        for file in ["server.crt", "server.key"] {
            let target = dataDirectory + "/" + file
            try FileManager.default.copyItem(atPath: directory + "/" + file, toPath: target)
            chmod(target, 0o600)
            try giveToServerUser(target)
        }
        let conf = dataDirectory + "/postgresql.conf"
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: conf))
        handle.seekToEndOfFile()
        handle.write(Data("""

            # TLS test server: TCP on loopback only, TLS on.
            listen_addresses = '127.0.0.1'
            port = \(port)
            unix_socket_directories = ''
            ssl = on
            ssl_cert_file = 'server.crt'
            ssl_key_file = 'server.key'
            max_connections = 30
            fsync = off
            timezone = 'Asia/Shanghai'

            """.utf8))
        handle.closeFile()
        // TCP only, and only over TLS: a plain connection finds no line.
        try """
            hostssl all all 127.0.0.1/32 trust
            hostssl all all ::1/128 trust

            """.write(toFile: dataDirectory + "/pg_hba.conf", atomically: false, encoding: .utf8)
        _ = FileManager.default.createFile(atPath: logFile, contents: nil, attributes: [.posixPermissions: 0o600])
        try giveToServerUser(logFile)
    }

    private func start() throws {
        started = true
        let out = try ProcessRunner.run(binaries.pgCtl, ["-D", dataDirectory, "-l", logFile, "-w", "-t", "60", "-o", "-p \(port)", "start"],
                                        asUser: PrivateCluster.serverUser, environment: PrivateCluster.serverEnvironment, timeout: 600)
        guard out.status == 0 else {
            let log = (try? String(contentsOfFile: logFile, encoding: .utf8)) ?? ""
            throw SpawnError("pg_ctl start:\n\(out.output)\n\(log)")
        }
    }

    private func giveToServerUser(_ path: String) throws {
        guard let user = PrivateCluster.serverUser else { return }
        guard let pw = getpwnam(user) else { throw SpawnError("no \(user) user to run PostgreSQL as") }
        guard chown(path, pw.pointee.pw_uid, pw.pointee.pw_gid) == 0 else {
            throw SpawnError("chown \(path): \(String(cString: strerror(errno)))")
        }
    }

    /// A TCP port on 127.0.0.1 that nothing listens on now.
    static func freePort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw SpawnError("socket: \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let ok = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { sa in
                bind(fd, sa, length) == 0 && getsockname(fd, sa, &length) == 0
            }
        }
        guard ok else { throw SpawnError("bind: \(String(cString: strerror(errno)))") }
        return Int(UInt16(bigEndian: address.sin_port))
    }
}
