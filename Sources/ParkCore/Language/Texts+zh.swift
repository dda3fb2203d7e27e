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

        "plan_state.leased": "已租", "plan_state.expiring": "即将到期(≤90天)", "plan_state.fitting_out": "装修中",
        "plan_state.reserved": "已预订", "plan_state.vacant": "空置", "plan_state.off_market": "不可租",

        // The rows of a report (its scope) and of a statement (its entries).
        "scope.park": "园区", "scope.building": "楼栋", "scope.floor": "楼层", "scope.kind": "类型", "scope.total": "合计",
        "scope.lease": "合同", "scope.tenant": "租户", "scope.fee": "费用", "scope.category_priority": "类别·优先级",
        "entry.bill": "账单", "entry.credit": "贷项", "entry.void": "作废", "entry.waiver": "减免", "entry.payment": "收款",
        "entry.reversal": "冲销", "entry.refund": "退款", "entry.opening": "期初", "entry.closing": "期末",

        // The titles of charts.
        "chart.occupancy": "出租率(按面积,已租÷可租)", "chart.trend": "各月末出租率(按面积)",

        // 常见错误的提示（{name} 处填入值）。
        "error.park_not_found": "园区 '{code}' 不存在",
        "error.parks_are": "（现有园区：{parks}）",
        "error.building_not_found": "楼栋 '{address}' 不存在",
        "error.buildings_are": "（{park} 的楼栋：{buildings}）",
        "error.unit_not_found": "单元 '{address}' 不存在",
        "error.tenant_code_not_found": "统一社会信用代码为 '{code}' 的租户不存在",
        "error.tenant_name_not_found": "名为 '{name}' 的租户不存在",
        "error.find_tenant": "（查找租户：parkctl tenant list --name 关键字）",
        "error.lease_not_found": "合同 '{number}' 不存在",
        "error.ticket_not_found": "工单 '{number}' 不存在",
        "error.bill_not_found": "账单 '{number}' 不存在",
        "error.payment_not_found": "收款 '{number}' 不存在",
        "error.did_you_mean": "；您是不是要找 {names}？",
        "error.not_a_date": "{field} '{text}' 不是日期：请写 YYYY-MM-DD，且须是存在的日期",
        "text.none_yet": "暂无",
        "text.or": " 或 ",

        // Words of the text around tables.
        "text.yes": "是", "text.no": "否",
        "text.as_of": "截至", "text.legend": "图例",

        // Column headers of tables and CSV（表格与 CSV 的列名）。
        "column.action": "操作", "column.actor": "操作人", "column.actor_name": "操作人姓名", "column.address": "地址",
        "column.allocated": "已分配", "column.allocations": "分配明细", "column.amount": "金额", "column.applications": "入驻申请",
        "column.applied_at": "申请时间", "column.applied_on": "核销日期", "column.area_leased_m2": "已租面积(㎡)",
        "column.area_m2": "面积(㎡)", "column.area_off_market_m2": "不可租面积(㎡)", "column.area_reserved_m2": "预订面积(㎡)",
        "column.area_total_m2": "总面积(㎡)", "column.area_vacant_m2": "空置面积(㎡)", "column.assignee": "处理人",
        "column.assignee_name": "处理人姓名", "column.at": "时间", "column.balance": "余额", "column.bill": "账单",
        "column.billed": "应收", "column.breached": "超时", "column.building": "楼栋", "column.buildings": "楼栋数",
        "column.by": "录入人", "column.category": "类别", "column.changes": "变更", "column.checklist": "入驻清单",
        "column.checklist_complete": "清单已完成", "column.clock": "计时方式", "column.closed_at": "关闭时间",
        "column.closing_balance": "期末余额", "column.code": "代码", "column.collected": "实收", "column.contact": "联系人",
        "column.created_at": "创建时间", "column.created_by": "创建人", "column.credit": "预收",
        "column.credit_code": "统一社会信用代码", "column.credit_kept": "保留预收", "column.current_property_fee": "现行物业费(元/㎡/月)",
        "column.current_rent": "现行租金(元/㎡/月)", "column.cycle": "付款周期", "column.d1_30": "逾期1-30天",
        "column.d31_60": "逾期31-60天", "column.d61_90": "逾期61-90天", "column.d91_180": "逾期91-180天", "column.date": "日期",
        "column.day": "日期", "column.days": "天数", "column.days_left": "剩余天数", "column.days_vacant": "空置天数",
        "column.deductions": "扣款", "column.delivered_on": "交付日期", "column.deposit": "押金",
        "column.deposit_held": "押金余额", "column.description": "描述", "column.display_name": "姓名",
        "column.document": "文件", "column.done": "已完成", "column.done_at": "完成时间", "column.due_on": "到期日",
        "column.email": "邮箱", "column.end": "到期日", "column.end_after": "新到期日", "column.end_before": "原到期日",
        "column.end_reason": "结束原因", "column.entity": "对象", "column.escalation_pct": "递增率(%)", "column.fee": "费用",
        "column.first_response_at": "首次响应时间", "column.fit_out_from": "装修开始", "column.fit_out_to": "装修结束",
        "column.floor": "楼层", "column.floors": "地上层数", "column.floors_below": "地下层数", "column.free_days": "免租天数",
        "column.free_from": "免租开始", "column.free_to": "免租结束", "column.from": "自", "column.grace_days": "宽限天数",
        "column.id": "编号", "column.in_rate": "计入收缴率", "column.industries": "产业定位", "column.industry": "行业",
        "column.invoice": "发票", "column.invoiced": "已开票", "column.issued_on": "开具日期", "column.item": "事项",
        "column.key": "键", "column.kind": "类型", "column.label": "名称", "column.last_day": "最后一天",
        "column.late_fee_rate": "滞纳金日费率", "column.lease": "合同", "column.lease_end": "合同到期日", "column.lines": "明细",
        "column.list_rent": "挂牌租金(元/㎡/月)", "column.met_share": "达标率", "column.method": "方式", "column.month": "月份",
        "column.month_end": "月末", "column.month_property_fee_due": "本月应收物业费", "column.month_rent_due": "本月应收租金",
        "column.name": "名称", "column.next_escalation": "下次递增", "column.no": "序号", "column.not_due": "未到期",
        "column.note": "备注", "column.number": "编号", "column.occupancy_rate_area": "出租率(面积)",
        "column.occupancy_rate_units": "出租率(套数)", "column.off_market": "不可租", "column.off_market_reason": "不可租原因",
        "column.on": "日期", "column.open_now": "未结", "column.opened": "新建", "column.opened_at": "报修时间",
        "column.opening_balance": "期初余额", "column.outstanding": "未收", "column.over_180": "逾期180天以上",
        "column.overdue_days": "逾期天数", "column.override_reason": "特批原因", "column.paid": "已付", "column.park": "园区",
        "column.parks": "园区", "column.pay_within_days": "付款期限(天)", "column.period_end": "账期结束",
        "column.period_start": "账期开始", "column.phone": "电话", "column.priority": "优先级",
        "column.property_fee": "物业费(元/㎡/月)", "column.property_fee_due": "应收物业费",
        "column.property_fee_tax_rate": "物业费税率", "column.property_fee_until": "物业费计至", "column.rate": "收缴率",
        "column.reason": "原因", "column.received_on": "收款日期", "column.reference": "凭证号", "column.refund": "退款",
        "column.refunded": "已退", "column.refunds": "退款明细", "column.renewal": "续租", "column.renewed": "已续租",
        "column.renewed_by": "续租合同", "column.renews": "续租自", "column.rent": "租金(元/㎡/月)", "column.rent_due": "应收租金",
        "column.rent_per_m2": "租金单价(元/㎡/月)", "column.rent_tax_rate": "租金税率", "column.rent_until": "租金计至",
        "column.reporter": "报修人", "column.resolution": "解决时限", "column.resolution_breached": "解决超时",
        "column.resolution_due_at": "解决截止", "column.resolution_hours_median": "解决时长中位数(小时)",
        "column.resolution_hours_p90": "解决时长P90(小时)", "column.resolved": "已解决", "column.resolved_at": "解决时间",
        "column.response": "响应时限", "column.response_breached": "响应超时", "column.response_due_at": "响应截止",
        "column.response_hours_median": "响应时长中位数(小时)", "column.response_hours_p90": "响应时长P90(小时)",
        "column.reversal_reason": "冲销原因", "column.reversed_on": "冲销日期", "column.revoked_at": "撤销时间",
        "column.revoked_by": "撤销人", "column.role": "角色", "column.scope": "范围", "column.settled_on": "结算日期",
        "column.short_name": "简称", "column.signed_on": "签订日期", "column.source": "来源", "column.stage": "阶段",
        "column.start": "起租日", "column.state": "状态", "column.status": "状态", "column.still_owed": "尚欠",
        "column.tax": "税额", "column.tax_rate": "税率", "column.tenant": "租户", "column.terminated_on": "解约日期",
        "column.timeline": "进度", "column.title": "标题", "column.to": "至", "column.total": "合计",
        "column.unallocated": "未分配", "column.unchecked": "撤销勾选", "column.undone_at": "撤销时间",
        "column.undone_by": "撤销人", "column.uninvoiced": "未开票", "column.unit": "单元", "column.units": "单元",
        "column.units_added": "新增单元", "column.units_leased": "已租套数", "column.units_leaving": "退租单元",
        "column.units_off_market": "不可租套数", "column.units_released": "退租单元", "column.units_reserved": "预订套数",
        "column.units_total": "总套数", "column.units_vacant": "空置套数", "column.utility_tax_rate": "水电费税率",
        "column.vacant_since": "空置起始日", "column.waived": "已减免", "column.waived_on": "减免日期",
        "column.wanted_area_m2": "意向面积(㎡)", "column.wanted_kind": "意向类型",
        "column.amendments": "补充协议", "column.as_of": "截至日期", "column.billing": "计费设置", "column.building_list": "楼栋列表",
        "column.events": "事件", "column.field": "字段", "column.fitting_out": "装修中", "column.invoices": "发票",
        "column.schedule": "租金计划", "column.source_bill": "原账单", "column.units_for_part_of_the_term": "部分租期的单元",
        "column.value": "值", "column.void_reason": "作废原因", "column.voided_on": "作废日期", "column.waivers": "减免记录",
    ]
}
