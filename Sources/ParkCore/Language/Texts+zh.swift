// 目录的中文文本（见 Catalogue.swift），键与英文文件一一对应。
extension Language {
    static let chinese: [String: String] = [
        "park_kind.software": "软件园", "park_kind.ecommerce": "电商园",
        "park_kind.factory": "标准厂房", "park_kind.mixed": "综合园区",

        "unit_kind.office": "办公", "unit_kind.factory": "厂房", "unit_kind.live_room": "直播间",
        "unit_kind.selection_center": "选品中心", "unit_kind.warehouse": "仓库",
        "unit_kind.showroom": "展厅", "unit_kind.retail": "商铺", "unit_kind.dormitory": "宿舍",

        "unit_status.leased": "已出租", "unit_status.reserved": "已预订", "unit_status.vacant": "空置",
        "unit_status.off_market": "不可租",

        "stage.applied": "已申请", "stage.approved": "已批准", "stage.rejected": "已拒绝",
        "stage.lease_signed": "已签约", "stage.fitting_out": "装修中", "stage.moved_in": "已入驻",
        "stage.exiting": "退租中", "stage.exited": "已退租",

        "lease_status.draft": "草稿", "lease_status.signed": "已签约", "lease_status.terminated": "已解约",
        "lease_status.cancelled": "已作废",

        "payment_cycle.monthly": "月付", "payment_cycle.quarterly": "季付",
        "payment_cycle.semiannual": "半年付", "payment_cycle.annual": "年付",

        "category.repair": "报修", "category.property": "物业", "category.network": "网络",
        "category.security": "安保", "category.cleaning": "保洁", "category.policy": "政策咨询",
        "category.financing": "融资", "category.other": "其他",

        "priority.urgent": "紧急", "priority.high": "高", "priority.normal": "普通", "priority.low": "低",

        "ticket_status.open": "待处理", "ticket_status.assigned": "已派单", "ticket_status.in_progress": "处理中",
        "ticket_status.resolved": "已解决", "ticket_status.closed": "已关闭", "ticket_status.cancelled": "已取消",

        "clock.working": "工作时间", "clock.24x7": "全天候",

        "payment_method.bank": "银行转账", "payment_method.wechat": "微信", "payment_method.alipay": "支付宝",
        "payment_method.cash": "现金", "payment_method.other": "其他",

        "fee.rent": "租金", "fee.property_fee": "物业费", "fee.deposit": "押金",
        "fee.late_fee": "滞纳金", "fee.utility": "水电费", "fee.adjustment": "调整",

        "bill_status.open": "未结清", "bill_status.paid": "已结清", "bill_status.void": "已作废", "bill_status.credit": "贷项",
    ]
}
