import Postgres

/// The second half of `parkctl db check`: whether the database's pages are as written.
///
/// PostgreSQL's own tools do the reading: the page checksums (new embedded clusters are
/// made with `initdb --data-checksums`, so a page changed on disk fails its checksum
/// when read, and the server counts the failures), and amcheck, which reads every
/// btree index of parkctl's tables (`bt_index_check`, each entry found in its table)
/// and every table with its TOAST (`verify_heapam`). Both take only the lock a query
/// takes, so the parks go on working while it runs.
///
/// amcheck is a superuser's extension. If it is not installed, a superuser's check
/// installs it in a transaction it rolls back, leaving nothing behind; anyone else's
/// check says the page check was skipped, and why.
public struct PageCheck {
    let connection: Connection

    public init(_ session: ParkSession) { self.connection = session.connection }
    public init(_ connection: Connection) { self.connection = connection }

    /// Damage found in one table or index.
    public struct Finding: Sendable, Equatable {
        public var relation: String
        public var detail: String
    }

    public struct Report: Sendable, Equatable {
        public var dataChecksums: Bool
        /// Pages of this database whose checksum failed when read, as the server counts them.
        public var checksumFailures: Int
        public var indexesChecked = 0
        public var tablesChecked = 0
        public var findings: [Finding] = []
        /// Why amcheck did not run, when it did not.
        public var skipped: String?

        public var isClean: Bool { findings.isEmpty && checksumFailures == 0 }
    }

    public func run() throws -> Report {
        let settings = try connection.query("""
            SELECT pg_catalog.current_setting('data_checksums') = 'on' AS checksums,
                   coalesce((SELECT checksum_failures FROM pg_catalog.pg_stat_database WHERE datname = pg_catalog.current_database()), 0)::int AS failures,
                   (SELECT n.nspname::text FROM pg_catalog.pg_extension e JOIN pg_catalog.pg_namespace n ON n.oid = e.extnamespace
                    WHERE e.extname = 'amcheck') AS amcheck,
                   (SELECT rolsuper FROM pg_catalog.pg_roles WHERE rolname = session_user) AS superuser
            """).rows[0]
        var report = Report(dataChecksums: try settings.decode("checksums"), checksumFailures: try settings.decode("failures"))
        let installed: String? = try settings.decode("amcheck")
        let superuser: Bool = try settings.decode("superuser")
        guard installed != nil || superuser else {
            report.skipped = "amcheck is not installed, and only a superuser may install it: check as the database's owner on the embedded cluster, "
                + "or have a superuser run CREATE EXTENSION amcheck"
            return report
        }
        try connection.simpleQuery("BEGIN")
        defer { try? connection.simpleQuery("ROLLBACK") }
        let schema: String
        if let installed {
            schema = installed
        } else {
            // Installed for this check only: the transaction is rolled back.
            try connection.simpleQuery("CREATE SCHEMA parkctl_page_check; CREATE EXTENSION amcheck SCHEMA parkctl_page_check")
            schema = "parkctl_page_check"
        }
        let amcheck = SQL.quoted(identifier: schema)
        // parkctl's tables (their TOAST with them) and their btree indexes that are ready.
        let relations = try connection.query("""
            SELECT c.oid::int8 AS oid, c.relname::text AS name, c.relkind = 'i' AS is_index
            FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
            LEFT JOIN pg_catalog.pg_index i ON i.indexrelid = c.oid
            LEFT JOIN pg_catalog.pg_am a ON a.oid = c.relam
            WHERE n.nspname = 'public' AND c.relpersistence = 'p'
              AND (c.relkind IN ('r', 'm') OR (c.relkind = 'i' AND a.amname = 'btree' AND i.indisvalid AND i.indisready))
            ORDER BY c.relkind = 'i', c.relname
            """).rows.map { (oid: try $0.decode("oid", as: Int64.self), name: try $0.decode("name", as: String.self),
                             isIndex: try $0.decode("is_index", as: Bool.self)) }
        for relation in relations {
            // A page that fails its checksum stops the read with an error: that is a finding too.
            try connection.simpleQuery("SAVEPOINT page_check")
            do {
                if relation.isIndex {
                    try connection.query((SQL(verbatim: "SELECT \(amcheck).bt_index_check(") + "\(relation.oid)::oid, true)").query).clear()
                    report.indexesChecked += 1
                } else {
                    let rows = try connection.query((SQL(verbatim: "SELECT blkno, offnum, msg FROM \(amcheck).verify_heapam(")
                                                     + "\(relation.oid)::oid, on_error_stop => false, check_toast => true)").query).rows
                    for row in rows {
                        let block: Int64 = try row.decode("blkno")
                        let offset: Int32? = try row.decode("offnum")
                        report.findings.append(Finding(relation: relation.name,
                                                       detail: "block \(block)\(offset.map { ", item \($0)" } ?? ""): \(try row.decode("msg", as: String.self))"))
                    }
                    report.tablesChecked += 1
                }
                try connection.simpleQuery("RELEASE SAVEPOINT page_check")
            } catch let error as PostgresError where error.kind == .server {
                try connection.simpleQuery("ROLLBACK TO SAVEPOINT page_check")
                report.findings.append(Finding(relation: relation.name, detail: error.message))
            }
        }
        // Reading may have met checksum failures the server has just counted.
        report.checksumFailures = try connection.query("""
            SELECT coalesce((SELECT checksum_failures FROM pg_catalog.pg_stat_database WHERE datname = pg_catalog.current_database()), 0)::int
            """).rows[0].decode(0)
        return report
    }
}
