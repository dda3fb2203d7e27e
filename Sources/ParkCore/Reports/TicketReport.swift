import Foundation
import Postgres

/// Service levels per category and priority, for tickets opened in a period: how
/// many were opened, resolved, are open now, breached; the median and 90th
/// percentile of first response and resolution in working hours (wall-clock hours
/// on a 24x7 clock); and the share resolved within the service level.
public struct TicketReport {
    public struct Row: Sendable, Equatable {
        public var scope: String
        public var category: String?
        public var priority: String?
        public var opened: Int
        public var resolved: Int
        public var openNow: Int
        public var breached: Int
        public var responseHoursMedian: Decimal?
        public var responseHoursP90: Decimal?
        public var resolutionHoursMedian: Decimal?
        public var resolutionHoursP90: Decimal?
        /// Resolved within the resolution target ÷ resolved, 4 decimals.
        public var metShare: Decimal?
        /// The period's years with no official holiday arrangement loaded (the same on
        /// every row): working-time figures there count its holidays as working days.
        public var unarrangedYears: [Int] = []
    }

    let session: ParkSession

    public init(_ session: ParkSession) { self.session = session }

    /// The period's days are each ticket's park's (park_time_zone), both included; default: the last 30 days.
    public func run(park: String? = nil, from: CalendarDate? = nil, to: CalendarDate? = nil) throws -> [Row] {
        if let from, let to, to < from { throw ParkError.invalid("the period ends (\(to)) before it starts (\(from))") }
        return try session.recordingBreaches(inPark: park) { conn, parkID in
            return try conn.query("""
                WITH period AS (
                    SELECT coalesce(\(to)::date, (SELECT park_today(\(parkID)))) AS last_day,
                           coalesce(\(from)::date, coalesce(\(to)::date, (SELECT park_today(\(parkID)))) - 29) AS first_day
                ), bounds AS (
                    -- Each park's period in its own zone: worked out once a park, not once a ticket.
                    SELECT p.id AS park_id, period.first_day::timestamp AT TIME ZONE p.time_zone AS from_at,
                           (period.last_day + 1)::timestamp AT TIME ZONE p.time_zone AS to_at
                    FROM park p, period \(SQL.whereAll([parkID.map { "p.id = \($0)" }]))
                ), t AS (
                    SELECT t.*,
                           CASE WHEN t.first_response_at IS NULL THEN NULL
                                WHEN t.clock = '24x7' THEN extract(epoch FROM t.first_response_at - t.opened_at) / 3600
                                ELSE working_minutes_between(t.park_id, t.opened_at, t.first_response_at) / 60 END AS response_hours,
                           CASE WHEN t.resolved_at IS NULL THEN NULL
                                WHEN t.clock = '24x7' THEN extract(epoch FROM t.resolved_at - t.opened_at) / 3600
                                ELSE working_minutes_between(t.park_id, t.opened_at, t.resolved_at) / 60 END AS resolution_hours
                    FROM bounds b JOIN ticket t ON t.park_id = b.park_id AND t.opened_at >= b.from_at AND t.opened_at < b.to_at
                )
                SELECT CASE WHEN grouping(category, priority) > 0 THEN 'total' ELSE 'category_priority' END AS scope,
                       category, priority, count(*) AS opened,
                       count(*) FILTER (WHERE resolved_at IS NOT NULL) AS resolved,
                       count(*) FILTER (WHERE status IN ('open', 'assigned', 'in_progress')) AS open_now,
                       count(*) FILTER (WHERE status <> 'cancelled' AND (coalesce(first_response_at, now()) > response_due_at
                                                                        OR coalesce(resolved_at, now()) > resolution_due_at)) AS breached,
                       round((percentile_cont(0.5) WITHIN GROUP (ORDER BY response_hours))::numeric, 2) AS response_hours_median,
                       round((percentile_cont(0.9) WITHIN GROUP (ORDER BY response_hours))::numeric, 2) AS response_hours_p90,
                       round((percentile_cont(0.5) WITHIN GROUP (ORDER BY resolution_hours))::numeric, 2) AS resolution_hours_median,
                       round((percentile_cont(0.9) WITHIN GROUP (ORDER BY resolution_hours))::numeric, 2) AS resolution_hours_p90,
                       round((count(*) FILTER (WHERE resolved_at <= resolution_due_at))::numeric
                             / nullif(count(*) FILTER (WHERE resolved_at IS NOT NULL), 0), 4) AS met_share,
                       (SELECT calendar_years_unarranged(period.first_day, period.last_day) FROM period) AS unarranged_years
                FROM t
                GROUP BY GROUPING SETS ((category, priority), ())
                ORDER BY grouping(category, priority),
                         array_position(\(TicketCategory.allCases.map(\.rawValue)), category),
                         array_position(\(TicketPriority.allCases.map(\.rawValue)), priority)
                """).rows.map { row in
                Row(scope: try row.decode("scope"), category: try row.decode("category"), priority: try row.decode("priority"),
                    opened: try row.decode("opened"), resolved: try row.decode("resolved"), openNow: try row.decode("open_now"),
                    breached: try row.decode("breached"), responseHoursMedian: try row.decode("response_hours_median"),
                    responseHoursP90: try row.decode("response_hours_p90"),
                    resolutionHoursMedian: try row.decode("resolution_hours_median"),
                    resolutionHoursP90: try row.decode("resolution_hours_p90"), metShare: try row.decode("met_share"),
                    unarrangedYears: try row.decode("unarranged_years"))
            }
        }
    }
}
