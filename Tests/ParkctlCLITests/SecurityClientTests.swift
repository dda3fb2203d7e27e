import Foundation
import ParkCore
import Postgres
import Testing
import TestSupport
#if canImport(Glibc)
import Glibc
#endif

/// Attacks on the client side of issue 12 (what parkctl itself does on the machine it
/// runs on): planted symbolic links around PARKCTL_HOME and PARKCTL_TRACE, the embedded
/// server's environment, passwords in what parkctl prints or sends, huge inputs, CSV
/// formulas and terminal escapes. Each test is an attack that worked before the fix
/// (c82e58b) and is refused now; the comment says what happened before.
@Suite(.timeLimit(.minutes(10))) struct SecurityClientTests {
    // MARK: - PARKCTL_HOME

    /// Attack: as root, PARKCTL_HOME inside a folder that anyone may write (0777, no
    /// sticky bit), where another user planted a symbolic link: as the home itself
    /// (`home` -> a root folder), or as its socket folder (`home/run` -> a root folder).
    /// Before: parkctl followed the link and gave the root folder to postgres, mode 0700
    /// (and set a cluster up in it). Now: exit 69, "not safe", the folder untouched.
    @Test func aHomeInAFolderOthersCanWriteIsRefusedAndNoLinkIsFollowed() throws {
        for layout in ["home is a link", "home/run is a link"] {
            let shared = try Self.temporaryFolder("parkctl-open", mode: 0o777)
            let victim = try Self.temporaryFolder("parkctl-victim", mode: 0o755)
            let home = shared + "/home"
            defer {
                Self.stopStrayServer(dataDirectory: home + "/data")
                try? FileManager.default.removeItem(atPath: shared)
                try? FileManager.default.removeItem(atPath: victim)
            }
            let link: String
            if layout == "home is a link" {
                link = home
            } else {
                #expect(mkdir(home, 0o700) == 0)
                link = home + "/run"
            }
            #expect(symlink(victim, link) == 0)
            if geteuid() == 0 { _ = lchown(link, 65_534, 65_534) }   // planted by another user (nobody)
            let before = try #require(Self.ownerAndMode(victim))

            let out = try Parkctl.run(["db", "status"], environment: ["PARKCTL_HOME": home])
            #expect(out.status == 69, "\(layout): \(out.status) \(out.output)")
            #expect(out.stderr.contains("not safe"), "\(layout): \(out.stderr)")
            let after = try #require(Self.ownerAndMode(victim))
            #expect(after.uid == before.uid && after.mode == before.mode,
                    "\(layout): the link's target went from uid \(before.uid) mode \(String(before.mode, radix: 8)) to uid \(after.uid) mode \(String(after.mode, radix: 8))")
            #expect(try FileManager.default.contentsOfDirectory(atPath: victim).isEmpty, "\(layout): parkctl wrote into the link's target")
        }
    }

    /// Attack: a symbolic link planted as the cluster's `.lock` file (in a home that is
    /// otherwise fine), pointing at a file that does not exist yet.
    /// Before: parkctl (root) opened it with O_CREAT and so created the target, a root
    /// file wherever the link pointed. Now: the open refuses the link (O_NOFOLLOW).
    @Test func aLinkPlantedAsTheLockFileIsNotFollowed() throws {
        let cluster = try PrivateCluster(label: "lock")
        let lock = cluster.cluster.root + "/.lock"
        defer {
            unlink(lock)
            cluster.destroy()
        }
        #expect(mkdir(cluster.cluster.root, 0o700) == 0)
        let target = cluster.directory + "/created-through-the-link"
        #expect(symlink(target, lock) == 0)

        let out = try cluster.parkctl(["db", "status"])
        #expect(out.status == 69, "\(out.status) \(out.output)")
        #expect(out.stderr.contains(".lock"), "\(out.stderr)")
        var info = stat()
        #expect(lstat(target, &info) != 0, "parkctl created \(target) through the planted link")
    }

    // MARK: - The embedded server's environment

    /// Attack: root runs parkctl with secrets in its environment; the server it starts
    /// runs as postgres, who can read /proc/<pid>/environ of its own processes.
    /// Before: the postmaster inherited parkctl's whole environment (PGPASSWORD and the
    /// cloud key readable there). Now: a minimal environment.
    @Test func theEmbeddedServerDoesNotInheritSecrets() throws {
        let cluster = try PrivateCluster(label: "env")
        defer { cluster.destroy() }
        // Made beforehand (initdb without fsync, as the test server is), without the
        // secrets: the attack is the start of the server by parkctl.
        let setup = LocalCluster(root: cluster.cluster.root, durable: false)
        try setup.ensureRunning()
        try setup.stop()
        let secrets = ["PGPASSWORD": "pgpw-\(Self.token())", "AWS_SECRET_ACCESS_KEY": "aws-\(Self.token())"]
        let out = try Parkctl.run(["db", "start"], environment: cluster.environment.merging(secrets) { $1 })
        #expect(out.status == 0, "\(out.output)")
        let pidFile = try String(contentsOfFile: cluster.cluster.dataDirectory + "/postmaster.pid", encoding: .utf8)
        let pid = try #require(pidFile.split(separator: "\n").first.flatMap { Int32($0) })
        let environ = String(decoding: try Data(contentsOf: URL(fileURLWithPath: "/proc/\(pid)/environ")), as: UTF8.self)
        // (Bools, so that a failure does not print the environment.)
        let readable = environ.contains("PATH=")
        #expect(readable, "could not read /proc/\(pid)/environ")
        for (name, secret) in secrets {
            let leaked = environ.contains(secret)
            #expect(!leaked, "\(name) is readable in /proc/\(pid)/environ")
        }
    }

    // MARK: - Passwords in what parkctl prints

    /// Attack: passwords written in ways a text search misses: `password = X`,
    /// `password =X`, `pass%77ord=X` (URL-encoded key), `password=A\ B` (escaped space),
    /// and a live server named with `sslpassword = X`.
    /// Before: `db start` / `db stop` (which refuse a server and name it) and `db status`
    /// (which names the server it reached) printed those secrets, or half of them.
    @Test func passwordsInAnyConninfoSpellingAreNeverPrinted() throws {
        let s = (0..<5).map { _ in "Sx\(Self.token())" }
        let closed = "host=127.0.0.1 port=1 connect_timeout=2 user=ops dbname=parkctl"
        let cases: [(String, [String])] = [
            ("\(closed) password = \(s[0])", [s[0]]),
            ("\(closed) password =\(s[1])", [s[1]]),
            ("postgresql://ops@127.0.0.1:1/parkctl?connect_timeout=2&pass%77ord=\(s[2])", [s[2]]),
            ("\(closed) password=\(s[3])\\ \(s[4])", [s[3], s[4]]),
        ]
        for (url, secrets) in cases {
            for command in ["status", "start", "stop"] {
                let out = try Parkctl.run(["db", command, "--database-url", url])
                #expect(out.status == (command == "status" ? 69 : 65), "db \(command): \(out.output)")
                if command != "status" { #expect(out.stderr.contains("127.0.0.1"), "db \(command) should name the server: \(out.stderr)") }
                for secret in secrets {
                    #expect(!out.output.contains(secret), "db \(command) --database-url '\(url)' printed: \(out.output)")
                }
            }
        }
        // A server that answers: `db status` prints where it is.
        let cli = try CLI()
        let secret = "Sx\(Self.token())"
        let live = try Parkctl.run(["db", "status", "--database-url", cli.db.conninfo + " sslpassword = \(secret)"])
        #expect(live.status == 0, "\(live.output)")
        #expect(live.stdout.contains("database: server"), "\(live.stdout)")
        #expect(!live.output.contains(secret), "db status printed: \(live.output)")
    }

    // MARK: - PARKCTL_TRACE

    /// Attack: PARKCTL_TRACE names a symbolic link to another file (someone else's, or
    /// one the trace must not touch).
    /// Before: parkctl followed the link and appended every statement to the target.
    /// Now: the trace is not used, and stderr says so.
    @Test func aTraceThroughASymbolicLinkWritesNothing() throws {
        let cli = try CLI()
        let folder = try Self.temporaryFolder("parkctl-trace", mode: 0o700)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let target = folder + "/victim"
        try Data("keep me\n".utf8).write(to: URL(fileURLWithPath: target))
        chmod(target, 0o600)
        #expect(symlink(target, folder + "/trace.jsonl") == 0)

        let out = try cli.run(["park", "list"], environment: ["PARKCTL_TRACE": folder + "/trace.jsonl"])
        #expect(out.status == 0, "\(out.stderr)")
        #expect(try String(contentsOfFile: target, encoding: .utf8) == "keep me\n", "the trace was written through the link")
        #expect(out.stderr.contains("PARKCTL_TRACE") && out.stderr.contains("not used"), "\(out.stderr)")
    }

    /// Attack: an existing trace file that others may read and write (0666), left there
    /// for parkctl to fill with data.
    /// Before: parkctl appended to it and it stayed 0666. Now: it is not used.
    @Test func aTraceFileOpenToOthersIsNotUsed() throws {
        let cli = try CLI()
        let folder = try Self.temporaryFolder("parkctl-trace", mode: 0o700)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let trace = folder + "/trace.jsonl"
        #expect(FileManager.default.createFile(atPath: trace, contents: nil))
        chmod(trace, 0o666)

        let out = try cli.run(["park", "list"], environment: ["PARKCTL_TRACE": trace])
        #expect(out.status == 0, "\(out.stderr)")
        let size = (try FileManager.default.attributesOfItem(atPath: trace)[.size] as? NSNumber)?.intValue
        #expect(size == 0, "a trace open to others received \(size ?? -1) bytes")
        #expect(out.stderr.contains("PARKCTL_TRACE") && out.stderr.contains("not used"), "\(out.stderr)")
    }

    /// Attack: read the trace of `staff add`, which holds the SCRAM verifier: with it,
    /// one can run an offline guess against the password, and pose as the server.
    /// Before: the whole verifier (salt, StoredKey, ServerKey) was traced. Now: only
    /// `SCRAM-SHA-256$***`.
    @Test func theTraceOfStaffAddHoldsNoVerifier() throws {
        let cli = try CLI()
        let folder = try Self.temporaryFolder("parkctl-trace", mode: 0o700)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let trace = folder + "/trace.jsonl"
        let name = "tr_\(Self.token())"
        let out = try cli.run(["staff", "add", name, "--role", "viewer", "--all-parks", "--password-stdin"],
                              environment: ["PARKCTL_TRACE": trace], input: "horse-\(Self.token())-battery\n")
        #expect(out.status == 0, "\(out.stderr)")
        let traced = try String(contentsOfFile: trace, encoding: .utf8)
        #expect(traced.contains("parkctl_staff_add"))
        let verifiers = traced.components(separatedBy: "SCRAM-SHA-256$").count - 1
        let masked = traced.components(separatedBy: "SCRAM-SHA-256$***").count - 1
        #expect(verifiers > 0 && masked == verifiers, "the trace holds a verifier: \(traced.split(separator: "\n").filter { $0.contains("SCRAM") })")
    }

    // MARK: - Passwords sent to whoever answers

    /// Attack: a process on 127.0.0.1 poses as the server, and a member of staff works
    /// as themselves (`--user`) with the owner's URL, which holds the owner's password.
    /// Before: parkctl replaced the user but kept the URL's password, and sent the
    /// owner's password (in clear, on request) for the staff login. Now: the password
    /// goes with the user it was written for.
    @Test func userDropsTheURLsPassword() throws {
        let fake = try FakePostgresServer()
        defer { fake.stop() }
        let secret = "OWNER\(Self.token())"
        let url = "postgresql://owner:\(secret)@127.0.0.1:\(fake.port)/parkctl?sslmode=disable&connect_timeout=3"
        let out = try ProcessRunner.run(Parkctl.executable, ["park", "list", "--database-url", url, "--user", "some_staff"],
                                        environment: Self.cleanEnvironment(), timeout: 600)
        #expect(out.status == 69, "\(out.output)")
        #expect(fake.startups.contains { $0["user"] == "some_staff" }, "parkctl never reached the fake server: \(fake.startups) \(out.output)")
        #expect(!fake.passwords.contains(secret), "the owner's password was sent for some_staff")
        #expect(!out.output.contains(secret))
    }

    /// Attack (the same fake server): the default sslmode lets whoever answers on the
    /// address ask for the password in clear. Before: parkctl said nothing. Now: a
    /// warning for a TCP host with any sslmode but verify-full/verify-ca; none for a
    /// Unix socket, nor for verify-full.
    @Test func aTCPServerWithoutCertificateCheckIsWarnedAbout() throws {
        let fake = try FakePostgresServer()
        defer { fake.stop() }
        for mode in ["prefer", "disable", "require"] {
            let query = mode == "prefer" ? "" : "sslmode=\(mode)&"
            let url = "postgresql://owner@127.0.0.1:\(fake.port)/parkctl?\(query)connect_timeout=3"
            let out = try ProcessRunner.run(Parkctl.executable, ["park", "list", "--database-url", url],
                                            environment: Self.cleanEnvironment(), timeout: 600)
            #expect(out.status == 69, "\(mode): \(out.output)")
            #expect(out.stderr.contains("warning") && out.stderr.contains("sslmode=\(mode)") && out.stderr.contains("127.0.0.1"),
                    "sslmode=\(mode): \(out.stderr)")
        }
        #expect(fake.startups.count >= 2, "parkctl never reached the fake server: \(fake.startups)")
        #expect(fake.encryptionRequests >= 1)

        for url in ["host=/nonexistent-parkctl-\(Self.token()) port=5432 user=owner dbname=parkctl connect_timeout=2",
                    "postgresql://owner@127.0.0.1:\(fake.port)/parkctl?sslmode=verify-full&sslrootcert=/nonexistent-\(Self.token())&connect_timeout=3"] {
            let out = try ProcessRunner.run(Parkctl.executable, ["park", "list", "--database-url", url],
                                            environment: Self.cleanEnvironment(), timeout: 600)
            #expect(out.status == 69, "\(url): \(out.output)")
            #expect(!out.stderr.contains("warning"), "\(url): \(out.stderr)")
        }
    }

    // MARK: - Huge inputs

    /// Attack: a CSV whose one cell is 21 MB (the issue's 400 MB, scaled down).
    /// Before: parkctl held the whole cell (and its copies) in memory, and refused it
    /// only afterwards, with a rule about the name's length. Now: the reader stops
    /// keeping the cell at 1 MiB, and says which line and column.
    ///
    /// Memory: the file goes through a pipe, and the line is complete but the input
    /// not yet ended when parkctl's peak (VmHWM) is read, once after the header and
    /// once after the huge line: parkctl is alive and waiting for more input both times.
    @Test func aHugeCSVCellIsRefusedWithoutFillingMemory() throws {
        let cli = try CLI()
        try cli.portfolio()
        let before = try cli.db.connection.tableChecksums()
        let child = try SpawnedProcess.parkctl(["import", "tenants", "-", "--database-url", cli.db.conninfo])
        #expect(child.write("name,credit_code,industry,contact,phone,email,park,stage\n"))
        usleep(500_000)
        let baseline = try #require(Self.peakMemoryKiB(of: child.pid), "parkctl ended early: \(child.wait(seconds: 5).map(\.stderr) ?? "")")
        #expect(child.write(String(repeating: "厂", count: 7_000_000)))   // 21 MB
        #expect(child.write(",91350100M000100Y43,software,陈静,0591-87500103,,SW,applied\n"))
        usleep(500_000)
        let peak = try #require(Self.peakMemoryKiB(of: child.pid))
        child.closeInput()
        let out = try #require(child.wait(seconds: 60))
        // (Bools, so that a failure does not print megabytes.)
        let message = String(out.stderr.prefix(500))
        let namesLineAndColumn = out.stderr.contains("line 2, name"), namesTheCap = out.stderr.contains("1 MiB")
        #expect(out.status == 65, "\(message)")
        #expect(namesLineAndColumn, "\(message)")
        #expect(namesTheCap, "\(message)")
        #expect(out.stderr.utf8.count < 5_000, "the message echoed the cell: \(out.stderr.utf8.count) bytes")
        #expect(try cli.db.connection.tableChecksums() == before)
        // A reader that keeps at most 1 MiB of a cell grows by a few MiB at most, not by the cell's 21 MB.
        #expect(peak - baseline < 8 * 1024, "parkctl's peak memory grew by \((peak - baseline) / 1024) MiB reading the line (\(baseline / 1024) → \(peak / 1024) MiB)")
    }

    /// Attack: `staff add --password-stdin` fed 5 MB.
    /// Before: parkctl read all of it (the issue's 300 MB took 1.2 GB) before it said
    /// that a password has 8-200 characters. Now: it reads at most 1 KiB + 1, refuses
    /// (65, "more than 1024 bytes") and stops reading: the rest of the input is refused.
    @Test func aHugePasswordOnStandardInputIsRefusedUnread() throws {
        let cli = try CLI()
        let name = "pw_\(Self.token())"
        let child = try SpawnedProcess.parkctl(["staff", "add", name, "--role", "viewer", "--all-parks", "--password-stdin",
                                                "--database-url", cli.db.conninfo])
        let wroteAll = child.write([UInt8](repeating: UInt8(ascii: "a"), count: 5 << 20))
        child.closeInput()
        let done = try #require(child.wait(seconds: 60))
        #expect(done.status == 65, "\(done.stderr.prefix(500))")
        #expect(done.stderr.contains("1024 bytes"), "\(done.stderr.prefix(500))")
        #expect(!wroteAll, "parkctl read all 5 MB of its standard input")
        let roles: Int64 = try cli.db.connection.query("SELECT count(*) FROM pg_roles WHERE rolname = \(name)").rows[0].decode(0)
        #expect(roles == 0, "the login was made")
    }

    // MARK: - CSV formula injection

    /// Attack: tenant names and contacts that a spreadsheet runs as a formula when the
    /// export is opened (`=HYPERLINK(…)`, `@SUM(…)|cmd`, `+…`, `-…`, `'=…`).
    /// Before: `export tenants` and `tenant list --format csv` wrote them raw. Now: such
    /// cells begin with `'`, numbers stay plain, and import gives back the originals.
    @Test func csvCellsNeverStartAFormulaAndRoundTrip() throws {
        let cli = try CLI()
        try cli.portfolio()
        let hostile: [(name: String, contact: String)] = [
            ("=HYPERLINK(\"http://evil.example\",\"点我\")", "陈静"),
            ("@SUM(1+1)|cmd", "李明"),
            ("博思软件", "+86 王芳"),
            ("海康威视", "-2+3"),
            ("将邑智能", "'=1+1"),
            ("'@衡阳峰峰侠", "'普通"),
        ]
        var codes: [String] = []
        for (i, t) in hostile.enumerated() {
            let code = try #require(CreditCode.make("91430400MA4F00\(String(format: "%03d", i))"))
            codes.append(code)
            try cli.ok(["tenant", "apply", "--park", "SW", "--name=\(t.name)", "--credit-code", code, "--industry", "software",
                        "--contact=\(t.contact)", "--phone", "0734-1234567"])
        }
        let export = try cli.ok(["export", "tenants"])
        let listed = try cli.ok(["tenant", "list", "--format", "csv"])
        for (what, text) in [("export tenants", export), ("tenant list --format csv", listed)] {
            let rows = Self.parseCSV(text)
            #expect(rows.count == hostile.count + 1, "\(what): \(text)")
            for row in rows {
                for cell in row {
                    if let first = cell.unicodeScalars.first {
                        #expect(!"=+-@\t\r".unicodeScalars.contains(first), "\(what): a cell begins a formula: \(cell)")
                    }
                }
            }
        }
        // Numbers are not protected.
        let units = Self.parseCSV(try cli.ok(["unit", "list", "--format", "csv"]))
        #expect(units.dropFirst().contains { $0.contains("256.50") }, "\(units)")
        let exportedUnits = Self.parseCSV(try cli.ok(["export", "units"]))
        #expect(exportedUnits.dropFirst().contains { $0.contains("256.50") }, "\(exportedUnits)")

        // Round trip into an empty database: the same names and contacts, byte for byte.
        let copy = try CLI()
        let parks = try copy.run(["import", "parks", "-"], input: try cli.ok(["export", "parks"]))
        #expect(parks.status == 0, "\(parks.stderr)")
        let imported = try copy.run(["import", "tenants", "-"], input: export)
        #expect(imported.status == 0, "\(imported.stderr)")
        let back = try #require(try copy.json(["tenant", "list"]) as? [[String: Any]])
        for (i, t) in hostile.enumerated() {
            let row = back.first { $0["credit_code"] as? String == codes[i] }
            #expect(Array((row?["name"] as? String ?? "").utf8) == Array(t.name.utf8), "\(row ?? [:])")
            #expect(Array((row?["contact"] as? String ?? "").utf8) == Array(t.contact.utf8), "\(row ?? [:])")
        }
        #expect(try copy.ok(["export", "tenants"]) == export)
    }

    // MARK: - Terminal escapes

    /// Attack: names stored with escape sequences (OSC that retitles the window, ESC[2J
    /// that clears it), a C1 CSI (U+009B) and a bidi override (U+202E), as psql or an
    /// older import could store them; and a comment whose second line fakes a timeline
    /// line. Before: every listing wrote them raw to the terminal, and the fake line
    /// stood on a line of its own in `ticket show`. Now: they are written as \u{…}.
    @Test func storedEscapeSequencesNeverReachTheTerminal() throws {
        let cli = try CLI()
        try cli.ok(["demo"])
        let opened = try cli.ok(["ticket", "open", "--tenant", "91430400MA40001014", "--unit", "SW/B1/0501", "--category", "repair",
                                 "--title", "漏水"])
        let number = String(try #require(opened.firstMatch(of: /T-\d{4}-\d{6}/)).output)
        let fake = "2099-12-31T23:59:00+08:00  总经理  status  resolved  closed  已关闭"
        try cli.ok(["ticket", "comment", number, "--text", "已联系物业\n\(fake)"])
        try cli.ok(["unit", "off-market", "SW/B1/1201", "--reason", "维修"])

        let conn = cli.db.connection
        for (table, column) in [("tenant", "name"), ("tenant", "contact"), ("unit", "off_market_reason"), ("ticket", "title"),
                                ("building", "name")] {
            try conn.simpleQuery("ALTER TABLE \(table) DROP CONSTRAINT IF EXISTS \(table)_\(column)_plain_text")
        }
        let hostile = "\u{202E}\u{9B}31m\u{1B}[2J\u{1B}]0;pwned\u{07}"
        try conn.execute("UPDATE tenant SET name = \(hostile) || name, contact = contact || \(hostile)")
        try conn.execute("UPDATE unit SET off_market_reason = \("\u{1B}]0;pwned\u{07}维修\u{9B}31m\u{202E}") WHERE off_market_reason IS NOT NULL")
        try conn.execute("UPDATE ticket SET title = \("\u{1B}]0;pwned\u{07}") || title || \("\u{202E}\u{9B}31m")")
        // The stacking plan's header shows the building's name.
        try conn.execute("UPDATE building SET name = \("\u{1B}]0;pwned\u{07}") || name")

        let commands: [[String]] = [
            ["unit", "list"], ["unit", "show", "SW/B1/1201"], ["tenant", "list"], ["ticket", "list"], ["ticket", "show", number],
            ["audit"], ["report", "stacking", "SW/B1"], ["lease", "list"], ["tenant", "show", "91430400MA40001014"],
        ]
        for args in commands {
            let out = try cli.run(args)
            #expect(out.status == 0, "\(args): \(out.stderr)")
            #expect(out.stdout.contains("\\u{1B}"), "\(args) does not show the stored name at all")
            let raw = Self.unsafeScalars(out.stdout)
            #expect(raw.isEmpty, "parkctl \(args.joined(separator: " ")) wrote \(raw) to the terminal")
        }
        let show = try cli.ok(["ticket", "show", number])
        #expect(show.contains("已联系物业"))
        let faked = show.split(separator: "\n").filter { $0.trimmingCharacters(in: .whitespaces).hasPrefix("2099-12-31") }
        #expect(faked.isEmpty, "a comment faked a timeline line: \(faked)")
    }

    /// Attack: C1 controls and bidi overrides typed on the command line (U+202E makes
    /// `园区\u{202E}exe.txt` show as `园区txt.exe`; U+0085 NEL, U+009B CSI). Before: the bidi
    /// controls passed the checks (they are not C0 controls) and were stored, then echoed
    /// raw. Now: refused (65), the field named, nothing changed.
    @Test func c1AndBidiControlsAreRefusedOnInput() throws {
        let cli = try CLI()
        try cli.portfolio()
        let before = try cli.db.connection.tableChecksums()
        let cases: [([String], String)] = [
            (["park", "add", "--code", "XY", "--name", "园区\u{202E}exe.txt", "--kind", "mixed"], "name"),
            (["park", "add", "--code", "XY", "--name", "园区\u{2066}x\u{2069}", "--kind", "mixed"], "name"),
            (["park", "add", "--code", "XY", "--name", "园区\u{9B}31m", "--kind", "mixed"], "name"),
            (["tenant", "apply", "--park", "SW", "--name", "博思软件", "--credit-code", "91350100M000100Y43", "--industry", "software",
              "--contact", "陈\u{85}静", "--phone", "0591-87500103"], "contact"),
            (["tenant", "apply", "--park", "SW", "--name", "博思\u{202D}软件", "--credit-code", "91350100M000100Y43", "--industry", "software",
              "--contact", "陈静", "--phone", "0591-87500103"], "name"),
            (["unit", "off-market", "SW/B1/0301", "--reason", "维修\u{202E}"], "reason"),
        ]
        for (args, field) in cases {
            let out = try cli.run(args)
            #expect(out.status == 65, "\(args) → \(out.status): \(out.stderr)")
            #expect(out.stderr.contains(field), "\(args): \(out.stderr)")
            #expect(Self.unsafeScalars(out.stderr).isEmpty, "\(args): the message echoed the control raw")
        }
        #expect(try cli.db.connection.tableChecksums() == before)
    }

    /// Attack: bypass parkctl and write an escape sequence into a name with SQL, as the
    /// owner and as a staff login. Before: the database stored it. Now: the CHECK
    /// constraints of 0010 refuse it (23514).
    @Test func theDatabaseRefusesControlCharactersInFreeText() throws {
        let cli = try CLI()
        try cli.ok(["demo"])
        let name = "esc_\(Self.token())"
        let password = "pw-\(Self.token())"
        let added = try cli.run(["staff", "add", name, "--role", "leasing", "--all-parks", "--password-stdin"], input: password + "\n")
        #expect(added.status == 0, "\(added.stderr)")
        let staff = try Connection(try ConnectionString.replacing(["user": name, "password": password], in: cli.db.conninfo))
        defer { staff.close() }
        for (who, conn) in [("owner", cli.db.connection), ("staff", staff)] {
            for payload in ["\u{1B}]0;pwned\u{07}", "\u{1B}[2J", "\u{9B}31m", "\u{202E}"] {
                let error = #expect(throws: PostgresError.self, "\(who) stored \(payload.unicodeScalars.map { $0.value })") {
                    try conn.execute("UPDATE tenant SET name = \(payload) || name WHERE credit_code = '91430400MA40001014'")
                }
                #expect(error?.sqlState == .checkViolation, "\(who): \(String(describing: error))")
            }
            let error = #expect(throws: PostgresError.self, "\(who) stored a contact with ESC") {
                try conn.execute("UPDATE tenant SET contact = \("李\u{1B}[5m明") WHERE credit_code = '91430400MA40001014'")
            }
            #expect(error?.sqlState == .checkViolation, "\(who): \(String(describing: error))")
        }
        let stored: String = try cli.db.connection.query("SELECT name FROM tenant WHERE credit_code = '91430400MA40001014'").rows[0].decode(0)
        #expect(stored == "腾讯数字乡村总部")
    }

    // MARK: - Helpers

    /// Attack: a service file (the README suggests one for passwords) names the owner and
    /// the owner's password; `--user` logs in as a member of staff. Before: libpq sent the
    /// service file's password for the staff login, and no warning said that the host
    /// behind the service is reached over TCP without a certificate check. Now: no
    /// password but the login's own is sent, and the warning comes from what libpq
    /// resolves.
    @Test func aServiceFilesPasswordIsNeverSentForAnotherLogin() throws {
        let fake = try FakePostgresServer()
        defer { fake.stop() }
        let secret = "OWNERSVC\(Self.token())"
        let folder = try Self.temporaryFolder("parkctl-service", mode: 0o700)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let file = folder + "/pg_service.conf"
        try "[own]\nhost=127.0.0.1\nport=\(fake.port)\nuser=owner\npassword=\(secret)\nsslmode=disable\nconnect_timeout=3\n"
            .write(toFile: file, atomically: true, encoding: .utf8)
        var env = Self.cleanEnvironment()
        env["PGSERVICEFILE"] = file
        let out = try ProcessRunner.run(Parkctl.executable, ["park", "list", "--database-url", "service=own dbname=parkctl", "--user", "some_staff"],
                                        environment: env, timeout: 600)
        #expect(out.status == 69, "\(out.output)")
        #expect(fake.startups.contains { $0["user"] == "some_staff" }, "parkctl never reached the fake server: \(out.output)")
        #expect(!fake.passwords.contains(secret), "the service file's password was sent for some_staff")
        #expect(out.stderr.contains("127.0.0.1 is reached over TCP with sslmode=disable"), "\(out.stderr)")
    }

    /// Attack: a calendar file of 5 MB on standard input. Before: read whole (a 60 MB
    /// one peaked at 400 MB). Now: at most 1 MiB is read, and it is refused.
    @Test func aHugeCalendarFileIsRefusedUnread() throws {
        let cli = try CLI()
        let before = try cli.db.connection.tableChecksums()
        let out = try cli.run(["calendar", "import", "-"], input: "date,kind,name\n2027-01-01,holiday," + String(repeating: "元", count: 2_000_000) + "\n")
        #expect(out.status == 65, "\(out.stderr.prefix(300))")
        #expect(out.stderr.contains("larger than 1 MiB"), "\(out.stderr.prefix(300))")
        #expect(try cli.db.connection.tableChecksums() == before)
    }

    static func token() -> String { String(UInt64.random(in: 1...UInt64.max), radix: 36) }

    /// Characters that can drive a terminal or disguise text: C0 controls but the line
    /// feed, DEL and C1, the bidi embeddings, overrides and isolates.
    static func unsafeScalars(_ text: String) -> [String] {
        text.unicodeScalars.filter { s in
            (s.value < 0x20 && s != "\n") || (0x7F...0x9F).contains(s.value)
                || (0x202A...0x202E).contains(s.value) || (0x2066...0x2069).contains(s.value)
        }.map { "U+" + String($0.value, radix: 16, uppercase: true) }
    }

    /// RFC 4180: quoted cells with "" and line breaks inside, CRLF or LF rows.
    static func parseCSV(_ text: String) -> [[String]] {
        var rows: [[String]] = []
        var row: [String] = []
        var field = String.UnicodeScalarView()
        var inQuotes = false
        let scalars = Array(text.unicodeScalars)
        var i = 0
        while i < scalars.count {
            let c = scalars[i]
            if inQuotes {
                if c == "\"" {
                    if i + 1 < scalars.count, scalars[i + 1] == "\"" { field.append("\""); i += 1 } else { inQuotes = false }
                } else {
                    field.append(c)
                }
            } else {
                switch c {
                case "\"": inQuotes = true
                case ",": row.append(String(field)); field = String.UnicodeScalarView()
                case "\r": break
                case "\n":
                    row.append(String(field)); field = String.UnicodeScalarView()
                    rows.append(row); row = []
                default: field.append(c)
                }
            }
            i += 1
        }
        if !field.isEmpty || !row.isEmpty { row.append(String(field)); rows.append(row) }
        return rows
    }

    static func temporaryFolder(_ prefix: String, mode: mode_t) throws -> String {
        var template = Array("/tmp/\(prefix)-XXXXXX".utf8CString)
        guard mkdtemp(&template) != nil else { throw SpawnError("mkdtemp: \(String(cString: strerror(errno)))") }
        let path = template.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
        chmod(path, mode)
        return path
    }

    static func ownerAndMode(_ path: String) -> (uid: uid_t, mode: mode_t)? {
        var info = stat()
        guard lstat(path, &info) == 0 else { return nil }
        return (info.st_uid, info.st_mode & 0o7777)
    }

    /// Stops a server that the old code set up where it should not have.
    static func stopStrayServer(dataDirectory: String) {
        guard FileManager.default.fileExists(atPath: dataDirectory + "/postmaster.pid"),
              let binaries = try? PostgresBinaries.locate() else { return }
        _ = try? ProcessRunner.run(binaries.pgCtl, ["-D", dataDirectory, "-m", "immediate", "-w", "-t", "60", "stop"],
                                   asUser: PrivateCluster.serverUser, environment: PrivateCluster.serverEnvironment, timeout: 600)
    }

    /// Our environment for parkctl with nothing that would supply a password or an
    /// sslmode behind the test's back.
    static func cleanEnvironment() -> [String: String] {
        var env = ProcessInfo.processInfo.environment
        for key in ["PARKCTL_DATABASE_URL", "PARKCTL_USER", "PGPASSWORD", "PGSSLMODE", "PGHOST", "PGHOSTADDR", "PGPORT",
                    "PGUSER", "PGDATABASE", "PGSERVICE", "PGREQUIRESSL", "PGGSSENCMODE"] {
            env[key] = nil
        }
        env["PGPASSFILE"] = "/nonexistent/pgpass"
        env["PGSERVICEFILE"] = "/nonexistent/pg_service.conf"
        env["NO_COLOR"] = "1"
        return env
    }

    /// The peak resident memory (VmHWM) of a running process, in KiB.
    static func peakMemoryKiB(of pid: pid_t) -> Int? {
        guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8),
              let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") }) else { return nil }
        return Int(line.dropFirst("VmHWM:".count).trimmingCharacters(in: .whitespaces).split(separator: " ").first ?? "")
    }
}
