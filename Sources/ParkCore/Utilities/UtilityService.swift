import Foundation
import Postgres

/// Utility billing (水电费): tariffs, sharing rules, and billing periods calculated from the
/// readings (migration 0027 computes them in SQL), confirmed, posted as `utility` bills of
/// the receivables ledger, and reversed (红冲).
///
///     let utilities = UtilityService(session)
///     try utilities.setTariff(park: "MF", kind: .electricity, from: day, basePrice: 0.85)
///     let period = try utilities.open(park: "MF", kind: .electricity, from: first, to: last)
///     try utilities.calculate(period.number)
///     try utilities.confirm(period.number)
///     try utilities.post(period.number)
public struct UtilityService {
    let session: ParkSession

    public init(_ session: ParkSession) { self.session = session }

    // MARK: Tariffs

    /// The price of `kind` in `park` from `from`: `basePrice`, and above each tier's
    /// limit its price (tiers by the period's quantity); or, for electricity, the band
    /// prices of a time-of-use tariff (no tiers then: the base price is flat's, 平).
    public func setTariff(park: String, kind: MeterKind, from: CalendarDate, basePrice: Decimal,
                          tiers: [(above: Decimal, price: Decimal)] = [], bands: TimeOfUsePrices? = nil) throws {
        let prices = [basePrice] + tiers.map(\.price) + [bands?.peak, bands?.valley, bands?.sharp].compactMap { $0 }
        guard prices.allSatisfy({ $0 >= 0 }) else { throw ParkError.invalid("a price is 0 or more") }
        let limits = tiers.map(\.above)
        guard limits.allSatisfy({ $0 > 0 }), zip(limits, limits.dropFirst()).allSatisfy({ $0 < $1 }) else {
            throw ParkError.invalid("tiers start above rising quantities, each more than 0: \(limits.map { "\($0)" }.joined(separator: ", "))")
        }
        if bands != nil, kind != .electricity {
            throw ParkError.invalid("kind '\(kind.rawValue)' has no time-of-use prices: peak, valley and sharp prices are electricity's")
        }
        if bands != nil, !tiers.isEmpty {
            throw ParkError.invalid("a time-of-use tariff has no tiers: give --peak and --valley, or --tier, not both")
        }
        if let bands, !(bands.peak >= basePrice && basePrice >= bands.valley && (bands.sharp ?? bands.peak) >= bands.peak) {
            throw ParkError.invalid("band prices rise from valley to flat to peak to sharp: valley \(bands.valley) ≤ flat (--price) \(basePrice) "
                                    + "≤ peak \(bands.peak)" + (bands.sharp.map { " ≤ sharp \($0)" } ?? ""))
        }
        try session.write { conn in
            let parkID = try Lookup.parkID(park, conn)
            try conn.execute("""
                INSERT INTO utility_tariff (park_id, kind, from_day, tier_limits, tier_prices, peak_price, valley_price, sharp_price)
                VALUES (\(parkID), \(kind.rawValue), \(from), \(limits.map(\.description))::numeric[],
                        \(([basePrice] + tiers.map(\.price)).map(\.description))::numeric[], \(bands?.peak), \(bands?.valley), \(bands?.sharp))
                ON CONFLICT (park_id, kind, from_day) DO UPDATE SET tier_limits = EXCLUDED.tier_limits, tier_prices = EXCLUDED.tier_prices,
                    peak_price = EXCLUDED.peak_price, valley_price = EXCLUDED.valley_price, sharp_price = EXCLUDED.sharp_price
                """)
        }
    }

    public func tariffs(park: String? = nil) throws -> [UtilityTariff] {
        try session.read { conn in
            if let park { _ = try Lookup.parkID(park, conn) }
            return try conn.query("""
                SELECT p.code, t.kind, t.from_day, t.tier_limits::text[] AS tier_limits, t.tier_prices::text[] AS tier_prices,
                       t.peak_price, t.valley_price, t.sharp_price
                FROM utility_tariff t JOIN park p ON p.id = t.park_id
                \(SQL.whereAll([park.map { "p.code = \($0)" }])) ORDER BY p.code, t.kind, t.from_day
                """).rows.map { row in
                // numeric[] as text[]: Decimal is no array element of the Postgres layer.
                let limits = try row.decode("tier_limits", as: [String].self).compactMap { Decimal(string: $0) }
                let prices = try row.decode("tier_prices", as: [String].self).compactMap { Decimal(string: $0) }
                let peak: Decimal? = try row.decode("peak_price"), valley: Decimal? = try row.decode("valley_price")
                return UtilityTariff(park: try row.decode("code"), kind: try row.decode("kind"), fromDay: try row.decode("from_day"),
                                     basePrice: prices[0], tiers: Array(zip(limits, prices.dropFirst())).map { (above: $0.0, price: $0.1) },
                                     bands: try peak.map { TimeOfUsePrices(peak: $0, valley: valley ?? 0, sharp: try row.decode("sharp_price")) })
            }
        }
    }

    // MARK: Sharing

    /// How a public meter's usage (or, for a master meter, its loss) is shared;
    /// `weights`, per unit, for the `weights` basis.
    public func share(_ meter: MeterAddress, by basis: ShareBasis, weights: [(unit: UnitAddress, weight: Decimal)] = []) throws {
        if basis == .weights, weights.isEmpty { throw ParkError.invalid("--by weights needs a weight for each unit (--weight PARK/BUILDING/UNIT=2)") }
        if basis != .weights, !weights.isEmpty { throw ParkError.invalid("weights are for --by weights, not --by \(basis.rawValue)") }
        try session.write { conn in
            let id = try MeterService(session).meterID(meter, conn)
            let row = try conn.query("""
                SELECT m.park_id, m.unit_id IS NULL AND m.parent_id IS NOT NULL AS public,
                       m.parent_id IS NULL AND EXISTS (SELECT 1 FROM meter c WHERE c.parent_id = m.id) AS master,
                       coalesce(m.parent_id, m.id) AS master_id
                FROM meter m WHERE m.id = \(id)
                """).rows[0]
            guard try row.decode("public", as: Bool.self) || row.decode("master", as: Bool.self) else {
                throw ParkError.invalid("meter \(meter) is shared only if it is a public meter under a master (its usage), "
                                        + "or a master with meters under it (its loss); a tenant's sub-meter is its tenant's")
            }
            let parkID: Int = try row.decode("park_id")
            try conn.execute("""
                INSERT INTO utility_share_rule (meter_id, park_id, basis) VALUES (\(id), \(parkID), \(basis.rawValue))
                ON CONFLICT (meter_id) DO UPDATE SET basis = EXCLUDED.basis
                """)
            try conn.execute("DELETE FROM utility_share_weight WHERE meter_id = \(id)")
            for (unit, weight) in weights {
                guard weight > 0 else { throw ParkError.invalid("weight '\(weight)' of \(unit) is more than 0") }
                let unitID = try Lookup.unitIDs(unit, conn).unit
                // A weight shares only among the units metered under the master: any other would share nothing.
                let masterID: Int = try row.decode("master_id")
                if try conn.query("SELECT 1 FROM meter s WHERE s.unit_id = \(unitID) AND s.parent_id = \(masterID)").rowCount == 0 {
                    let under: [String] = try conn.query("""
                        SELECT DISTINCT up.code || '/' || b.code || '/' || u.code AS unit FROM meter s JOIN unit u ON u.id = s.unit_id
                        JOIN building b ON b.id = u.building_id JOIN park up ON up.id = u.park_id WHERE s.parent_id = \(masterID) ORDER BY 1
                        """).rows.map { try $0.decode(0) }
                    throw ParkError.invalid("unit \(unit) has no meter under the master of \(meter): its weight would share nothing "
                                            + "(the units metered under it: \(under.isEmpty ? "none" : under.joined(separator: ", ")))")
                }
                try conn.execute("INSERT INTO utility_share_weight (meter_id, unit_id, park_id, weight) VALUES (\(id), \(unitID), \(parkID), \(weight))")
            }
        }
    }

    /// The sharing rules: each public or master meter's basis, and the units' weights.
    public func shareRules(park: String? = nil) throws -> [ShareRule] {
        try session.read { conn in
            if let park { _ = try Lookup.parkID(park, conn) }
            return try conn.query("""
                SELECT p.code || '/' || m.code AS meter, r.basis, CASE WHEN m.parent_id IS NULL THEN 'loss' ELSE 'public' END AS shares,
                       coalesce((SELECT array_agg(up.code || '/' || b.code || '/' || u.code || '=' || w.weight::text ORDER BY b.code, u.code)
                                 FROM utility_share_weight w JOIN unit u ON u.id = w.unit_id JOIN building b ON b.id = u.building_id
                                 JOIN park up ON up.id = u.park_id WHERE w.meter_id = m.id), '{}') AS weights
                FROM utility_share_rule r JOIN meter m ON m.id = r.meter_id JOIN park p ON p.id = m.park_id
                \(SQL.whereAll([park.map { "p.code = \($0)" }])) ORDER BY p.code, m.code
                """).rows.map { row in
                ShareRule(meter: try row.decode("meter"), basis: try row.decode("basis"), shares: try row.decode("shares"),
                          weights: try row.decode("weights"))
            }
        }
    }

    // MARK: Periods

    /// Opens a period of `kind` in `park`, from one day to another (inclusive).
    @discardableResult
    public func open(park: String, kind: MeterKind, from: CalendarDate, to: CalendarDate) throws -> UtilityPeriod {
        guard from <= to else { throw ParkError.invalid("to (\(to)) is before from (\(from))") }
        return try session.write { conn in
            let parkID = try Lookup.parkID(park, conn)
            if let other: String = try conn.query("""
                SELECT number FROM utility_period WHERE park_id = \(parkID) AND kind = \(kind.rawValue) AND status <> 'reversed'
                  AND reverses_id IS NULL AND during && daterange(\(from), \(to), '[]') ORDER BY lower(during) LIMIT 1
                """).rows.first?.decode(0) {
                throw ParkError(.conflict, "the \(kind.rawValue) period \(other) of \(park) covers some of \(from)…\(to): periods never overlap")
            }
            let number: String = try conn.query("""
                INSERT INTO utility_period (number, park_id, kind, during)
                VALUES (parkctl_number('U', \(from), nextval('utility_period_number_seq')), \(parkID), \(kind.rawValue),
                        daterange(\(from), \(to), '[]'))
                RETURNING number
                """).rows[0].decode(0)
            return try period(number, conn)
        }
    }

    /// Calculates a draft or calculated period (again): its lines and leases' totals.
    @discardableResult
    public func calculate(_ number: String) throws -> (period: UtilityPeriod, leases: [UtilityPeriod.LeaseTotal]) {
        try session.write { conn in
            let id = try periodID(number, conn)
            try conn.execute("SELECT utility_period_calculate(\(id))")
            return (try period(number, conn), try leases(id, conn))
        }
    }

    /// Freezes a calculated period's figures. A meter in service with no reading in the
    /// period (or a time-of-use band unread) would bill nothing of its usage, or bill it
    /// as loss: confirming is refused, naming them, unless `allowMissing`.
    @discardableResult
    public func confirm(_ number: String, allowMissing: Bool = false) throws -> UtilityPeriod {
        // One transaction: the readings checked are the ones confirmed (the move nests in it).
        try session.write { _ in
            try confirmChecked(number, allowMissing: allowMissing)
        }
    }

    private func confirmChecked(_ number: String, allowMissing: Bool) throws -> UtilityPeriod {
        if !allowMissing {
            let missing = try UtilityReport(session).missing(number)
            if !missing.isEmpty {
                let named = missing.prefix(10).map { $0.meter + ($0.registers == [.total] ? "" : " (" + $0.registers.map(\.rawValue).joined(separator: ", ") + ")") }
                throw ParkError(.conflict, "utility period \(number) has \(missing.count) meter(s) with no reading in it: "
                                + named.joined(separator: ", ") + (missing.count > 10 ? ", …" : "")
                                + " (parkctl report utility --period \(number) --by missing); read them and calculate again, "
                                + "or confirm with --allow-missing to bill them as 0")
            }
        }
        return try move(number, from: .calculated, to: .confirmed, verb: "confirmed")
    }

    /// Deletes a draft or calculated period opened by mistake (wrong days or kind).
    public func delete(_ number: String) throws {
        try session.write { conn in
            let id = try periodID(number, conn)
            let status: UtilityPeriodStatus = try conn.query("SELECT status FROM utility_period WHERE id = \(id) FOR UPDATE").rows[0].decode(0)
            guard status == .draft || status == .calculated else {
                throw ParkError(.conflict, "utility period \(number) is \(status.rawValue): only a draft or calculated period is deleted"
                                + (status == .confirmed ? " (parkctl utility period reopen first)" : status == .posted ? " (a posted one is reversed)" : ""))
            }
            try conn.execute("DELETE FROM utility_period WHERE id = \(id)")
        }
    }

    /// Takes a confirmed period with no bill back to calculated, to calculate it again
    /// (a reading corrected after confirming).
    @discardableResult
    public func reopen(_ number: String) throws -> UtilityPeriod {
        try move(number, from: .confirmed, to: .calculated, verb: "reopened")
    }

    /// Issues each lease's `utility` bill of a confirmed period (due the park's payment
    /// days after today) and pays it from the tenant's credit, if any.
    @discardableResult
    public func post(_ number: String) throws -> (period: UtilityPeriod, leases: [UtilityPeriod.LeaseTotal]) {
        try session.write { conn in
            let id = try periodID(number, conn)
            let status: UtilityPeriodStatus = try conn.query("SELECT status FROM utility_period WHERE id = \(id) FOR UPDATE").rows[0].decode(0)
            guard status == .confirmed else {
                throw ParkError(.conflict, "utility period \(number) is \(status.rawValue): only a confirmed period is posted"
                                + (status == .posted ? " (it was posted already)" : status == .calculated ? " (parkctl utility period confirm first)" : ""))
            }
            // A bill is for days that have passed: a period is posted after its last day.
            let ends = try conn.query("""
                SELECT upper(u.during) - 1 AS last_day, park_today(u.park_id) AS today FROM utility_period u WHERE u.id = \(id)
                """).rows[0]
            let lastDay: CalendarDate = try ends.decode("last_day"), today: CalendarDate = try ends.decode("today")
            guard lastDay < today else {
                throw ParkError(.conflict, "utility period \(number) ends on \(lastDay): it is posted after its last day (today is \(today))")
            }
            try conn.execute("""
                WITH issued AS (
                    INSERT INTO bill (number, park_id, lease_id, tenant_id, fee, period, due_on, amount, reason, issued_on)
                    SELECT bill_next_number(park_today(p.id)), l.park_id, l.lease_id, l.tenant_id, 'utility', u.during,
                           park_today(p.id) + p.pay_within_days, l.amount, \(Self.billReason) || ' ' || u.number, park_today(p.id)
                    FROM utility_period_lease l JOIN utility_period u ON u.id = l.period_id JOIN park p ON p.id = l.park_id
                    WHERE l.period_id = \(id) AND l.amount > 0
                    ORDER BY l.lease_id
                    RETURNING id, lease_id
                )
                UPDATE utility_period_lease l SET bill_id = issued.id FROM issued WHERE l.period_id = \(id) AND l.lease_id = issued.lease_id
                """)
            try conn.execute("""
                SELECT a.* FROM (SELECT b.park_id, b.tenant_id, array_agg(b.id ORDER BY b.id) AS bills
                                 FROM utility_period_lease l JOIN bill b ON b.id = l.bill_id WHERE l.period_id = \(id)
                                 GROUP BY b.park_id, b.tenant_id) t
                CROSS JOIN LATERAL receivables_allocate(t.park_id, t.tenant_id, NULL, NULL, t.bills) a
                """)
            try conn.execute("UPDATE utility_period SET status = 'posted', posted_on = park_today(park_id) WHERE id = \(id)")
            return (try period(number, conn), try leases(id, conn))
        }
    }

    /// Reverses a posted period (红冲): each bill it issued is voided if nothing touched it,
    /// else credited back in full; a period over the same days may then be opened again.
    @discardableResult
    public func reverse(_ number: String, reason: String) throws -> UtilityPeriod {
        let reason = try Validate.text(reason, field: "reason", max: 500)
        return try session.write(reason: reason) { conn in
            let id = try periodID(number, conn)
            let row = try conn.query("SELECT status, reverses_id IS NOT NULL AS reversal FROM utility_period WHERE id = \(id) FOR UPDATE").rows[0]
            let status: UtilityPeriodStatus = try row.decode("status")
            if try row.decode("reversal", as: Bool.self) {
                throw ParkError(.conflict, "utility period \(number) is itself a reversal: it is not reversed (open the period again instead)")
            }
            guard status == .posted else {
                throw ParkError(.conflict, "utility period \(number) is \(status.rawValue): only a posted period is reversed")
            }
            // A statement each, however many leases: the bills nobody touched voided, the
            // others (paid, credited, invoiced) credited back whole, and those credits put
            // to the tenants' open bills as a payment would be.
            try conn.execute("""
                INSERT INTO bill_void (bill_id, park_id, voided_on, reason)
                SELECT b.id, b.park_id, park_today(b.park_id), \("红冲 \(number): " + reason)
                FROM utility_period_lease l JOIN bill b ON b.id = l.bill_id
                WHERE l.period_id = \(id) AND bill_balance(b.id) = b.amount AND NOT EXISTS (SELECT 1 FROM invoice_line i WHERE i.bill_id = b.id)
                ORDER BY b.id
                """)
            try conn.execute("""
                INSERT INTO bill (number, park_id, lease_id, tenant_id, fee, period, due_on, amount, source_bill_id, reason, issued_on)
                SELECT bill_next_number(park_today(b.park_id)), b.park_id, b.lease_id, b.tenant_id, 'adjustment', b.period,
                       park_today(b.park_id), -b.amount, b.id, \("红冲 \(number) (") || b.number || \("): " + reason), park_today(b.park_id)
                FROM utility_period_lease l JOIN bill b ON b.id = l.bill_id
                WHERE l.period_id = \(id) AND NOT EXISTS (SELECT 1 FROM bill_void v WHERE v.bill_id = b.id)
                ORDER BY b.id
                """)
            try conn.execute("""
                SELECT a.* FROM utility_period_lease l JOIN bill c ON c.source_bill_id = l.bill_id AND c.fee = 'adjustment'
                CROSS JOIN LATERAL receivables_allocate(c.park_id, c.tenant_id, NULL, c.id, NULL) a
                WHERE l.period_id = \(id)
                """)
            let reversal: String = try conn.query("""
                INSERT INTO utility_period (number, park_id, kind, during, status, reverses_id, reason, posted_on)
                SELECT parkctl_number('U', lower(during), nextval('utility_period_number_seq')), park_id, kind, during, 'posted', id,
                       \(reason), park_today(park_id)
                FROM utility_period WHERE id = \(id)
                RETURNING number
                """).rows[0].decode(0)
            try conn.execute("UPDATE utility_period SET status = 'reversed' WHERE id = \(id)")
            return try period(reversal, conn)
        }
    }

    public func periods(park: String? = nil) throws -> [UtilityPeriod] {
        try session.read { conn in
            if let park { _ = try Lookup.parkID(park, conn) }
            return try conn.query((Self.selection + " " + SQL.whereAll([park.map { "p.code = \($0)" }]) + " ORDER BY p.code, u.kind, lower(u.during), u.id").query)
                .rows.map(Self.decode)
        }
    }

    /// A period, its leases' totals and its lines.
    public func show(_ number: String) throws -> (period: UtilityPeriod, leases: [UtilityPeriod.LeaseTotal], lines: [UtilityPeriod.Line]) {
        try session.read { conn in
            let id = try periodID(number, conn)
            let lines = try conn.query("""
                SELECT l.number AS lease, p.code || '/' || m.code AS meter, c.source, c.basis, c.meter_used, c.weight, c.total_weight, c.quantity,
                       c.register
                FROM utility_charge c JOIN lease l ON l.id = c.lease_id JOIN meter m ON m.id = c.meter_id JOIN park p ON p.id = c.park_id
                WHERE c.period_id = \(id)
                ORDER BY l.number, c.source, m.code, array_position('{total,sharp,peak,flat,valley}'::text[], c.register)
                """).rows.map { row in
                UtilityPeriod.Line(lease: try row.decode("lease"), meter: try row.decode("meter"), source: try row.decode("source"),
                                   basis: try row.decode("basis"), meterUsed: try row.decode("meter_used"), weight: try row.decode("weight"),
                                   totalWeight: try row.decode("total_weight"), quantity: try row.decode("quantity"),
                                   register: try row.decode("register"))
            }
            return (try period(number, conn), try leases(id, conn), lines)
        }
    }

    // MARK: Helpers

    /// What a utility bill is for, on the bill and the statement: 电费 U-2026-000001.
    static let billReason: SQL = """
        (CASE u.kind WHEN 'electricity' THEN '电费' WHEN 'water' THEN '水费' WHEN 'gas' THEN '燃气费' ELSE '热费' END)
        """

    private func move(_ number: String, from: UtilityPeriodStatus, to: UtilityPeriodStatus, verb: String) throws -> UtilityPeriod {
        try session.write { conn in
            let id = try periodID(number, conn)
            let status: UtilityPeriodStatus = try conn.query("SELECT status FROM utility_period WHERE id = \(id) FOR UPDATE").rows[0].decode(0)
            guard status == from else {
                throw ParkError(.conflict, "utility period \(number) is \(status.rawValue): only a \(from.rawValue) period is \(verb)")
            }
            try conn.execute("UPDATE utility_period SET status = \(to.rawValue) WHERE id = \(id)")
            return try period(number, conn)
        }
    }

    static let selection: SQL = """
        SELECT u.number, p.code AS park, u.kind, lower(u.during) AS from_day, upper(u.during) - 1 AS to_day, u.status,
               (SELECT r.number FROM utility_period r WHERE r.id = u.reverses_id) AS reverses, u.reason, u.posted_on
        FROM utility_period u JOIN park p ON p.id = u.park_id
        """

    static func decode(_ row: PostgresRow) throws -> UtilityPeriod {
        UtilityPeriod(number: try row.decode("number"), park: try row.decode("park"), kind: try row.decode("kind"),
                      from: try row.decode("from_day"), to: try row.decode("to_day"), status: try row.decode("status"),
                      reverses: try row.decode("reverses"), reason: try row.decode("reason"), postedOn: try row.decode("posted_on"))
    }

    func period(_ number: String, _ conn: Connection) throws -> UtilityPeriod {
        guard let row = try conn.query((Self.selection + " WHERE u.number = \(number)").query).rows.first else {
            throw ParkError(.notFound, "utility period '\(number)' not found (parkctl utility period list)")
        }
        return try Self.decode(row)
    }

    func periodID(_ number: String, _ conn: Connection) throws -> Int {
        guard let id: Int = try conn.query("SELECT id FROM utility_period WHERE number = \(number)").rows.first?.decode(0) else {
            throw ParkError(.notFound, "utility period '\(number)' not found (parkctl utility period list)")
        }
        return id
    }

    func leases(_ id: Int, _ conn: Connection) throws -> [UtilityPeriod.LeaseTotal] {
        try conn.query("""
            SELECT l.number AS lease, t.name AS tenant, x.quantity, x.amount, b.number AS bill
            FROM utility_period_lease x JOIN lease l ON l.id = x.lease_id JOIN tenant t ON t.id = x.tenant_id
            LEFT JOIN bill b ON b.id = x.bill_id
            WHERE x.period_id = \(id) ORDER BY l.number
            """).rows.map { row in
            UtilityPeriod.LeaseTotal(lease: try row.decode("lease"), tenant: try row.decode("tenant"), quantity: try row.decode("quantity"),
                                     amount: try row.decode("amount"), bill: try row.decode("bill"))
        }
    }
}
