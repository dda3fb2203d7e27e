import Foundation
import Postgres

/// Exports with COPY TO STDOUT, streamed: the same columns the import reads, so
/// that export → import into an empty database round-trips. Memory stays bounded.
/// Free-text cells that a spreadsheet would run as a formula get a leading `'`
/// (`parkctl_csv_text`), which import drops again; control characters that rows
/// older than the text rules may hold are written as `\u{1B}`.
public struct ExportService {
    let session: ParkSession

    public init(_ session: ParkSession) { self.session = session }

    /// Writes the CSV (header first, in `headers`' words: the column names, or the Chinese
    /// headers import reads too) to `sink` chunk by chunk; returns the rows.
    @discardableResult
    /// `period`: only the statistics of that period (the zone's return of a quarter).
    public func run(_ entity: TransferEntity, park: String? = nil, period: StatPeriod? = nil, headers: Language = .en,
                    _ sink: (UnsafeRawBufferPointer) throws -> Void) throws -> Int {
        if period != nil, entity != .stats { throw ParkError.invalid("--period is for export stats, not \(entity.rawValue)") }
        return try session.write { conn in
            if let park { _ = try Lookup.parkID(park, conn) }
            // COPY takes no parameters: the park and period travel in settings of the transaction.
            try conn.execute("SELECT set_config('parkctl.export_park', \(park ?? ""), true)")
            try conn.execute("""
                SELECT set_config('parkctl.export_period_kind', \(period?.kind.rawValue ?? ""), true),
                       set_config('parkctl.export_period_start', \(period.map { "\($0.start)" } ?? ""), true)
                """)
            return try conn.copyOut("COPY (\(Self.query(entity, onePark: park != nil, headers: headers))) TO STDOUT WITH (FORMAT csv, HEADER)", sink)
        }
    }

    /// The whole export has no park condition at all: an `'' = '' OR ...` filter made
    /// the planner expect a handful of rows and give up the parallel sort (half speed).
    static func query(_ entity: TransferEntity, onePark: Bool, headers: Language = .en) -> String {
        let inPark = onePark ? "p.code = current_setting('parkctl.export_park')" : "true"
        let columns = entity.columns.map { "\($0.exported) AS \(SQL.quoted(identifier: $0.header(in: headers)))" }.joined(separator: ",\n       ")
        return "SELECT " + columns + "\n" + entity.exportSource(inPark: inPark)
    }
}
