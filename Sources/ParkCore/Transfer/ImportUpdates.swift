/// `import --update`: a row whose natural key is recorded already (park code,
/// PARK/BUILDING, PARK/BUILDING/UNIT, credit code) changes that record where its
/// cells differ; the other rows are inserted as in a plain import. All or nothing,
/// and every change is reported by line, column, old and new value.
struct ImportUpdate {
    /// The record a staged row `s` names, as `t` (joins after `FROM import_rows s`).
    let match: String
    let table: String
    /// How a staged row names its record in the report (SW/B1/0301, a company's name).
    let key: String
    /// The columns an update may change, each with the staged value it takes and the
    /// file column that value comes from.
    var columns: [(column: String, value: String, source: String)]
    /// Extra rules of an update (a leased unit's area).
    let rules: [String]

    /// The file's units (`t`) that a lease holds or held (`l.number`), or with
    /// `fromToday` one that holds them today or later (in the park's zone).
    static func heldUnits(fromToday: Bool) -> String {
        """
        FROM import_rows s JOIN park p ON p.code = s.c_park JOIN building b ON b.park_id = p.id AND b.code = s.c_building
        JOIN unit t ON t.building_id = b.id AND t.code = s.c_unit
        JOIN LATERAL (SELECT l.number FROM lease_unit lu JOIN lease l ON l.id = lu.lease_id
                      WHERE lu.unit_id = t.id AND NOT lu.cancelled AND l.status IN ('signed', 'terminated')
                        \(fromToday ? "AND upper(lu.during) > park_local_date(p.time_zone)" : "")
                      ORDER BY upper(lu.during) DESC LIMIT 1) l ON true
        """
    }

    /// Only the columns the file has: a column it lacks leaves the recorded values as
    /// they are (an empty cell of a column it has clears an optional value).
    func keeping(_ fileColumns: Set<String>) -> ImportUpdate {
        var update = self
        update.columns = columns.filter { fileColumns.contains($0.source) }
        return update
    }

    static func of(_ entity: TransferEntity) -> ImportUpdate? {
        switch entity {
        case .parks:
            ImportUpdate(match: "JOIN park t ON t.code = s.c_code", table: "park", key: "s.c_code", columns: [
                ("name", "btrim(s.c_name)", "name"), ("kind", "s.c_kind", "kind"),
                ("industries", "coalesce(string_to_array(s.c_industries, ','), '{}')", "industries"), ("address", "s.c_address", "address"),
            ], rules: [])
        case .buildings:
            ImportUpdate(match: "JOIN park p ON p.code = s.c_park JOIN building t ON t.park_id = p.id AND t.code = s.c_building",
                         table: "building", key: "s.c_park || '/' || s.c_building", columns: [
                ("name", "btrim(s.c_name)", "name"), ("floors_above", "s.c_floors::int", "floors"), ("floors_below", "coalesce(s.c_floors_below::int, 0)", "floors_below"),
                ("delivered_on", "parkctl_date(s.c_delivered_on)", "delivered_on"),
            ], rules: [
                // As `building set`: the floors keep the units on them.
                """
                SELECT s.line, 'floors', s.c_floors, 'building ' || s.c_park || '/' || s.c_building || ' has unit '
                       || s.c_park || '/' || s.c_building || '/' || u.code || ' on floor ' || u.floor
                FROM import_rows s JOIN park p ON p.code = s.c_park JOIN building t ON t.park_id = p.id AND t.code = s.c_building
                JOIN LATERAL (SELECT u.code, u.floor FROM unit u WHERE u.building_id = t.id
                                AND (u.floor > parkctl_int(s.c_floors) OR u.floor < -coalesce(parkctl_int(s.c_floors_below), 0))
                              ORDER BY u.floor DESC, u.code LIMIT 1) u ON true
                WHERE parkctl_int(s.c_floors) IS NOT NULL
                """,
            ])
        case .units:
            ImportUpdate(match: """
                JOIN park p ON p.code = s.c_park JOIN building b ON b.park_id = p.id AND b.code = s.c_building
                JOIN unit t ON t.building_id = b.id AND t.code = s.c_unit
                """, table: "unit", key: "s.c_park || '/' || s.c_building || '/' || s.c_unit", columns: [
                ("floor", "s.c_floor::int", "floor"), ("area_m2", "s.c_area_m2::numeric", "area_m2"), ("kind", "s.c_kind", "kind"),
                ("list_rent", "s.c_list_rent::numeric", "list_rent"), ("off_market_reason", "s.c_off_market_reason", "off_market_reason"),
            ], rules: [
                // As `unit set`: a leased unit's area or kind feeds its lease's rent.
                """
                SELECT s.line, CASE WHEN t.area_m2 <> s.c_area_m2::numeric THEN 'area_m2' ELSE 'kind' END,
                       CASE WHEN t.area_m2 <> s.c_area_m2::numeric THEN s.c_area_m2 ELSE s.c_kind END,
                       'unit ' || s.c_park || '/' || s.c_building || '/' || s.c_unit || ' is or was held by lease ' || l.number
                       || ': change its area or kind with parkctl unit set … --reason (kept in the audit trail)'
                \(heldUnits(fromToday: false))
                WHERE parkctl_decimal(s.c_area_m2, 2) IS NOT NULL
                  AND (t.area_m2 <> s.c_area_m2::numeric OR t.kind <> s.c_kind)
                """,
                // As `unit off-market`: a unit a lease holds today or later stays on the market.
                """
                SELECT s.line, 'off_market_reason', s.c_off_market_reason,
                       'unit ' || s.c_park || '/' || s.c_building || '/' || s.c_unit || ' is held by lease ' || l.number
                       || ': it can go off the market once no lease holds it'
                \(heldUnits(fromToday: true))
                WHERE s.c_off_market_reason IS NOT NULL AND t.off_market_reason IS NULL
                """,
            ])
        case .tenants:
            ImportUpdate(match: "JOIN tenant t ON t.credit_code = s.c_credit_code", table: "tenant", key: "t.name", columns: [
                ("name", "btrim(s.c_name)", "name"), ("industry", "s.c_industry", "industry"), ("contact", "btrim(s.c_contact)", "contact"),
                ("phone", "s.c_phone", "phone"), ("email", "s.c_email", "email"),
                ("short_name", "nullif(btrim(s.c_short_name), '')", "short_name"),
            ], rules: [])
        case .stats:
            // A filing sent again with corrected figures (a figure left blank is kept).
            ImportUpdate(match: """
                JOIN park p ON p.code = s.c_park JOIN tenant tn ON tn.credit_code = upper(s.c_credit_code)
                JOIN enterprise_stat t ON t.tenant_id = tn.id AND t.park_id = p.id AND t.period_kind = \(ImportRules.statKind)
                                      AND t.period_start = \(ImportRules.statStart)
                """, table: "enterprise_stat", key: "s.c_credit_code || ' ' || s.c_period", columns: [
                ("revenue", "coalesce(" + ImportRules.wan("s.c_revenue") + ", t.revenue)", "revenue"),
                ("industrial_output", "coalesce(" + ImportRules.wan("s.c_industrial_output") + ", t.industrial_output)", "industrial_output"),
                ("tax_paid", "coalesce(" + ImportRules.wan("s.c_tax_paid") + ", t.tax_paid)", "tax_paid"),
                ("rd_spend", "coalesce(" + ImportRules.wan("s.c_rd_spend") + ", t.rd_spend)", "rd_spend"),
                ("employees", "coalesce(parkctl_int(s.c_employees), t.employees)", "employees"),
            ], rules: [])
        case .leases, .amendments, .readings, .tickets, .audit:
            nil
        }
    }

    /// Each changed cell: line, column, old and new value (as text), in line order.
    var changes: String {
        // Compared as values of the column's type (1200 is 1200.00 m²), shown as text.
        let values = columns.map {
            "('\($0.column)', t.\($0.column) IS DISTINCT FROM (\($0.value)), t.\($0.column)::text, (\($0.value))::text)"
        }.joined(separator: ", ")
        return """
            SELECT s.line, \(key) AS key, v.col, v.old, v.new FROM import_rows s \(match)
            CROSS JOIN LATERAL (VALUES \(values)) AS v(col, differs, old, new)
            WHERE v.differs ORDER BY s.line, v.col
            """
    }

    /// The rows that name no recorded one (they are inserted): line and key.
    var newRows: String {
        "SELECT s.line, \(key.replacingOccurrences(of: "t.name", with: "btrim(s.c_name)")) FROM import_rows s "
            + "WHERE s.line NOT IN (SELECT s.line FROM import_rows s \(match)) ORDER BY s.line"
    }

    /// Changes the recorded rows the file names, where they differ (a row that does
    /// not differ is left alone, and the audit trail stays quiet about it).
    var update: String {
        let sets = columns.map { "\($0.column) = x.\($0.column)" }.joined(separator: ", ")
        let values = columns.map { "\($0.value) AS \($0.column)" }.joined(separator: ", ")
        let differs = columns.map { "t.\($0.column) IS DISTINCT FROM x.\($0.column)" }.joined(separator: " OR ")
        return """
            UPDATE \(table) t SET \(sets)
            FROM (SELECT DISTINCT ON (t.id) t.id, \(values) FROM import_rows s \(match) ORDER BY t.id, s.line) x
            WHERE t.id = x.id AND (\(differs))
            """
    }

    /// Takes the rows that named recorded ones out of the staging table, so that the
    /// plain import's statements insert only the new ones. A tenant recorded already
    /// keeps its row for a park where it has no application in progress (one is made).
    var removeMatched: String {
        if table == "tenant" {
            return """
                DELETE FROM import_rows s USING tenant t
                WHERE t.credit_code = s.c_credit_code
                  AND (s.c_park IS NULL OR EXISTS (SELECT 1 FROM onboarding o JOIN park p ON p.id = o.park_id
                                                   WHERE o.tenant_id = t.id AND p.code = s.c_park AND o.stage NOT IN ('rejected', 'exited')))
                """
        }
        return "DELETE FROM import_rows r WHERE r.line IN (SELECT s.line FROM import_rows s \(match))"
    }
}
