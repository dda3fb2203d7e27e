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
}
