import Foundation
import Postgres

/// `report pipeline --from --to`: the leads added in those days, one query.
///
/// - `stage`: the funnel, how many of them reached each stage or a later one (a stage
///   may be skipped), and the share of all; and how many were lost. For an open stage,
///   the days its leads stayed in it on average: from entering it to the lead's next
///   step (a later stage, lost, or reopened), or to today for those still in it;
/// - `source` and `owner`: how many, how many won, and the conversion (won ÷ leads);
/// - `area`: the area wanted by the leads negotiating now against the vacant area today.
public struct PipelineReport {
    let session: ParkSession

    public init(_ session: ParkSession) { self.session = session }

    public struct Row: Sendable, Equatable {
        /// stage, source, owner or area.
        public var dimension: String
        /// The stage, the source, the owner (`pool` for the unowned), or for area
        /// `negotiating` and `vacant`.
        public var key: String
        public var leads: Int
        public var won: Int
        /// Stage: the share of the leads that reached it; source and owner: won ÷ leads. 4 decimals.
        public var rate: Decimal?
        public var areaM2: Decimal
        /// Stage rows of the open stages: the average days in the stage, 1 decimal (nil
        /// when every lead skipped it).
        public var daysInStage: Decimal?
    }

    public func run(park: String? = nil, from: CalendarDate, to: CalendarDate) throws -> [Row] {
        guard from <= to else { throw ParkError.invalid("to (\(to)) is before from (\(from))") }
        return try session.read { conn in
            let parkID = try park.map { try Lookup.parkID($0, conn) }
            return try conn.query("""
                WITH l AS (
                    SELECT l.*, l.stage = 'won' AS is_won FROM lead l
                    WHERE l.created_on BETWEEN \(from) AND \(to) AND (l.park_id = \(parkID) OR \(parkID)::bigint IS NULL)
                ), total AS (SELECT count(*) AS n FROM l),
                -- Each stay in an open stage: from entering it to the lead's next entry in the log (a later
                -- stage, lost, or a stage reopened by an admin), or to today for the stage it is in. Summed
                -- per lead (a reopened lead stays twice), averaged over the leads that entered the stage.
                stay AS (
                    SELECT e.stage, round(avg(e.days), 1) AS days FROM (
                        SELECT s.lead_id, s.stage,
                               sum(coalesce((SELECT n.entered_on FROM lead_stage n
                                             WHERE n.lead_id = s.lead_id AND (n.entered_on, n.id) > (s.entered_on, s.id)
                                             ORDER BY n.entered_on, n.id LIMIT 1),
                                            park_today(l.park_id)) - s.entered_on) AS days
                        FROM l JOIN lead_stage s ON s.lead_id = l.id
                        WHERE s.stage IN ('new', 'contacted', 'visited', 'negotiating')
                        GROUP BY s.lead_id, s.stage
                    ) e
                    GROUP BY e.stage
                )
                -- The funnel: a lead reached a stage if it entered it or a later one (a stage may be skipped).
                SELECT 'stage' AS dimension, st.stage AS key, count(*) AS leads, count(*) FILTER (WHERE l.is_won) AS won,
                       round(count(*)::numeric / nullif((SELECT n FROM total), 0), 4) AS rate, coalesce(sum(l.wanted_area_m2), 0) AS area_m2,
                       (SELECT stay.days FROM stay WHERE stay.stage = st.stage) AS days, 1 AS part, st.ord::int AS ord
                FROM l CROSS JOIN LATERAL (SELECT max(array_position('{new,contacted,visited,negotiating,won}'::text[], s.stage)) AS reached
                                           FROM lead_stage s WHERE s.lead_id = l.id) r
                JOIN unnest('{new,contacted,visited,negotiating,won}'::text[]) WITH ORDINALITY st(stage, ord) ON st.ord <= r.reached
                GROUP BY st.stage, st.ord
                UNION ALL
                SELECT 'stage', 'lost', count(*), 0, round(count(*)::numeric / nullif((SELECT n FROM total), 0), 4),
                       coalesce(sum(l.wanted_area_m2), 0), NULL, 1, 6
                FROM l WHERE l.stage = 'lost' HAVING count(*) > 0
                UNION ALL
                SELECT 'source', l.source, count(*), count(*) FILTER (WHERE l.is_won),
                       round(count(*) FILTER (WHERE l.is_won)::numeric / count(*), 4), coalesce(sum(l.wanted_area_m2), 0), NULL, 2, 0
                FROM l GROUP BY l.source
                UNION ALL
                SELECT 'owner', coalesce(CASE WHEN lead_in_pool(l.id) AND l.stage NOT IN ('won', 'lost') THEN NULL ELSE l.owner END, 'pool'),
                       count(*), count(*) FILTER (WHERE l.is_won), round(count(*) FILTER (WHERE l.is_won)::numeric / count(*), 4),
                       coalesce(sum(l.wanted_area_m2), 0), NULL, 3, 0
                FROM l GROUP BY 2
                UNION ALL
                SELECT 'area', 'negotiating', count(*), 0, NULL, coalesce(sum(n.wanted_area_m2), 0), NULL, 4, 1
                FROM lead n WHERE n.stage = 'negotiating' AND (n.park_id = \(parkID) OR \(parkID)::bigint IS NULL)
                UNION ALL
                SELECT 'area', 'vacant', count(*), 0, NULL, coalesce(sum(u.area_m2), 0), NULL, 4, 2
                FROM unit_status_on(park_today(NULL)) s JOIN unit u ON u.id = s.unit_id
                WHERE s.status = 'vacant' AND (s.park_id = \(parkID) OR \(parkID)::bigint IS NULL)
                ORDER BY part, ord, leads DESC, key
                """).rows.map { row in
                Row(dimension: try row.decode("dimension"), key: try row.decode("key"), leads: try row.decode("leads"),
                    won: try row.decode("won"), rate: try row.decode("rate"), areaM2: try row.decode("area_m2"),
                    daysInStage: try row.decode("days"))
            }
        }
    }
}
