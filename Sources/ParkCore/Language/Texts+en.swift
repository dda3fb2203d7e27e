// The English texts of the catalogue (see Catalogue.swift). Keys are sorted by family.
extension Language {
    static let english: [String: String] = [
        "park_kind.software": "software park", "park_kind.ecommerce": "e-commerce park",
        "park_kind.factory": "standard factories", "park_kind.mixed": "mixed",

        "unit_kind.office": "office", "unit_kind.factory": "factory", "unit_kind.live_room": "live room",
        "unit_kind.selection_center": "selection centre", "unit_kind.warehouse": "warehouse",
        "unit_kind.showroom": "showroom", "unit_kind.retail": "shop", "unit_kind.dormitory": "dormitory",

        "unit_status.leased": "leased", "unit_status.reserved": "reserved", "unit_status.vacant": "vacant",
        "unit_status.off_market": "off market",

        "stage.applied": "applied", "stage.approved": "approved", "stage.rejected": "rejected",
        "stage.lease_signed": "lease signed", "stage.fitting_out": "fitting out", "stage.moved_in": "moved in",
        "stage.exiting": "moving out", "stage.exited": "moved out",

        "lease_status.draft": "draft", "lease_status.signed": "signed", "lease_status.terminated": "terminated",
        "lease_status.cancelled": "cancelled",

        "payment_cycle.monthly": "monthly", "payment_cycle.quarterly": "quarterly",
        "payment_cycle.semiannual": "half-yearly", "payment_cycle.annual": "yearly",

        "category.repair": "repair", "category.property": "property", "category.network": "network",
        "category.security": "security", "category.cleaning": "cleaning", "category.policy": "policy",
        "category.financing": "financing", "category.other": "other",

        "priority.urgent": "urgent", "priority.high": "high", "priority.normal": "normal", "priority.low": "low",

        "ticket_status.open": "open", "ticket_status.assigned": "assigned", "ticket_status.in_progress": "in progress",
        "ticket_status.resolved": "resolved", "ticket_status.closed": "closed", "ticket_status.cancelled": "cancelled",

        "clock.working": "working hours", "clock.24x7": "round the clock",

        "payment_method.bank": "bank transfer", "payment_method.wechat": "WeChat Pay", "payment_method.alipay": "Alipay",
        "payment_method.cash": "cash", "payment_method.other": "other",

        "fee.rent": "rent", "fee.property_fee": "property fee", "fee.deposit": "deposit",
        "fee.late_fee": "late fee", "fee.utility": "utilities", "fee.adjustment": "adjustment",

        "bill_status.open": "open", "bill_status.paid": "paid", "bill_status.void": "void", "bill_status.credit": "credit",
    ]
}
