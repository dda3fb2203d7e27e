/// What can be imported and exported, with the CSV columns of each, written once:
/// export selects each column's `exported` expression under the column's name, and
/// import reads the same names (Chinese aliases too), so export → import into an
/// empty database round-trips.
public enum TransferEntity: String, Vocabulary {
    case parks, buildings, units, tenants, leases, amendments, readings, stats, tickets, audit
    public static let fieldName = "entity"

    public struct Column: Sendable {
        public let name: String
        public let aliases: [String]
        public let required: Bool
        /// How import reads the column's cells (and which unit its header may name).
        public let kind: CellKind

        /// The aliases in Chinese (面积, 建筑面积), not the English ones (area).
        public var chineseAliases: [String] { aliases.filter { $0.unicodeScalars.contains { $0.value >= 0x3000 } } }
        /// The column's header in `language`: its name, or in Chinese its first Chinese
        /// name with the unit it is in, 营业收入(万元) (import reads both).
        public func header(in language: Language) -> String {
            guard language == .zh, let alias = chineseAliases.first else { return name }
            return kind.units.first.map { "\(alias)(\($0))" } ?? alias
        }
        /// The SQL expression export writes in this column (program text over the
        /// tables of ``exportSource(inPark:)``, never input).
        let exported: String
    }

    static func column(_ name: String, _ aliases: [String] = [], required: Bool = false, kind: CellKind = .text,
                       exported: String) -> Column {
        Column(name: name, aliases: aliases, required: required, kind: kind, exported: exported)
    }

    /// An instant as Excel reads a date and time, in the park's zone: 2026-12-02 13:22:25.
    static func local(_ expression: String, zone: String = "p.time_zone") -> String {
        "to_char(\(expression) AT TIME ZONE \(zone), 'YYYY-MM-DD HH24:MI:SS')"
    }

    /// Free text a spreadsheet could run as a formula gets a leading `'` (parkctl_csv_text).
    static func text(_ expression: String) -> String { "parkctl_csv_text(\(expression))" }

    /// Whether import reads this entity (tickets and the audit trail are export-only).
    public var isImportable: Bool { self != .tickets && self != .audit }

    /// The columns import reads (nil for entities that are export-only).
    public var importColumns: [Column]? { isImportable ? columns : nil }

    /// Every column of the entity's CSV, in order.
    public var columns: [Column] {
        switch self {
        case .parks:
            [Self.column("code", ["园区代码", "代码", "园区编号", "park"], required: true, exported: "p.code"),
             Self.column("name", ["园区名称", "名称"], required: true, exported: Self.text("p.name")),
             Self.column("kind", ["类型", "园区类型"], required: true, kind: .label(ParkKind.self), exported: "p.kind"),
             Self.column("industries", ["产业定位", "行业"], kind: .label(Industry.codesOfNames), exported: "array_to_string(p.industries, ',')"),
             Self.column("address", ["地址"], exported: Self.text("p.address"))]
        case .buildings:
            [Self.column("park", ["园区", "园区代码", "所属园区"], required: true, exported: "p.code"),
             Self.column("building", ["楼栋", "楼栋代码", "楼号", "code"], required: true, exported: "b.code"),
             Self.column("name", ["楼栋名称", "名称"], required: true, exported: Self.text("b.name")),
             Self.column("floors", ["楼层数", "层数", "地上层数"], required: true, kind: .integer(floor: false), exported: "b.floors_above"),
             Self.column("floors_below", ["地下层数"], kind: .integer(floor: false), exported: "b.floors_below"),
             Self.column("delivered_on", ["交付日期", "竣工日期"], kind: .date, exported: "b.delivered_on")]
        case .units:
            [Self.column("park", ["园区", "园区代码", "所属园区"], required: true, exported: "p.code"),
             Self.column("building", ["楼栋", "楼号"], required: true, exported: "b.code"),
             Self.column("unit", ["单元", "房号", "房源", "房间号", "单元号", "code"], required: true, exported: "u.code"),
             Self.column("floor", ["楼层", "所在楼层"], required: true, kind: .integer(floor: true), exported: "u.floor"),
             Self.column("area_m2", ["面积", "建筑面积", "租赁面积", "计租面积", "area"], required: true, kind: .number(units: CellKind.areaUnits),
                         exported: "u.area_m2"),
             Self.column("kind", ["类型", "房源类型", "用途"], required: true, kind: .label(UnitKind.self), exported: "u.kind"),
             Self.column("list_rent", ["租金", "挂牌租金", "挂牌价", "rent"], required: true, kind: .number(units: CellKind.rentUnits),
                         exported: "u.list_rent"),
             Self.column("off_market_reason", ["不可租原因"], exported: Self.text("u.off_market_reason"))]
        case .tenants:
            [Self.column("name", ["公司名", "公司名称", "企业名称", "租户名称"], required: true, exported: Self.text("t.name")),
             Self.column("credit_code", ["统一社会信用代码", "信用代码", "社会信用代码"], required: true, exported: "t.credit_code"),
             Self.column("industry", ["行业", "所属行业"], required: true, kind: .label { Industry.codeOfName($0) }, exported: "t.industry"),
             Self.column("contact", ["联系人"], required: true, exported: Self.text("t.contact")),
             Self.column("phone", ["电话", "联系电话", "手机", "手机号"], required: true, exported: Self.text("t.phone")),
             Self.column("email", ["邮箱", "电子邮件"], exported: Self.text("t.email")),
             Self.column("park", ["园区", "园区代码", "所属园区"], exported: "p.code"),
             Self.column("stage", ["阶段", "入驻阶段"], kind: .label(OnboardingStage.self), exported: "o.stage"),
             Self.column("short_name", ["简称"], exported: Self.text("t.short_name"))]
        case .leases:
            [Self.column("number", ["合同编号", "编号"], exported: "l.number"),
             Self.column("tenant_credit_code", ["统一社会信用代码", "信用代码", "tenant"], required: true, exported: "t.credit_code"),
             // A unit held for part of the lease carries its agreed days: SW/B1/0301[2027-03-11..].
             Self.column("units", ["单元", "房源"], required: true, exported: """
                (SELECT string_agg(p2.code || '/' || b.code || '/' || u.code
                                   || CASE WHEN lu.agreed <> '(,)'::daterange
                                           THEN '[' || coalesce(lower(lu.agreed)::text, '') || '..'
                                                || coalesce((upper(lu.agreed) - 1)::text, '') || ']' ELSE '' END,
                                   ';' ORDER BY b.code, u.floor, u.code)
                 FROM lease_unit lu JOIN unit u ON u.id = lu.unit_id JOIN building b ON b.id = u.building_id
                 JOIN park p2 ON p2.id = u.park_id
                 WHERE lu.lease_id = l.id AND NOT isempty(lease_occupancy(l.term, l.terminated_on) * lu.agreed))
                """),
             Self.column("start", ["起租日", "开始日期", "租赁开始日期", "合同开始日期"], required: true, kind: .date, exported: "lower(l.term)"),
             Self.column("end", ["到期日", "结束日期", "租赁结束日期", "合同结束日期"], required: true, kind: .date, exported: "upper(l.term) - 1"),
             Self.column("rent", ["租金", "租金单价"], required: true, kind: .number(units: CellKind.rentUnits), exported: "l.rent"),
             Self.column("property_fee", ["物业费", "物业费单价"], kind: .number(units: CellKind.rentUnits), exported: "l.property_fee"),
             Self.column("free_from", ["免租开始", "免租期开始"], kind: .date, exported: "lower(l.free_window)"),
             Self.column("free_to", ["免租结束", "免租期结束"], kind: .date, exported: "upper(l.free_window) - 1"),
             Self.column("fit_out_from", ["装修开始", "装修期开始"], kind: .date, exported: "lower(l.fit_out_window)"),
             Self.column("fit_out_to", ["装修结束", "装修期结束"], kind: .date, exported: "upper(l.fit_out_window) - 1"),
             Self.column("deposit", ["押金", "保证金", "履约保证金"], kind: .number(units: CellKind.moneyUnits), exported: "l.deposit"),
             Self.column("escalation_pct", ["递增", "递增率", "年递增率", "租金递增"], kind: .percent, exported: "l.escalation_pct"),
             Self.column("cycle", ["付款周期", "付款方式", "支付方式"], kind: .label(PaymentCycle.self), exported: "l.cycle"),
             Self.column("status", ["状态", "合同状态"], kind: .label(LeaseStatus.self), exported: "l.status"),
             Self.column("terminated_on", ["解约日期", "退租日期"], kind: .date, exported: "l.terminated_on"),
             Self.column("renews", ["续租自"], exported: "r.number")]
        case .amendments:
            // Numbered anew, after the lease's own, in the file's order; the units and
            // end of an amendment are recorded (the leases file holds their result).
            [Self.column("number", ["补充协议编号"], exported: "a.number"),
             Self.column("lease", ["合同编号"], required: true, exported: "l.number"),
             Self.column("signed_on", ["签订日期", "签约日期"], required: true, kind: .date, exported: "a.signed_on"),
             Self.column("from", ["生效日期"], kind: .date, exported: "a.effective_on"),
             Self.column("rent", ["租金", "租金单价"], kind: .number(units: CellKind.rentUnits), exported: "a.rent"),
             Self.column("property_fee", ["物业费", "物业费单价"], kind: .number(units: CellKind.rentUnits), exported: "a.property_fee"),
             Self.column("end_before", ["原到期日"], kind: .date, exported: "a.end_before"),
             Self.column("end_after", ["新到期日"], kind: .date, exported: "a.end_after"),
             Self.column("units_added", ["新增单元"], exported: Self.unitList("a.units_added")),
             Self.column("units_released", ["退租单元"], exported: Self.unitList("a.units_released")),
             Self.column("note", ["备注"], exported: Self.text("a.note")),
             Self.column("by", ["录入人"], exported: Self.text("a.actor"))]
        case .readings:
            // The monthly sheet a meter reader brings back: meter, day, register.
            [Self.column("park", ["园区", "园区代码"], required: true, exported: "p.code"),
             Self.column("meter", ["表号", "表编号", "电表号", "水表号", "表计编号"], required: true, exported: "m.code"),
             Self.column("day", ["抄表日期", "抄表日", "日期"], required: true, kind: .date, exported: "r.read_on"),
             Self.column("value", ["读数", "本期读数", "本月读数", "止码", "本期止码"], required: true, kind: .number(units: []),
                         exported: "r.value"),
             Self.column("kind", ["抄表类型"], kind: .label(ReadingKind.self), exported: "r.kind"),
             // A time-of-use meter's band (峰/平/谷, 尖); blank for an ordinary meter's one register.
             Self.column("register", ["时段", "费率", "计费时段"], kind: .label(MeterRegister.self),
                         exported: "nullif(r.register, 'total')")]
        case .stats:
            // The zone's return (企业统计报表): one row per enterprise and period, amounts in 万元.
            [Self.column("park", ["园区", "园区代码"], required: true, exported: "p.code"),
             Self.column("credit_code", ["统一社会信用代码", "社会信用代码", "信用代码"], required: true, exported: "t.credit_code"),
             Self.column("name", ["企业名称", "单位名称", "名称"], exported: Self.text("t.name")),
             Self.column("period", ["统计期", "报告期", "期间"], required: true, kind: .label { try? StatPeriod(parsing: $0).description },
                         exported: "CASE s.period_kind WHEN 'quarter' THEN to_char(s.period_start, 'YYYY') || '-Q' || extract(quarter FROM s.period_start) "
                                   + "WHEN 'month' THEN to_char(s.period_start, 'YYYY-MM') ELSE to_char(s.period_start, 'YYYY') END"),
             Self.column("revenue", ["营业收入"], kind: .number(units: CellKind.tenThousandYuan), exported: "s.revenue"),
             Self.column("industrial_output", ["工业总产值", "产值"], kind: .number(units: CellKind.tenThousandYuan), exported: "s.industrial_output"),
             Self.column("tax_paid", ["纳税额", "纳税总额", "实缴税金", "税收"], kind: .number(units: CellKind.tenThousandYuan), exported: "s.tax_paid"),
             Self.column("rd_spend", ["研发投入", "研发经费", "研发费用"], kind: .number(units: CellKind.tenThousandYuan), exported: "s.rd_spend"),
             Self.column("employees", ["从业人员", "从业人员期末人数", "员工人数"], kind: .integer(floor: false), exported: "s.employees"),
             Self.column("source", ["数据来源", "核实状态"], kind: .label(StatSource.self), exported: "s.source")]
        case .tickets:
            [Self.column("number", exported: "t.number"), Self.column("park", exported: "p.code"),
             Self.column("tenant_credit_code", exported: "tn.credit_code"),
             Self.column("unit", exported: "CASE WHEN u.id IS NOT NULL THEN p.code || '/' || b.code || '/' || u.code END"),
             Self.column("category", exported: "t.category"), Self.column("priority", exported: "t.priority"),
             Self.column("title", exported: Self.text("t.title")), Self.column("description", exported: Self.text("t.description")),
             Self.column("reporter", exported: Self.text("t.reporter")), Self.column("assignee", exported: Self.text("t.assignee")),
             Self.column("status", exported: "t.status"), Self.column("clock", exported: "t.clock"),
             Self.column("opened_at", exported: Self.local("t.opened_at")),
             Self.column("first_response_at", exported: Self.local("t.first_response_at")),
             Self.column("resolved_at", exported: Self.local("t.resolved_at")), Self.column("closed_at", exported: Self.local("t.closed_at")),
             Self.column("response_due_at", exported: Self.local("t.response_due_at")),
             Self.column("resolution_due_at", exported: Self.local("t.resolution_due_at"))]
        case .audit:
            [Self.column("id", exported: "a.id"),
             Self.column("at", exported: Self.local("a.at", zone: "coalesce(p.time_zone, (SELECT s.value FROM parkctl_setting s WHERE s.key = 'default_time_zone'))")),
             Self.column("actor", exported: Self.text("a.actor")), Self.column("entity", exported: "a.table_name"),
             Self.column("key", exported: Self.text("a.row_key")), Self.column("label", exported: Self.text("a.label")),
             Self.column("action", exported: "a.action"), Self.column("park", exported: "p.code"),
             Self.column("old_row", exported: Self.text("a.old_row::text")),
             Self.column("new_row", exported: Self.text("a.new_row::text"))]
        }
    }

    /// Units named by id in an array column, as the file writes them: SW/B1/0301;SW/B1/0302.
    static func unitList(_ ids: String) -> String {
        """
        (SELECT string_agg(up.code || '/' || b.code || '/' || u.code, ';' ORDER BY b.code, u.floor, u.code)
         FROM unnest(\(ids)) x JOIN unit u ON u.id = x JOIN building b ON b.id = u.building_id
         JOIN park up ON up.id = u.park_id)
        """
    }

    /// What export reads from, its park condition (`p.code`, or `true` for the whole
    /// export) and its order.
    func exportSource(inPark: String) -> String {
        switch self {
        case .parks:
            "FROM park p WHERE \(inPark) ORDER BY p.code"
        case .buildings:
            "FROM building b JOIN park p ON p.id = b.park_id WHERE \(inPark) ORDER BY p.code, b.code"
        case .units:
            """
            FROM unit u JOIN building b ON b.id = u.building_id JOIN park p ON p.id = u.park_id
            WHERE \(inPark) ORDER BY p.code, b.code, u.floor, u.code
            """
        case .tenants:
            """
            FROM tenant t LEFT JOIN onboarding o ON o.tenant_id = t.id LEFT JOIN park p ON p.id = o.park_id
            WHERE \(inPark) ORDER BY t.credit_code, p.code NULLS FIRST, o.applied_at, o.id
            """
        case .leases:
            """
            FROM lease l JOIN tenant t ON t.id = l.tenant_id JOIN park p ON p.id = l.park_id
            LEFT JOIN lease r ON r.id = l.renews_lease_id
            WHERE l.status IN ('signed', 'terminated') AND \(inPark) ORDER BY lower(l.term), l.number
            """
        case .amendments:
            """
            FROM lease_amendment a JOIN lease l ON l.id = a.lease_id JOIN park p ON p.id = a.park_id
            WHERE \(inPark) ORDER BY lower(l.term), l.number, a.seq
            """
        case .readings:
            """
            FROM meter_reading r JOIN meter m ON m.id = r.meter_id JOIN park p ON p.id = r.park_id
            WHERE \(inPark) ORDER BY p.code, m.code, r.read_on, array_position('{total,sharp,peak,flat,valley}'::text[], r.register)
            """
        case .stats:
            """
            FROM enterprise_stat s JOIN park p ON p.id = s.park_id JOIN tenant t ON t.id = s.tenant_id
            WHERE \(inPark) AND (nullif(current_setting('parkctl.export_period_kind', true), '') IS NULL
                                 OR (s.period_kind = current_setting('parkctl.export_period_kind', true)
                                     AND s.period_start = nullif(current_setting('parkctl.export_period_start', true), '')::date))
            ORDER BY s.period_start, s.period_kind, p.code, t.name
            """
        case .tickets:
            """
            FROM ticket t JOIN park p ON p.id = t.park_id JOIN tenant tn ON tn.id = t.tenant_id
            LEFT JOIN unit u ON u.id = t.unit_id LEFT JOIN building b ON b.id = u.building_id
            WHERE \(inPark) ORDER BY t.opened_at, t.number
            """
        case .audit:
            "FROM audit_log a LEFT JOIN park p ON p.id = a.park_id WHERE \(inPark) ORDER BY a.id"
        }
    }
}
