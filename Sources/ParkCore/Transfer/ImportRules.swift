/// The set-based SQL of each import: the rules every staged row is checked against
/// (each a SELECT of `line, col, value, rule` over `import_rows`, whose columns are
/// `line` and `c_<column>` as text), and the statements that apply a clean file.
enum ImportRules {
    static func rules(_ entity: TransferEntity) -> [String] {
        switch entity {
        case .parks: parks
        case .buildings: buildings
        case .units: units
        case .tenants: tenants
        case .leases: leases
        case .amendments: amendments
        case .readings: readings
        case .stats: stats
        case .tickets, .audit: []
        }
    }

    static func apply(_ entity: TransferEntity) -> [String] {
        switch entity {
        case .parks: [applyParks]
        case .buildings: [applyBuildings]
        case .units: [applyUnits]
        case .tenants: applyTenants
        case .leases: applyLeases
        case .amendments: applyAmendments
        case .readings: [applyReadings]
        case .stats: [applyStats]
        case .tickets, .audit: []
        }
    }

    /// The tables an import writes.
    static func tables(_ entity: TransferEntity) -> [String] {
        switch entity {
        case .parks: ["park"]
        case .buildings: ["building"]
        case .units: ["unit"]
        case .tenants: ["tenant", "onboarding", "onboarding_step"]
        case .leases: ["lease", "lease_unit"]
        case .amendments: ["lease_amendment"]
        case .readings: ["meter_reading"]
        case .stats: ["enterprise_stat"]
        case .tickets, .audit: []
        }
    }


    static let kinds = "('office', 'factory', 'live_room', 'selection_center', 'warehouse', 'showroom', 'retail', 'dormitory')"

    // MARK: parks

    static let parks = [
        "SELECT line, 'code', c_code, '\(PatternRule.parkCode.rule)' FROM import_rows WHERE \(PatternRule.parkCode.isBroken(by: "c_code"))",
        "SELECT line, 'name', c_name, 'rule.park_name' FROM import_rows WHERE length(btrim(c_name)) NOT BETWEEN 1 AND 200",
        "SELECT line, 'kind', c_kind, 'rule.park_kind' FROM import_rows WHERE c_kind NOT IN ('software', 'ecommerce', 'factory', 'mixed')",
        "SELECT line, 'industries', c_industries, 'rule.industries' FROM import_rows WHERE c_industries !~ '^[a-z][a-z0-9_]*(,[a-z][a-z0-9_]*)*$'",
        "SELECT line, 'address', c_address, 'rule.address' FROM import_rows WHERE length(c_address) > 500",
    ]

    static let applyParks = """
        INSERT INTO park (code, name, kind, industries, address)
        SELECT c_code, btrim(c_name), c_kind, coalesce(string_to_array(c_industries, ','), '{}'), c_address FROM import_rows ORDER BY line
        """

    // MARK: buildings

    static let buildings = [
        "SELECT line, 'park', c_park, 'rule.no_park' FROM import_rows s WHERE NOT EXISTS (SELECT 1 FROM park p WHERE p.code = s.c_park)",
        "SELECT line, 'building', c_building, '\(PatternRule.buildingCode.rule)' FROM import_rows WHERE \(PatternRule.buildingCode.isBroken(by: "c_building"))",
        "SELECT line, 'name', c_name, 'rule.building_name' FROM import_rows WHERE length(btrim(c_name)) NOT BETWEEN 1 AND 200",
        "SELECT line, 'floors', c_floors, 'rule.floors' FROM import_rows WHERE parkctl_int(c_floors) IS NULL OR parkctl_int(c_floors) NOT BETWEEN 1 AND 200",
        "SELECT line, 'floors_below', c_floors_below, 'rule.floors_below' FROM import_rows WHERE c_floors_below IS NOT NULL AND (parkctl_int(c_floors_below) IS NULL OR parkctl_int(c_floors_below) NOT BETWEEN 0 AND 10)",
        "SELECT line, 'delivered_on', c_delivered_on, 'rule.date' FROM import_rows WHERE c_delivered_on IS NOT NULL AND parkctl_date(c_delivered_on) IS NULL",
    ]

    static let applyBuildings = """
        INSERT INTO building (park_id, code, name, floors_above, floors_below, delivered_on)
        SELECT p.id, s.c_building, btrim(s.c_name), s.c_floors::int, coalesce(s.c_floors_below::int, 0), parkctl_date(s.c_delivered_on)
        FROM import_rows s JOIN park p ON p.code = s.c_park ORDER BY s.line
        """

    // MARK: units

    static let units = [
        "SELECT line, 'park', c_park, 'rule.no_park' FROM import_rows s WHERE NOT EXISTS (SELECT 1 FROM park p WHERE p.code = s.c_park)",
        """
        SELECT line, 'building', c_building, 'park ' || c_park || ' has no building ' || c_building FROM import_rows s
        WHERE EXISTS (SELECT 1 FROM park p WHERE p.code = s.c_park)
          AND NOT EXISTS (SELECT 1 FROM park p JOIN building b ON b.park_id = p.id WHERE p.code = s.c_park AND b.code = s.c_building)
        """,
        "SELECT line, 'unit', c_unit, '\(PatternRule.unitCode.rule)' FROM import_rows WHERE \(PatternRule.unitCode.isBroken(by: "c_unit"))",
        // A spreadsheet turns 0101 into 101: a new code that is a recorded one without its leading zeros is a slip.
        """
        SELECT s.line, 'unit', s.c_unit, 'unit ' || s.c_park || '/' || s.c_building || '/' || s.c_unit || ' is not recorded, but '
               || s.c_park || '/' || s.c_building || '/' || u.code || ' is: a spreadsheet drops leading zeros (format the column as text)'
        FROM import_rows s JOIN park p ON p.code = s.c_park JOIN building b ON b.park_id = p.id AND b.code = s.c_building
        JOIN unit u ON u.building_id = b.id AND ltrim(u.code, '0') = ltrim(s.c_unit, '0') AND u.code <> s.c_unit
        WHERE NOT EXISTS (SELECT 1 FROM unit x WHERE x.building_id = b.id AND x.code = s.c_unit)
        """,
        "SELECT line, 'floor', c_floor, 'rule.floor' FROM import_rows WHERE parkctl_int(c_floor) IS NULL",
        """
        SELECT s.line, 'floor', s.c_floor, 'building ' || s.c_park || '/' || s.c_building || ' has floors '
               || CASE WHEN b.floors_below > 0 THEN '-' || b.floors_below || '…-1 and ' ELSE '' END || '1…' || b.floors_above
        FROM import_rows s JOIN park p ON p.code = s.c_park JOIN building b ON b.park_id = p.id AND b.code = s.c_building
        WHERE parkctl_int(s.c_floor) = 0 OR parkctl_int(s.c_floor) > b.floors_above OR parkctl_int(s.c_floor) < -b.floors_below
        """,
        "SELECT line, 'area_m2', c_area_m2, 'rule.area' FROM import_rows WHERE coalesce(parkctl_decimal(c_area_m2, 2), 0) = 0",
        "SELECT line, 'kind', c_kind, 'rule.unit_kind' FROM import_rows WHERE c_kind NOT IN \(kinds)",
        "SELECT line, 'list_rent', c_list_rent, 'rule.list_rent' FROM import_rows WHERE parkctl_decimal(c_list_rent, 2) IS NULL",
        "SELECT line, 'off_market_reason', c_off_market_reason, 'rule.reason' FROM import_rows WHERE length(btrim(c_off_market_reason)) NOT BETWEEN 1 AND 500",
    ]

    static let applyUnits = """
        INSERT INTO unit (park_id, building_id, code, floor, area_m2, kind, list_rent, off_market_reason)
        SELECT b.park_id, b.id, s.c_unit, s.c_floor::int, s.c_area_m2::numeric, s.c_kind, s.c_list_rent::numeric, s.c_off_market_reason
        FROM import_rows s JOIN park p ON p.code = s.c_park JOIN building b ON b.park_id = p.id AND b.code = s.c_building
        ORDER BY s.line
        """

    // MARK: readings

    /// A reading's meter code as the file writes it, E-101 or MF/E-101 (as meter list shows it).
    static let readingMeter = "CASE WHEN s.c_meter LIKE s.c_park || '/%' THEN substr(s.c_meter, length(s.c_park) + 2) ELSE s.c_meter END"

    /// The file's readings that name a meter, read in order with the meter's recorded ones.
    static let readingOrder = """
        WITH s AS (
            SELECT s.line, m.id AS meter_id, coalesce(s.c_register, 'total') AS register, parkctl_date(s.c_day) AS day,
                   parkctl_decimal(s.c_value, 2) AS value, coalesce(s.c_kind, 'regular') AS kind
            FROM import_rows s JOIN park p ON p.code = s.c_park JOIN meter m ON m.park_id = p.id AND m.code = \(readingMeter)
            WHERE parkctl_date(s.c_day) IS NOT NULL AND parkctl_decimal(s.c_value, 2) IS NOT NULL
        ), o AS (
            SELECT a.*, lag(a.value) OVER w AS prev_value, lag(a.day) OVER w AS prev_day,
                   lead(a.value) OVER w AS next_value, lead(a.day) OVER w AS next_day, lead(a.kind) OVER w AS next_kind
            FROM (SELECT NULL::int AS line, r.meter_id, r.register, r.read_on AS day, r.value, r.kind FROM meter_reading r
                  WHERE r.meter_id IN (SELECT meter_id FROM s)
                  UNION ALL SELECT line, meter_id, register, day, value, kind FROM s) a
            WINDOW w AS (PARTITION BY a.meter_id, a.register ORDER BY a.day, a.line NULLS FIRST)
        )
        """

    static let readings = [
        "SELECT line, 'park', c_park, 'rule.no_park' FROM import_rows s WHERE NOT EXISTS (SELECT 1 FROM park p WHERE p.code = s.c_park)",
        """
        SELECT line, 'meter', c_meter, 'park ' || c_park || ' has no meter ' || c_meter || ' (parkctl meter list --park ' || c_park || ')'
        FROM import_rows s WHERE EXISTS (SELECT 1 FROM park p WHERE p.code = s.c_park)
          AND NOT EXISTS (SELECT 1 FROM park p JOIN meter m ON m.park_id = p.id WHERE p.code = s.c_park AND m.code = \(readingMeter))
        """,
        "SELECT line, 'day', c_day, 'rule.date' FROM import_rows WHERE parkctl_date(c_day) IS NULL",
        "SELECT line, 'value', c_value, 'rule.register' FROM import_rows WHERE parkctl_decimal(c_value, 2) IS NULL OR parkctl_decimal(c_value, 2) < 0",
        "SELECT line, 'kind', c_kind, 'rule.reading_kind' FROM import_rows WHERE c_kind IS NOT NULL AND c_kind NOT IN ('regular', 'rollover')",
        // A time-of-use meter's reading names its band (时段); an ordinary meter's none.
        """
        SELECT s.line, 'register', coalesce(s.c_register, ''), 'rule.meter_register'
        FROM import_rows s JOIN park p ON p.code = s.c_park JOIN meter m ON m.park_id = p.id AND m.code = \(readingMeter)
        WHERE NOT coalesce(s.c_register, 'total') = ANY (m.registers)
        """,
        // A time-of-use meter's bands are read together: a day of the file names them all.
        """
        SELECT s.line, 'register', coalesce(s.c_register, ''), 'rule.all_bands'
        FROM (SELECT s.*, array_agg(coalesce(s.c_register, 'total')) OVER (PARTITION BY s.c_park, \(readingMeter), parkctl_date(s.c_day)) AS given
              FROM import_rows s WHERE parkctl_date(s.c_day) IS NOT NULL) s
        JOIN park p ON p.code = s.c_park JOIN meter m ON m.park_id = p.id AND m.code = \(readingMeter)
        WHERE m.registers <> '{total}' AND NOT m.registers <@ s.given
        """,
        """
        SELECT s.line, 'day', s.c_day, 'rule.reading_not_future'
        FROM import_rows s JOIN park p ON p.code = s.c_park WHERE parkctl_date(s.c_day) > park_today(p.id)
        """,
        """
        \(readingOrder)
        SELECT line, 'value', value::text, 'below the reading before (' || prev_value || ' on ' || prev_day
               || '): a register never goes back (a rollover: kind rollover; a replaced meter: parkctl meter replace)'
        FROM o WHERE line IS NOT NULL AND kind = 'regular' AND value < prev_value
        """,
        """
        \(readingOrder)
        SELECT line, 'value', value::text, 'above the reading after it (' || next_value || ' on ' || next_day || '): a register never goes back'
        FROM o WHERE line IS NOT NULL AND next_kind = 'regular' AND next_value < value
        """,
    ]

    static let readingsEnforced = [
        """
        SELECT line, 'day', c_day, 'the meter is read on this day on line ' || first_line || ' too: one reading a day' FROM (
            SELECT line, c_day, min(line) OVER (PARTITION BY c_park, \(readingMeter), coalesce(c_register, 'total'), parkctl_date(c_day)) AS first_line
            FROM import_rows s WHERE parkctl_date(c_day) IS NOT NULL) d
        WHERE line <> first_line
        """,
        """
        SELECT s.line, 'day', s.c_day, 'meter ' || s.c_park || '/' || \(readingMeter) || ' was read on this day already (' || r.value || ')'
        FROM import_rows s JOIN park p ON p.code = s.c_park JOIN meter m ON m.park_id = p.id AND m.code = \(readingMeter)
        JOIN meter_reading r ON r.meter_id = m.id AND r.register = coalesce(s.c_register, 'total') AND r.read_on = parkctl_date(s.c_day)
        """,
    ]

    /// In order of meter and day, so that each reading's check finds the one before.
    static let applyReadings = """
        INSERT INTO meter_reading (park_id, meter_id, register, read_on, value, kind)
        SELECT p.id, m.id, coalesce(s.c_register, 'total'), parkctl_date(s.c_day), s.c_value::numeric, coalesce(s.c_kind, 'regular')
        FROM import_rows s JOIN park p ON p.code = s.c_park JOIN meter m ON m.park_id = p.id AND m.code = \(readingMeter)
        ORDER BY m.id, coalesce(s.c_register, 'total'), parkctl_date(s.c_day)
        """

    // MARK: statistics

    /// A filing's period as the stager left it (2026-Q3, 2026-09, 2026): its kind and first day.
    static let statKind = """
        CASE WHEN s.c_period ~ '^[1-9][0-9]{3}-Q[1-4]$' THEN 'quarter' WHEN s.c_period ~ '^[1-9][0-9]{3}-(0[1-9]|1[0-2])$' THEN 'month'
             WHEN s.c_period ~ '^[1-9][0-9]{3}$' THEN 'year' END
        """
    static let statStart = """
        CASE WHEN s.c_period ~ '^[1-9][0-9]{3}-Q[1-4]$' THEN make_date(left(s.c_period, 4)::int, (right(s.c_period, 1)::int - 1) * 3 + 1, 1)
             WHEN s.c_period ~ '^[1-9][0-9]{3}-(0[1-9]|1[0-2])$' THEN make_date(left(s.c_period, 4)::int, right(s.c_period, 2)::int, 1)
             WHEN s.c_period ~ '^[1-9][0-9]{3}$' THEN make_date(s.c_period::int, 1, 1) END
        """
    /// An amount in 万元 as the stager left it: up to 12 digits and 4 decimals (parkctl_decimal
    /// knows 2 decimals only), else NULL.
    static func wan(_ cell: String) -> String {
        "CASE WHEN \(cell) ~ '^[0-9]{1,12}(\\.[0-9]{1,4})?$' THEN \(cell)::numeric END"
    }

    /// The filer: a tenant with an application at the park.
    static let statFiler = """
        JOIN park p ON p.code = s.c_park JOIN tenant t ON t.credit_code = upper(s.c_credit_code)
        JOIN onboarding o ON o.tenant_id = t.id AND o.park_id = p.id
        """

    static let stats = [
        "SELECT line, 'park', c_park, 'rule.no_park' FROM import_rows s WHERE NOT EXISTS (SELECT 1 FROM park p WHERE p.code = s.c_park)",
        """
        SELECT s.line, 'credit_code', s.c_credit_code, 'rule.stat_tenant' FROM import_rows s
        WHERE EXISTS (SELECT 1 FROM park p WHERE p.code = s.c_park) AND NOT EXISTS (SELECT 1 FROM import_rows x \(statFiler.replacingOccurrences(of: "s.c_", with: "x.c_")) WHERE x.line = s.line)
        """,
        "SELECT s.line, 'period', s.c_period, 'rule.stat_period' FROM import_rows s WHERE \(statKind) IS NULL",
        """
        SELECT s.line, v.col, v.value, 'rule.amount_wan' FROM import_rows s
        CROSS JOIN LATERAL (VALUES ('revenue', s.c_revenue), ('industrial_output', s.c_industrial_output), ('tax_paid', s.c_tax_paid),
                                   ('rd_spend', s.c_rd_spend)) v(col, value)
        WHERE v.value IS NOT NULL AND \(wan("v.value")) IS NULL
        """,
        """
        SELECT line, 'employees', c_employees, 'rule.employees' FROM import_rows
        WHERE c_employees IS NOT NULL AND (parkctl_int(c_employees) IS NULL OR parkctl_int(c_employees) NOT BETWEEN 0 AND 1000000)
        """,
        """
        SELECT s.line, 'period', s.c_period, 'rule.stat_future' FROM import_rows s JOIN park p ON p.code = s.c_park
        WHERE \(statStart) > park_today(p.id)
        """,
        // The name is for the reader, but a name that is not the credit code's company is a row mixed up.
        """
        SELECT s.line, 'name', s.c_name, 'rule.stat_name' FROM import_rows s JOIN tenant t ON t.credit_code = upper(s.c_credit_code)
        WHERE s.c_name IS NOT NULL AND btrim(s.c_name) <> t.name AND btrim(s.c_name) <> coalesce(t.short_name, '')
        """,
        """
        SELECT line, 'revenue', '', 'rule.some_figure' FROM import_rows
        WHERE num_nonnulls(c_revenue, c_industrial_output, c_tax_paid, c_rd_spend, c_employees) = 0
        """,
    ]

    static let statFiled = """
        SELECT s.line, 'period', s.c_period, 'rule.stat_filed' FROM import_rows s \(statFiler)
        JOIN enterprise_stat e ON e.tenant_id = t.id AND e.park_id = p.id AND e.period_kind = \(statKind) AND e.period_start = \(statStart)
        """

    static let statsEnforced = [
        """
        SELECT line, 'period', c_period, 'rule.stat_twice' FROM (
            SELECT s.line, s.c_period, min(s.line) OVER (PARTITION BY s.c_park, upper(s.c_credit_code), \(statKind), \(statStart)) AS first_line
            FROM import_rows s WHERE \(statKind) IS NOT NULL) d
        WHERE line <> first_line
        """,
        statFiled,
    ]

    /// Filings are self-reported: the file's source column is for the reader.
    static let applyStats = """
        INSERT INTO enterprise_stat (park_id, tenant_id, period_kind, period_start, revenue, industrial_output, tax_paid, rd_spend, employees)
        SELECT p.id, t.id, \(statKind), \(statStart), \(wan("s.c_revenue")), \(wan("s.c_industrial_output")),
               \(wan("s.c_tax_paid")), \(wan("s.c_rd_spend")), parkctl_int(s.c_employees)
        FROM import_rows s \(statFiler)
        ORDER BY s.line
        """

    // MARK: tenants

    static let tenants = [
        "SELECT line, 'name', c_name, 'rule.company_name' FROM import_rows WHERE length(btrim(c_name)) NOT BETWEEN 1 AND 200",
        """
        SELECT line, 'credit_code', c_credit_code,
               CASE WHEN length(c_credit_code) <> 18 THEN 'a 统一社会信用代码 has 18 characters'
                    WHEN c_credit_code !~ '^[0-9A-HJ-NP-RTUWXY]{18}$' THEN 'only 0-9 and capitals without I, O, S, V, Z are used'
                    ELSE 'fails the GB 32100-2015 check: a character is mistyped or two are swapped (with these first 17 characters the 18th would be ''' || credit_code_check_char(left(c_credit_code, 17)) || ''')' END
        FROM import_rows WHERE NOT coalesce(credit_code_is_valid(c_credit_code), false)
        """,
        "SELECT line, 'industry', c_industry, '\(PatternRule.industry.rule)' FROM import_rows WHERE \(PatternRule.industry.isBroken(by: "c_industry"))",
        "SELECT line, 'contact', c_contact, 'rule.contact' FROM import_rows WHERE length(btrim(c_contact)) NOT BETWEEN 1 AND 100",
        "SELECT line, 'phone', c_phone, '\(PatternRule.phone.rule)' FROM import_rows WHERE \(PatternRule.phone.isBroken(by: "c_phone"))",
        "SELECT line, 'email', c_email, '\(PatternRule.email.rule)' FROM import_rows WHERE c_email IS NOT NULL AND (\(PatternRule.email.isBroken(by: "c_email")) OR length(c_email) > 254)",
        "SELECT line, 'park', c_park, 'rule.no_park' FROM import_rows s WHERE c_park IS NOT NULL AND NOT EXISTS (SELECT 1 FROM park p WHERE p.code = s.c_park)",
        "SELECT line, 'short_name', c_short_name, 'rule.short_name' FROM import_rows WHERE length(btrim(c_short_name)) > 8",
        """
        SELECT s.line, 'short_name', s.c_short_name, 'short name ' || btrim(s.c_short_name) || ' already names ' || t.name
        FROM import_rows s JOIN tenant t ON (t.short_name = btrim(s.c_short_name) OR t.name = btrim(s.c_short_name))
                                        AND t.credit_code IS DISTINCT FROM s.c_credit_code
        """,
        """
        SELECT line, 'short_name', c_short_name, 'line ' || first_line || ' gives this short name to another credit code' FROM (
            SELECT line, c_short_name, c_credit_code, first_value(line) OVER w AS first_line, first_value(c_credit_code) OVER w AS first_code
            FROM import_rows WHERE btrim(c_short_name) <> '' WINDOW w AS (PARTITION BY btrim(c_short_name) ORDER BY line)) d
        WHERE c_credit_code IS DISTINCT FROM first_code
        """,
        "SELECT line, 'stage', c_stage, 'rule.stage' FROM import_rows WHERE c_stage IS NOT NULL AND c_stage NOT IN ('applied', 'approved', 'rejected', 'lease_signed', 'fitting_out', 'moved_in', 'exiting', 'exited')",
        "SELECT line, 'stage', c_stage, 'rule.stage_needs_park' FROM import_rows WHERE c_stage IS NOT NULL AND c_park IS NULL",
        """
        SELECT line, 'credit_code', c_credit_code, 'the same tenant has an application in progress at this park on line ' || first_line FROM (
            SELECT line, c_credit_code, min(line) OVER (PARTITION BY c_credit_code, coalesce(c_park, '')) AS first_line FROM import_rows
            WHERE coalesce(c_stage, 'moved_in') NOT IN ('rejected', 'exited')) d
        WHERE line <> first_line
        """,
        """
        SELECT line, 'name', c_name, 'line ' || first_line || ' gives this credit code to ' || first_name FROM (
            SELECT line, c_name, first_value(line) OVER w AS first_line, first_value(c_name) OVER w AS first_name
            FROM import_rows WINDOW w AS (PARTITION BY c_credit_code ORDER BY line)) d
        WHERE c_name IS DISTINCT FROM first_name
        """,
        tenantNamed,
    ]
    static let tenantNamed =
        "SELECT s.line, 'name', s.c_name, 'credit code ' || s.c_credit_code || ' belongs to ' || t.name FROM import_rows s JOIN tenant t ON t.credit_code = s.c_credit_code WHERE t.name <> btrim(s.c_name)"

    static let applyTenants = [
        """
        INSERT INTO tenant (name, credit_code, industry, contact, phone, email, short_name)
        SELECT DISTINCT ON (c_credit_code) btrim(c_name), c_credit_code, c_industry, btrim(c_contact), c_phone, c_email,
               nullif(btrim(c_short_name), '')
        FROM import_rows s WHERE NOT EXISTS (SELECT 1 FROM tenant t WHERE t.credit_code = s.c_credit_code)
        ORDER BY c_credit_code, line
        """,
        """
        WITH o AS (
            INSERT INTO onboarding (park_id, tenant_id, stage)
            SELECT p.id, t.id, coalesce(s.c_stage, 'moved_in') FROM import_rows s
            JOIN park p ON p.code = s.c_park JOIN tenant t ON t.credit_code = s.c_credit_code
            ORDER BY s.line
            RETURNING id, park_id, stage
        )
        INSERT INTO onboarding_step (park_id, onboarding_id, from_stage, to_stage, effective_on, actor, reason)
        SELECT o.park_id, o.id, NULL, o.stage, park_local_date(p.time_zone),
               coalesce(nullif(current_setting('parkctl.actor', true), ''), session_user), 'imported'
        FROM o JOIN park p ON p.id = o.park_id
        """,
    ]

    // MARK: leases

    /// Lease units are split out of the `units` cell (separated by ; , or spaces). A unit
    /// held for part of the lease (added or released by an amendment) carries its days:
    /// `SW/B1/0301[2027-03-11..2027-06-15]`, either side empty for "from the start" or
    /// "to the end", as export writes it.
    static let leaseUnits = """
        CREATE TEMP TABLE import_lease_units ON COMMIT DROP AS
        SELECT s.line, x.name, m.address, u.id AS unit_id, u.park_id, u.off_market_reason, m.days_text,
               CASE WHEN m.days_text IS NULL THEN '(,)'::daterange
                    WHEN (m.first = '' OR parkctl_date(m.first) IS NOT NULL) AND (m.last = '' OR parkctl_date(m.last) IS NOT NULL)
                         AND coalesce(parkctl_date(nullif(m.first, '')) <= parkctl_date(nullif(m.last, '')), true)
                    THEN daterange(parkctl_date(nullif(m.first, '')), parkctl_date(nullif(m.last, '')) + 1) END AS agreed
        FROM import_rows s CROSS JOIN LATERAL unnest(regexp_split_to_array(btrim(s.c_units), '[;,[:space:]]+')) AS x(name)
        CROSS JOIN LATERAL (
            SELECT coalesce(r[1], x.name) AS address, r[2] AS days_text, r[3] AS first, r[4] AS last
            FROM (SELECT regexp_match(x.name, '^([^][]+)(\\[([^].]*)\\.\\.([^].]*)\\])$') AS r) rm) m
        LEFT JOIN (unit u JOIN building b ON b.id = u.building_id JOIN park p ON p.id = u.park_id)
               ON p.code || '/' || b.code || '/' || u.code = m.address
        WHERE x.name <> ''
        """

    static let leases = [
        "SELECT line, 'number', c_number, '\(PatternRule.leaseNumber.rule)' FROM import_rows WHERE c_number IS NOT NULL AND \(PatternRule.leaseNumber.isBroken(by: "c_number"))",
        "SELECT line, 'tenant_credit_code', c_tenant_credit_code, 'rule.no_tenant' FROM import_rows s WHERE NOT EXISTS (SELECT 1 FROM tenant t WHERE t.credit_code = s.c_tenant_credit_code)",
        "SELECT line, 'units', name, 'rule.no_unit' FROM import_lease_units WHERE unit_id IS NULL",
        "SELECT line, 'units', name, 'the unit is off the market (' || off_market_reason || ')' FROM import_lease_units WHERE off_market_reason IS NOT NULL",
        """
        SELECT line, 'units', string_agg(name, ';'), 'the units are in more than one park' FROM import_lease_units
        WHERE unit_id IS NOT NULL GROUP BY line HAVING count(DISTINCT park_id) > 1
        """,
        "SELECT line, 'units', name, 'rule.unit_twice' FROM (SELECT line, name, count(*) OVER (PARTITION BY line, address) AS n FROM import_lease_units) d WHERE n > 1",
        """
        SELECT line, 'units', name, 'a unit held for part of the lease is written SW/B1/0301[2027-03-11..2027-06-15] (real days, the first not after the last; either side may be empty)'
        FROM import_lease_units WHERE agreed IS NULL
        """,
        """
        SELECT u.line, 'units', u.name, 'the unit''s days lie outside the lease''s (' || s.c_start || ' to ' || coalesce(s.c_terminated_on, s.c_end) || ')'
        FROM import_lease_units u JOIN import_rows s ON s.line = u.line
        WHERE u.agreed IS NOT NULL AND parkctl_date(s.c_start) <= coalesce(parkctl_date(s.c_terminated_on), parkctl_date(s.c_end))
          AND isempty(u.agreed * daterange(parkctl_date(s.c_start), coalesce(parkctl_date(s.c_terminated_on), parkctl_date(s.c_end)) + 1))
        """,
        """
        SELECT s.line, 'units', s.c_units, 'the lease holds no unit on some of its days: every day from the start to the end needs a unit'
        FROM import_rows s JOIN import_lease_units u ON u.line = s.line
        WHERE parkctl_date(s.c_start) <= coalesce(parkctl_date(s.c_terminated_on), parkctl_date(s.c_end))
        GROUP BY s.line, s.c_units, s.c_start, s.c_end, s.c_terminated_on
        HAVING bool_and(u.agreed IS NOT NULL)
           AND NOT range_agg(u.agreed) @> daterange(parkctl_date(s.c_start), coalesce(parkctl_date(s.c_terminated_on), parkctl_date(s.c_end)) + 1)
        """,
        "SELECT line, 'start', c_start, 'rule.date' FROM import_rows WHERE parkctl_date(c_start) IS NULL",
        "SELECT line, 'end', c_end, 'rule.date' FROM import_rows WHERE parkctl_date(c_end) IS NULL",
        "SELECT line, 'end', c_end, 'the end must be after the start ' || c_start FROM import_rows WHERE parkctl_date(c_end) <= parkctl_date(c_start)",
        "SELECT line, 'end', c_end, 'a lease runs at most 20 years (民法典 art. 705): it ends before the 20th anniversary of ' || c_start FROM import_rows WHERE parkctl_date(c_end) >= parkctl_date(c_start) + interval '20 years'",
        "SELECT line, 'rent', c_rent, 'rule.rent' FROM import_rows WHERE coalesce(parkctl_decimal(c_rent, 2), 0) = 0",
        "SELECT line, 'property_fee', c_property_fee, 'rule.property_fee' FROM import_rows WHERE c_property_fee IS NOT NULL AND parkctl_decimal(c_property_fee, 2) IS NULL",
        "SELECT line, 'deposit', c_deposit, 'rule.deposit' FROM import_rows WHERE c_deposit IS NOT NULL AND parkctl_decimal(c_deposit, 2, 12) IS NULL",
        "SELECT line, 'escalation_pct', c_escalation_pct, 'rule.escalation' FROM import_rows WHERE c_escalation_pct IS NOT NULL AND coalesce(parkctl_decimal(c_escalation_pct, 2, 3), 1000) > 100",
        "SELECT line, 'cycle', c_cycle, 'rule.cycle' FROM import_rows WHERE c_cycle IS NOT NULL AND c_cycle NOT IN ('monthly', 'quarterly', 'semiannual', 'annual')",
        "SELECT line, 'status', c_status, 'rule.lease_status' FROM import_rows WHERE c_status IS NOT NULL AND c_status NOT IN ('signed', 'terminated')",
        """
        SELECT line, col, value, 'rule.window' FROM (
            SELECT line, 'free_from' AS col, c_free_from AS value, c_free_from AS f, c_free_to AS t, c_start, c_end FROM import_rows
            WHERE c_free_from IS NOT NULL OR c_free_to IS NOT NULL
            UNION ALL
            SELECT line, 'fit_out_from', c_fit_out_from, c_fit_out_from, c_fit_out_to, c_start, c_end FROM import_rows
            WHERE c_fit_out_from IS NOT NULL OR c_fit_out_to IS NOT NULL) w
        WHERE parkctl_date(f) IS NULL OR parkctl_date(t) IS NULL OR parkctl_date(f) > parkctl_date(t)
           OR parkctl_date(f) < parkctl_date(c_start) OR parkctl_date(t) > parkctl_date(c_end)
        """,
        """
        SELECT line, 'terminated_on', c_terminated_on, 'rule.terminated_last_day' FROM import_rows
        WHERE (c_status = 'terminated' AND (parkctl_date(c_terminated_on) IS NULL
               OR parkctl_date(c_terminated_on) NOT BETWEEN parkctl_date(c_start) AND parkctl_date(c_end) - 1))
           OR (coalesce(c_status, 'signed') <> 'terminated' AND c_terminated_on IS NOT NULL)
        """,
        """
        SELECT s.line, 'tenant_credit_code', s.c_tenant_credit_code, t.name || ' is not approved for park ' || p.code
        FROM import_rows s JOIN tenant t ON t.credit_code = s.c_tenant_credit_code
        JOIN (SELECT DISTINCT line, park_id FROM import_lease_units WHERE park_id IS NOT NULL) lu ON lu.line = s.line
        JOIN park p ON p.id = lu.park_id
        WHERE NOT EXISTS (SELECT 1 FROM onboarding o WHERE o.tenant_id = t.id AND o.park_id = lu.park_id
                          AND o.stage IN ('approved', 'lease_signed', 'fitting_out', 'moved_in', 'exiting', 'exited'))
        """,
        """
        SELECT s.line, 'renews', s.c_renews, 'rule.no_lease' FROM import_rows s
        WHERE s.c_renews IS NOT NULL AND NOT EXISTS (SELECT 1 FROM lease l WHERE l.number = s.c_renews)
          AND NOT EXISTS (SELECT 1 FROM import_rows e WHERE e.c_number = s.c_renews AND e.line < s.line)
        """,
    ]

    static let applyLeases = [
        """
        CREATE TEMP TABLE import_leases ON COMMIT DROP AS
        SELECT s.line, coalesce(s.c_number, parkctl_number('L', parkctl_date(s.c_start), nextval('lease_number_seq'))) AS number,
               (SELECT min(park_id) FROM import_lease_units u WHERE u.line = s.line) AS park_id, t.id AS tenant_id,
               daterange(parkctl_date(s.c_start), parkctl_date(s.c_end) + 1) AS term, parkctl_date(s.c_terminated_on) AS terminated_on,
               s.c_rent::numeric AS rent, coalesce(s.c_property_fee::numeric, 0) AS property_fee,
               CASE WHEN s.c_free_from IS NOT NULL THEN daterange(parkctl_date(s.c_free_from), parkctl_date(s.c_free_to) + 1) END AS free_window,
               CASE WHEN s.c_fit_out_from IS NOT NULL THEN daterange(parkctl_date(s.c_fit_out_from), parkctl_date(s.c_fit_out_to) + 1) END AS fit_out_window,
               coalesce(s.c_deposit::numeric, 0) AS deposit, coalesce(s.c_escalation_pct::numeric, 0) AS escalation_pct,
               coalesce(s.c_cycle, 'monthly') AS cycle, coalesce(s.c_status, 'signed') AS status, s.c_renews AS renews
        FROM import_rows s JOIN tenant t ON t.credit_code = s.c_tenant_credit_code
        """,
        """
        INSERT INTO lease (number, park_id, tenant_id, term, terminated_on, rent, property_fee, free_window, fit_out_window, deposit,
                           escalation_pct, cycle, status)
        SELECT number, park_id, tenant_id, term, terminated_on, rent, property_fee, free_window, fit_out_window, deposit,
               escalation_pct, cycle, status
        FROM import_leases ORDER BY line
        """,
        """
        INSERT INTO lease_unit (park_id, lease_id, unit_id, agreed, during, cancelled)
        SELECT l.park_id, l.id, u.unit_id, u.agreed, lease_unit_during(lease_occupancy(l.term, l.terminated_on), u.agreed),
               lease_unit_cancelled(l.status, lease_occupancy(l.term, l.terminated_on), u.agreed)
        FROM import_leases i JOIN lease l ON l.number = i.number JOIN import_lease_units u ON u.line = i.line
        ORDER BY i.line
        """,
        """
        UPDATE lease l SET renews_lease_id = r.id
        FROM import_leases i, lease r WHERE l.number = i.number AND r.number = i.renews AND i.renews IS NOT NULL
        """,
    ]

    // MARK: amendments

    /// The units an amendment names, split out of its two cells.
    static let amendmentUnits = """
        CREATE TEMP TABLE import_amendment_units ON COMMIT DROP AS
        SELECT s.line, c.col, x.name, u.id AS unit_id, lu.unit_id IS NOT NULL AS on_lease
        FROM import_rows s
        CROSS JOIN LATERAL (VALUES ('units_added', s.c_units_added), ('units_released', s.c_units_released)) AS c(col, cell)
        CROSS JOIN LATERAL unnest(regexp_split_to_array(btrim(c.cell), '[;,[:space:]]+')) AS x(name)
        LEFT JOIN (unit u JOIN building b ON b.id = u.building_id JOIN park p ON p.id = u.park_id)
               ON p.code || '/' || b.code || '/' || u.code = x.name
        LEFT JOIN lease l ON l.number = s.c_lease
        LEFT JOIN lease_unit lu ON lu.lease_id = l.id AND lu.unit_id = u.id
        WHERE c.cell IS NOT NULL AND x.name <> ''
        """

    static let amendments = [
        "SELECT line, 'lease', c_lease, 'rule.no_lease_import_first' FROM import_rows s WHERE NOT EXISTS (SELECT 1 FROM lease l WHERE l.number = s.c_lease)",
        "SELECT s.line, 'lease', s.c_lease, 'lease ' || l.number || ' is ' || l.status || ': only a signed or terminated lease has amendments' FROM import_rows s JOIN lease l ON l.number = s.c_lease WHERE l.status NOT IN ('signed', 'terminated')",
        "SELECT line, 'signed_on', c_signed_on, 'rule.date' FROM import_rows WHERE parkctl_date(c_signed_on) IS NULL",
        "SELECT line, 'from', c_from, 'rule.date' FROM import_rows WHERE c_from IS NOT NULL AND parkctl_date(c_from) IS NULL",
        "SELECT line, 'end_after', c_end_after, 'rule.date' FROM import_rows WHERE c_end_after IS NOT NULL AND parkctl_date(c_end_after) IS NULL",
        "SELECT line, 'end_before', c_end_before, 'rule.end_before' FROM import_rows WHERE (c_end_before IS NULL) <> (c_end_after IS NULL) OR (c_end_before IS NOT NULL AND (parkctl_date(c_end_before) IS NULL OR c_end_before = c_end_after))",
        "SELECT line, 'rent', c_rent, 'rule.rent' FROM import_rows WHERE c_rent IS NOT NULL AND coalesce(parkctl_decimal(c_rent, 2), 0) = 0",
        "SELECT line, 'property_fee', c_property_fee, 'rule.property_fee' FROM import_rows WHERE c_property_fee IS NOT NULL AND parkctl_decimal(c_property_fee, 2) IS NULL",
        "SELECT line, 'note', c_note, 'rule.note' FROM import_rows WHERE length(c_note) > 500",
        """
        SELECT line, 'from', c_from, 'rule.amendment_from' FROM import_rows
        WHERE c_from IS NULL AND (c_rent IS NOT NULL OR c_property_fee IS NOT NULL OR c_units_added IS NOT NULL OR c_units_released IS NOT NULL)
        """,
        """
        SELECT line, 'rent', c_rent, 'rule.amendment_changes' FROM import_rows
        WHERE c_rent IS NULL AND c_property_fee IS NULL AND c_end_after IS NULL AND c_units_added IS NULL AND c_units_released IS NULL
        """,
        """
        SELECT s.line, 'from', s.c_from, 'lease ' || l.number || ' runs ' || lower(l.term) || ' to '
               || (upper(lease_occupancy(l.term, l.terminated_on)) - 1) || ': an amendment takes effect within it'
        FROM import_rows s JOIN lease l ON l.number = s.c_lease
        WHERE parkctl_date(s.c_from) IS NOT NULL AND NOT lease_occupancy(l.term, l.terminated_on) @> parkctl_date(s.c_from)
        """,
        "SELECT line, col, name, 'rule.no_unit' FROM import_amendment_units WHERE unit_id IS NULL",
        "SELECT line, col, name, 'rule.unit_not_on_lease' FROM import_amendment_units WHERE unit_id IS NOT NULL AND NOT on_lease",
    ]

    static let applyAmendments = [
        """
        INSERT INTO lease_amendment (park_id, lease_id, signed_on, effective_on, rent, property_fee, end_before, end_after,
                                     units_added, units_released, note, imported)
        SELECT l.park_id, l.id, parkctl_date(s.c_signed_on), parkctl_date(s.c_from), s.c_rent::numeric, s.c_property_fee::numeric,
               parkctl_date(s.c_end_before), parkctl_date(s.c_end_after),
               ARRAY(SELECT u.unit_id FROM import_amendment_units u WHERE u.line = s.line AND u.col = 'units_added' ORDER BY u.unit_id),
               ARRAY(SELECT u.unit_id FROM import_amendment_units u WHERE u.line = s.line AND u.col = 'units_released' ORDER BY u.unit_id),
               s.c_note, true
        FROM import_rows s JOIN lease l ON l.number = s.c_lease
        ORDER BY s.line
        """,
    ]

    // MARK: rules a constraint also enforces

    /// The rules whose breach a unique or exclusion constraint also refuses on insert
    /// (duplicates in the file or in the database, overlapping leases): the import runs
    /// them only when it needs the list (see ImportService).
    static func enforcedByConstraints(_ entity: TransferEntity) -> [String] {
        switch entity {
        case .parks: parksEnforced
        case .buildings: buildingsEnforced
        case .units: unitsEnforced
        case .tenants: tenantsEnforced
        case .leases: leasesEnforced
        case .amendments: []
        case .readings: readingsEnforced
        case .stats: statsEnforced
        case .tickets, .audit: []
        }
    }

    static let parksEnforced = [
        """
        SELECT line, 'code', c_code, 'the same park is on line ' || first_line FROM (
            SELECT line, c_code, min(line) OVER (PARTITION BY c_code) AS first_line FROM import_rows) d WHERE line <> first_line
        """,
        parkExists,
    ]
    static let parkExists =
        "SELECT s.line, 'code', s.c_code, 'park ' || s.c_code || ' exists already: ' || p.name FROM import_rows s JOIN park p ON p.code = s.c_code"

    static let buildingsEnforced = [
        """
        SELECT line, 'building', c_building, 'the same building is on line ' || first_line FROM (
            SELECT line, c_building, min(line) OVER (PARTITION BY c_park, c_building) AS first_line FROM import_rows) d WHERE line <> first_line
        """,
        buildingExists,
    ]
    static let buildingExists =
        "SELECT s.line, 'building', s.c_building, 'building ' || s.c_park || '/' || s.c_building || ' exists already' FROM import_rows s JOIN park p ON p.code = s.c_park JOIN building b ON b.park_id = p.id AND b.code = s.c_building"

    static let unitsEnforced = [
        """
        SELECT line, 'unit', c_unit, 'the same unit is on line ' || first_line FROM (
            SELECT line, c_unit, min(line) OVER (PARTITION BY c_park, c_building, c_unit) AS first_line FROM import_rows) d WHERE line <> first_line
        """,
        unitExists,
    ]
    static let unitExists = """
        SELECT s.line, 'unit', s.c_unit, 'unit ' || s.c_park || '/' || s.c_building || '/' || s.c_unit || ' exists already'
        FROM import_rows s JOIN park p ON p.code = s.c_park JOIN building b ON b.park_id = p.id AND b.code = s.c_building
        JOIN unit u ON u.building_id = b.id AND u.code = s.c_unit
        """

    static let tenantsEnforced = [tenantApplicationExists]
    static let tenantApplicationExists = """
        SELECT s.line, 'park', s.c_park, t.name || ' has an application at ' || s.c_park || ' already (stage ' || o.stage || ')'
        FROM import_rows s JOIN tenant t ON t.credit_code = s.c_credit_code JOIN park p ON p.code = s.c_park
        JOIN onboarding o ON o.tenant_id = t.id AND o.park_id = p.id AND o.stage NOT IN ('rejected', 'exited')
        WHERE coalesce(s.c_stage, 'moved_in') NOT IN ('rejected', 'exited')
        """

    /// The rules that refuse a row because its key is recorded already: an `--update`
    /// import changes that row instead of refusing it.
    static let keyRecorded: Set<String> = [parkExists, buildingExists, unitExists, tenantNamed, tenantApplicationExists, statFiled]

    /// Each unit of each file lease with the days it holds it (up to its termination).
    static let leaseDays = """
        WITH o AS (
            SELECT * FROM (
                SELECT u.line, u.name, u.unit_id,
                       daterange(parkctl_date(s.c_start), coalesce(parkctl_date(s.c_terminated_on), parkctl_date(s.c_end)) + 1)
                       * u.agreed AS during
                FROM import_lease_units u JOIN import_rows s ON s.line = u.line
                WHERE u.unit_id IS NOT NULL AND u.agreed IS NOT NULL
                  AND parkctl_date(s.c_start) < coalesce(parkctl_date(s.c_terminated_on), parkctl_date(s.c_end)) + 1) d
            WHERE NOT isempty(during)
        )
        """

    static let leasesEnforced = [
        """
        SELECT line, 'number', c_number, 'the same lease number is on line ' || first_line FROM (
            SELECT line, c_number, min(line) OVER (PARTITION BY c_number) AS first_line FROM import_rows WHERE c_number IS NOT NULL) d
        WHERE line <> first_line
        """,
        "SELECT s.line, 'number', s.c_number, 'lease ' || s.c_number || ' exists already' FROM import_rows s JOIN lease l ON l.number = s.c_number",
        // Overlaps inside the file, on the days each lease holds its units.
        """
        \(leaseDays)
        SELECT b.line, 'units', b.name, 'overlaps the lease on line ' || min(a.line) || ' for the same unit'
        FROM o a JOIN o b ON a.unit_id = b.unit_id AND a.line < b.line AND a.during && b.during
        GROUP BY b.line, b.name
        """,
        // Overlaps with leases already recorded.
        """
        \(leaseDays)
        SELECT o.line, 'units', o.name, 'the unit is leased under ' || min(l.number) || ' for some of these days'
        FROM o JOIN lease_unit lu ON lu.unit_id = o.unit_id AND NOT lu.cancelled AND lu.during && o.during
        JOIN lease l ON l.id = lu.lease_id
        GROUP BY o.line, o.name
        """,
    ]
}
