/// What can be imported and exported, with the CSV columns of each: export writes
/// exactly these headers and import reads them (Chinese aliases too), so export →
/// import into an empty database round-trips.
public enum TransferEntity: String, Vocabulary {
    case parks, buildings, units, tenants, leases, amendments, tickets, audit
    public static let fieldName = "entity"

    public struct Column: Sendable {
        public let name: String
        public let aliases: [String]
        public let required: Bool
    }

    static func column(_ name: String, _ aliases: [String] = [], required: Bool = false) -> Column {
        Column(name: name, aliases: aliases, required: required)
    }

    /// The columns import reads (nil for entities that are export-only).
    public var importColumns: [Column]? {
        switch self {
        case .parks:
            [Self.column("code", ["园区代码", "代码", "park"], required: true), Self.column("name", ["园区名称", "名称"], required: true),
             Self.column("kind", ["类型", "园区类型"], required: true), Self.column("industries", ["产业定位", "行业"]),
             Self.column("address", ["地址"])]
        case .buildings:
            [Self.column("park", ["园区"], required: true), Self.column("building", ["楼栋", "楼栋代码", "code"], required: true),
             Self.column("name", ["楼栋名称", "名称"], required: true), Self.column("floors", ["楼层数", "地上层数"], required: true),
             Self.column("floors_below", ["地下层数"]), Self.column("delivered_on", ["交付日期"])]
        case .units:
            [Self.column("park", ["园区"], required: true), Self.column("building", ["楼栋"], required: true),
             Self.column("unit", ["单元", "房号", "房源", "code"], required: true), Self.column("floor", ["楼层"], required: true),
             Self.column("area_m2", ["面积", "建筑面积", "租赁面积", "area"], required: true),
             Self.column("kind", ["类型", "房源类型"], required: true), Self.column("list_rent", ["租金", "挂牌租金", "rent"], required: true),
             Self.column("off_market_reason", ["不可租原因"])]
        case .tenants:
            [Self.column("name", ["公司名", "公司名称", "企业名称"], required: true),
             Self.column("credit_code", ["统一社会信用代码", "信用代码"], required: true),
             Self.column("industry", ["行业"], required: true), Self.column("contact", ["联系人"], required: true),
             Self.column("phone", ["电话", "联系电话"], required: true), Self.column("email", ["邮箱", "电子邮件"]),
             Self.column("park", ["园区"]), Self.column("stage", ["阶段"]), Self.column("short_name", ["简称"])]
        case .leases:
            [Self.column("number", ["合同编号", "编号"]), Self.column("tenant_credit_code", ["统一社会信用代码", "信用代码", "tenant"], required: true),
             Self.column("units", ["单元", "房源"], required: true), Self.column("start", ["起租日", "开始日期"], required: true),
             Self.column("end", ["到期日", "结束日期"], required: true), Self.column("rent", ["租金"], required: true),
             Self.column("property_fee", ["物业费"]), Self.column("free_from", ["免租开始"]), Self.column("free_to", ["免租结束"]),
             Self.column("fit_out_from", ["装修开始"]), Self.column("fit_out_to", ["装修结束"]), Self.column("deposit", ["押金", "保证金"]),
             Self.column("escalation_pct", ["递增", "递增率"]), Self.column("cycle", ["付款周期"]), Self.column("status", ["状态"]),
             Self.column("terminated_on", ["解约日期"]), Self.column("renews", ["续租自"])]
        case .amendments:
            // Numbered anew, after the lease's own, in the file's order; the units and
            // end of an amendment are recorded (the leases file holds their result).
            [Self.column("number", ["补充协议编号"]), Self.column("lease", ["合同编号"], required: true),
             Self.column("signed_on", ["签订日期"], required: true), Self.column("from", ["生效日期"]),
             Self.column("rent", ["租金"]), Self.column("property_fee", ["物业费"]), Self.column("end_before", ["原到期日"]),
             Self.column("end_after", ["新到期日"]), Self.column("units_added", ["新增单元"]),
             Self.column("units_released", ["退租单元"]), Self.column("note", ["备注"]), Self.column("by", ["录入人"])]
        case .tickets, .audit:
            nil
        }
    }
}
