import Foundation
import Postgres

/// The demo portfolio, modelled on the Hengyang high-tech zone's parks as the
/// newspaper article describes them (shared/seed): the software park opened on
/// 28 October, the e-commerce park on 19 November (2020), and the Mangrove
/// standard factories, phase 2 handed over building by building.
///
/// Company names are the article's; their credit codes are synthetic but pass the
/// GB 32100-2015 check. Loading is one transaction and happens once: a second run
/// finds the three parks and changes nothing.
public struct DemoPortfolio {
    let session: ParkSession

    public init(_ session: ParkSession) { self.session = session }

    public struct Summary: Sendable, Equatable {
        public var loaded: Bool
        public var parks: Int
        public var buildings: Int
        public var units: Int
        public var tenants: Int
        public var applications: Int
        public var leases: Int
        public var tickets: Int
        public var bills: Int = 0
        public var payments: Int = 0
    }

    static let parkCodes = ["SW", "EC", "MF"]

    /// Loads the demo if none of its parks exist; returns what the database holds.
    @discardableResult
    public func load() throws -> Summary {
        try session.write { conn in
            // Serialise two demo runs at once: the second waits and then finds it loaded.
            try conn.execute("SELECT pg_advisory_xact_lock(\(Int64(0x6465_6D6F)))")
            let present = try conn.query("SELECT code FROM park WHERE code = ANY(\(Self.parkCodes))").rows
                .map { try $0.decode(0, as: String.self) }
            let today: CalendarDate = try conn.query("SELECT park_today(NULL)").rows[0].decode(0)
            let now: Date = try conn.query("SELECT now()").rows[0].decode(0)
            if present.count == Self.parkCodes.count {
                // Loaded before, perhaps by an older parkctl: add the parts that came later.
                let before = try summary(conn, loaded: false)
                if before.leases == 0 { try loadLeases(today: today) }
                if before.tickets == 0 { try loadTickets(today: today, now: now) }
                if before.bills == 0 { try loadReceivables(today: today, conn) }
                let meters = try conn.query("SELECT count(*) FROM meter m JOIN park p ON p.id = m.park_id WHERE p.code = 'MF'").rows[0]
                    .decode(0, as: Int.self)
                if meters == 0 { try loadUtilities(today: today) }
                let stats = try conn.query("SELECT count(*) FROM enterprise_stat").rows[0].decode(0, as: Int.self)
                if stats == 0 { try loadStatistics(today: today, conn) }
                if try conn.query("SELECT count(*) FROM lead").rows[0].decode(0, as: Int.self) == 0 { try loadPipeline() }
                if try conn.query("SELECT count(*) FROM account_manager").rows[0].decode(0, as: Int.self) == 0 {
                    try loadEnterpriseCare(today: today, conn)
                }
                return try summary(conn, loaded: before.leases == 0 || before.tickets == 0 || before.bills == 0 || meters == 0 || stats == 0)
            }
            guard present.isEmpty else {
                throw ParkError(.conflict, "the demo needs parks SW, EC and MF to be new, but \(present.joined(separator: ", ")) exist already; load the demo into an empty database")
            }
            try loadSoftwarePark()
            try loadEcommercePark()
            try loadFactories()
            try loadLeases(today: today)
            try loadTickets(today: today, now: now)
            try loadReceivables(today: today, conn)
            try loadUtilities(today: today)
            try loadStatistics(today: today, conn)
            try loadPipeline()
            try loadEnterpriseCare(today: today, conn)
            return try summary(conn, loaded: true)
        }
    }

    private func summary(_ conn: Connection, loaded: Bool) throws -> Summary {
        let row = try conn.query("""
            SELECT (SELECT count(*) FROM park WHERE code = ANY(\(Self.parkCodes))) AS parks,
                   (SELECT count(*) FROM building b JOIN park p ON p.id = b.park_id WHERE p.code = ANY(\(Self.parkCodes))) AS buildings,
                   (SELECT count(*) FROM unit u JOIN park p ON p.id = u.park_id WHERE p.code = ANY(\(Self.parkCodes))) AS units,
                   (SELECT count(DISTINCT o.tenant_id) FROM onboarding o JOIN park p ON p.id = o.park_id WHERE p.code = ANY(\(Self.parkCodes))) AS tenants,
                   (SELECT count(*) FROM onboarding o JOIN park p ON p.id = o.park_id WHERE p.code = ANY(\(Self.parkCodes))) AS applications,
                   (SELECT count(*) FROM lease l JOIN park p ON p.id = l.park_id WHERE p.code = ANY(\(Self.parkCodes))) AS leases,
                   (SELECT count(*) FROM ticket t JOIN park p ON p.id = t.park_id WHERE p.code = ANY(\(Self.parkCodes))) AS tickets,
                   (SELECT count(*) FROM bill b JOIN park p ON p.id = b.park_id WHERE p.code = ANY(\(Self.parkCodes))) AS bills,
                   (SELECT count(*) FROM payment x JOIN park p ON p.id = x.park_id WHERE p.code = ANY(\(Self.parkCodes))) AS payments
            """).rows[0]
        return Summary(loaded: loaded, parks: try row.decode("parks"), buildings: try row.decode("buildings"),
                       units: try row.decode("units"), tenants: try row.decode("tenants"),
                       applications: try row.decode("applications"), leases: try row.decode("leases"),
                       tickets: try row.decode("tickets"), bills: try row.decode("bills"), payments: try row.decode("payments"))
    }

    /// The Mangrove factories' meters and three months of readings (to the last three
    /// month ends): for each delivered building a master electricity meter behind an 80×
    /// transformer, a sub-meter per floor and a public meter (lifts, lighting), its usage
    /// shared by leased area and the master's loss by tenant; a water meter per floor.
    /// Tariffs from 2020; last month's electricity calculated, left to confirm and post.
    private func loadUtilities(today: CalendarDate) throws {
        let meters = MeterService(session)
        let utilities = UtilityService(session)
        // The month ends: installed on the fourth before today's month, read on the next three.
        let monthStart = CalendarDate(year: today.year, month: today.month, day: 1)!
        var ends: [CalendarDate] = []
        for back in (1...4).reversed() {
            var year = monthStart.year, month = monthStart.month - back + 1
            while month < 1 { month += 12; year -= 1 }
            ends.append(CalendarDate(year: year, month: month, day: 1)!.adding(days: -1))
        }
        let mf = { (code: String) in MeterAddress(park: "MF", code: code) }
        for n in 1...5 {
            let building = "P2-\(n)"
            let masterCode = "E-\(building)"
            var master = Decimal(2_000 * n)
            try meters.add(mf(masterCode), .init(kind: .electricity, multiplier: 80, installedOn: ends[0], initial: .single(master),
                                                 note: "\(n)号楼总表 (400/5 互感器)"))
            try meters.add(mf("\(masterCode)-PUB"), .init(kind: .electricity, parent: masterCode, installedOn: ends[0], note: "电梯、公共照明"))
            // Building 1's floors have time-of-use meters (峰平谷), as a factory on an industrial supply does.
            let bands = n == 1 ? MeterRegister.threeBands : [.total]
            for floor in 1...4 {
                try meters.add(mf("\(masterCode)-F\(floor)"), .init(kind: .electricity, unit: UnitAddress(park: "MF", building: building, unit: "F\(floor)"),
                                                                parent: masterCode, registers: bands, installedOn: ends[0]))
                try meters.add(mf("W-\(building)-F\(floor)"), .init(kind: .water, unit: UnitAddress(park: "MF", building: building, unit: "F\(floor)"),
                                                                installedOn: ends[0]))
            }
            var registers = [Int](repeating: 0, count: 5)   // floors 1-4, public
            var water = [Int](repeating: 0, count: 4)
            for (month, end) in ends.dropFirst().enumerated() {
                var used = 0
                for floor in 1...4 {
                    // A factory floor draws 9,000-20,000 kWh a month; the first floors most.
                    let kwh = 9_000 + 2_500 * (4 - floor) + 700 * n + 400 * month
                    registers[floor - 1] += kwh
                    used += kwh
                    if n == 1 {
                        // 35 % at peak, 25 % at valley, the rest flat (registers all started at 0).
                        let peak = registers[floor - 1] * 35 / 100, valley = registers[floor - 1] * 25 / 100
                        try meters.read(mf("\(masterCode)-F\(floor)"), on: end,
                                        values: .bands([.peak: Decimal(peak), .flat: Decimal(registers[floor - 1] - peak - valley), .valley: Decimal(valley)]))
                    } else {
                        try meters.read(mf("\(masterCode)-F\(floor)"), on: end, value: Decimal(registers[floor - 1]))
                    }
                    water[floor - 1] += 60 + 15 * floor + 5 * month   // m³
                    try meters.read(mf("W-\(building)-F\(floor)"), on: end, value: Decimal(water[floor - 1]))
                }
                let lifts = 1_800 + 100 * month
                registers[4] += lifts
                try meters.read(mf("\(masterCode)-PUB"), on: end, value: Decimal(registers[4]))
                // The master measures about 4% more than the meters under it (the loss), in whole
                // steps of its 80× register.
                master += Decimal((used + lifts) * 104 / 100 / 80)
                try meters.read(mf(masterCode), on: end, value: master)
            }
            try utilities.share(mf("\(masterCode)-PUB"), by: .area)
            try utilities.share(mf(masterCode), by: .tenants)
        }
        let since2020 = CalendarDate(year: 2020, month: 1, day: 1)!
        // Time-of-use (分时): flat 0.72, peak 1.15, valley 0.36 a kWh; ordinary meters, shares and losses at 0.72.
        try utilities.setTariff(park: "MF", kind: .electricity, from: since2020, basePrice: Decimal(string: "0.72")!,
                                bands: TimeOfUsePrices(peak: Decimal(string: "1.15")!, valley: Decimal(string: "0.36")!))
        try utilities.setTariff(park: "MF", kind: .water, from: since2020, basePrice: Decimal(string: "4.10")!)
        let last = try utilities.open(park: "MF", kind: .electricity, from: ends[2].adding(days: 1), to: ends[3])
        try utilities.calculate(last.number)
    }

    /// The enterprise statistics (企业统计) of the last five complete quarters, so that the
    /// last has its same quarter a year before: every tenant holding a unit in a quarter
    /// files revenue, tax and employees (factories their output, technology tenants their
    /// R&D), growing 1-5 % a quarter; all verified but the last quarter's, and the
    /// first tenant of EC has not filed the last one yet (report stats-missing). The
    /// parks' land in 亩 gives their tax per mu.
    private func loadStatistics(today: CalendarDate, _ conn: Connection) throws {
        try conn.execute("UPDATE park SET land_mu = CASE code WHEN 'SW' THEN 180 WHEN 'EC' THEN 95 ELSE 260 END WHERE code = ANY(\(Self.parkCodes))")
        try conn.execute("""
            WITH quarters AS (
                SELECT n, (date_trunc('quarter', \(today)::date) - (n + 1) * interval '3 months')::date AS start FROM generate_series(0, 4) n
            ), held AS (
                SELECT DISTINCT l.park_id, l.tenant_id, q.n, q.start
                FROM quarters q JOIN lease_unit lu ON NOT lu.cancelled AND lu.during && enterprise_stat_days('quarter', q.start)
                JOIN lease l ON l.id = lu.lease_id AND l.status IN ('signed', 'terminated')
                JOIN park p ON p.id = l.park_id AND p.code = ANY(\(Self.parkCodes))
            )
            INSERT INTO enterprise_stat (park_id, tenant_id, period_kind, period_start, revenue, industrial_output, tax_paid, rd_spend, employees)
            SELECT h.park_id, h.tenant_id, 'quarter', h.start, round(b.revenue * (1 - b.growth * h.n), 2),
                   CASE WHEN p.kind = 'factory' THEN round(b.revenue * 1.3 * (1 - b.growth * h.n), 2) END,
                   round(b.revenue * 0.065 * (1 - b.growth * h.n), 2),
                   CASE WHEN t.industry IN ('software', 'internet', 'ai', 'electronics', 'semiconductors', 'security_electronics', 'acoustics')
                        THEN round(b.revenue * 0.11, 2) END,
                   b.employees
            FROM held h JOIN tenant t ON t.id = h.tenant_id JOIN park p ON p.id = h.park_id
            CROSS JOIN LATERAL (SELECT (300 + ('x' || substr(md5(t.credit_code), 1, 6))::bit(24)::int % 2700)::numeric AS revenue,
                                       20 + ('x' || substr(md5(t.name), 1, 6))::bit(24)::int % 480 AS employees,
                                       (1 + ('x' || substr(md5(t.credit_code), 7, 4))::bit(16)::int % 5) / 100.0 AS growth) b
            WHERE NOT (h.n = 0 AND h.tenant_id = (SELECT min(x.tenant_id) FROM held x JOIN park xp ON xp.id = x.park_id
                                                   WHERE x.n = 0 AND xp.code = 'EC'))
            """)
        try conn.execute("""
            UPDATE enterprise_stat SET source = 'verified'
            WHERE period_start < (date_trunc('quarter', \(today)::date) - interval '3 months')::date
            """)
    }

    /// The investment pipeline (招商): five leads of the software and e-commerce parks at
    /// their stages, with follow-ups (one due today), one lost, one in the shared pool.
    private func loadPipeline() throws {
        let leads = LeadService(session)
        let zhigu = try leads.add(.init(park: "SW", company: "长沙智谷科技", industry: "ai", source: .event, wantedAreaM2: 800,
                                        wantedKind: .office, contact: "周明", phone: "0731-8888001"))
        try leads.followUp(zhigu.number, way: .visit, note: "参观园区,意向 800㎡ 办公,关注人才公寓", nextStepOn: nil)
        try leads.advance(zhigu.number, to: .negotiating)
        let kuaishou = try leads.add(.init(park: "EC", company: "湘江直播电商", industry: "live_streaming", source: .referral, wantedAreaM2: 300,
                                           wantedKind: .liveRoom, contact: "黄丽", phone: "0734-8100301"))
        let today = try session.read { conn in try conn.query("SELECT park_today(NULL)").rows[0].decode(0, as: CalendarDate.self) }
        try leads.followUp(kuaishou.number, way: .call, note: "需要 6 间直播间,下周来看场地", nextStepOn: today)
        try leads.advance(kuaishou.number, to: .contacted)
        let drone = try leads.add(.init(park: "SW", company: "衡阳无人机科技", industry: "equipment", source: .government,
                                        wantedAreaM2: 1_500, contact: "陈刚", phone: "0734-8100302"))
        try leads.lose(drone.number, reason: "选择了长沙经开区")
        try leads.add(.init(park: "SW", company: "湘南数据服务", industry: "software", source: .online, wantedAreaM2: 200,
                            wantedKind: .office, contact: "刘洋", phone: "0734-8100303", take: false))
        let mcn = try leads.add(.init(park: "EC", company: "雁城 MCN 机构", industry: "live_streaming", source: .walkIn, wantedAreaM2: 150,
                                      wantedKind: .liveRoom, contact: "王敏", phone: "0734-8100304"))
        try leads.advance(mcn.number, to: .visited)
    }

    /// Serving the settled enterprises (持续跟踪服务): each tenant in place today has the
    /// operator as its account manager; a third were visited ten days ago, a third last
    /// 100 days ago (so not this quarter), a third never; the first has a call whose next
    /// step is due today.
    private func loadEnterpriseCare(today: CalendarDate, _ conn: Connection) throws {
        try conn.execute("""
            INSERT INTO account_manager (park_id, tenant_id, manager, since)
            SELECT ip.park_id, ip.tenant_id, parkctl_actor(), \(today) FROM tenants_in_place(daterange(\(today), \(today), '[]')) ip
            """)
        try conn.execute("""
            INSERT INTO lead_follow_up (park_id, tenant_id, happened_on, way, note, next_step_on)
            SELECT park_id, tenant_id, \(today) - CASE n % 3 WHEN 1 THEN 10 ELSE 100 END,
                   CASE n % 3 WHEN 1 THEN 'visit' ELSE 'meeting' END,
                   CASE n % 3 WHEN 1 THEN '走访:经营正常,咨询人才公寓与扩租' ELSE '座谈:了解用工与融资需求' END, NULL::date
            FROM (SELECT ip.park_id, ip.tenant_id, row_number() OVER (ORDER BY t.name) AS n
                  FROM tenants_in_place(daterange(\(today), \(today), '[]')) ip JOIN tenant t ON t.id = ip.tenant_id) m
            WHERE n % 3 <> 0
            UNION ALL
            (SELECT ip.park_id, ip.tenant_id, \(today) - 3, 'call', '电话回访:提出停车位不足,约本周上门', \(today)
             FROM tenants_in_place(daterange(\(today), \(today), '[]')) ip JOIN tenant t ON t.id = ip.tenant_id
             ORDER BY t.name LIMIT 1)
            """)
    }

    /// The receivables: every bill through today; each paid on its due day, but for
    /// 鲸灵集团 (EC), whose bills of the last 100 days are unpaid (in arrears, with late
    /// fees), and 海康威视 (SW), which paid 5000.00 ahead (credit); 江一's lease, ended
    /// early in 2025, settled with its deposit refunded.
    private func loadReceivables(today: CalendarDate, _ conn: Connection) throws {
        let arrears = Self.creditCode(region: "330100", serial: 202), ahead = Self.creditCode(region: "330100", serial: 102)
        try conn.execute("SELECT bill_run(\(today))")
        try conn.execute("""
            INSERT INTO payment (number, park_id, tenant_id, amount, received_on, method, reference)
            SELECT payment_next_number(b.due_on), b.park_id, b.tenant_id, b.amount, b.due_on, 'bank', '银行流水 ' || b.number
            FROM bill b JOIN tenant t ON t.id = b.tenant_id
            WHERE b.due_on <= \(today) AND b.amount > 0 AND NOT (t.credit_code = \(arrears) AND b.due_on > \(today)::date - 100)
            ORDER BY b.due_on, b.id
            """)
        try conn.execute("""
            INSERT INTO payment (number, park_id, tenant_id, amount, received_on, method, reference)
            SELECT payment_next_number(\(today)::date - 2), p.id, t.id, 5000.00, \(today)::date - 2, 'wechat', '预付'
            FROM tenant t, park p WHERE t.credit_code = \(ahead) AND p.code = 'SW'
            """)
        try conn.execute("""
            SELECT count(*) FROM (SELECT DISTINCT park_id, tenant_id FROM payment ORDER BY tenant_id, park_id) x
            CROSS JOIN LATERAL receivables_allocate(x.park_id, x.tenant_id)
            """)
        try conn.execute("SELECT late_fee_run(\(today))")
        let ended: String? = try conn.query("""
            SELECT l.number FROM lease l JOIN tenant t ON t.id = l.tenant_id
            WHERE t.credit_code = \(Self.creditCode(region: "430400", serial: 104)) AND l.status = 'terminated'
            """).rows.first?.decode(0)
        if let ended { _ = try SettlementService(session).settle(ended, on: date("2025-07-05")) }
    }

    private func date(_ s: String) -> CalendarDate { CalendarDate(s)! }
    private func money(_ s: String) -> Decimal { Decimal(string: s)! }

    /// A valid synthetic credit code: 91 (enterprise), the region, MA4 and a serial.
    static func creditCode(region: String, serial: Int) -> String {
        let serialText = String(serial)
        let first17 = "91" + region + "MA4" + String(repeating: "0", count: 6 - serialText.count) + serialText
        return CreditCode.make(first17)!
    }

    private struct DemoTenant {
        var name: String
        var region: String
        var serial: Int
        var industry: String
        var contact: String
        var phone: String
        var wantedArea: String
        var wantedKind: UnitKind
        var code: String { DemoPortfolio.creditCode(region: region, serial: serial) }
    }

    private func onboard(_ t: DemoTenant, park: String, applied: String, approve: String?, override: String? = nil,
                         reject: String? = nil, checks: [ChecklistItem] = []) throws {
        let tenants = TenantService(session)
        try tenants.apply(.init(park: park, name: t.name, creditCode: t.code, industry: t.industry, contact: t.contact,
                                phone: t.phone, wantedAreaM2: money(t.wantedArea), wantedKind: t.wantedKind, on: date(applied)))
        if let reject {
            try tenants.reject(creditCode: t.code, park: park, reason: reject, on: date(applied).adding(days: 5))
            return
        }
        if let approve {
            try tenants.approve(creditCode: t.code, park: park, override: override, on: date(approve))
        }
        for item in checks { try tenants.check(creditCode: t.code, park: park, item: item) }
    }

    // 湘南湘西软件产业园: offices for software and digital firms.
    private func loadSoftwarePark() throws {
        let portfolio = PortfolioService(session)
        try portfolio.addPark(code: "SW", name: "湘南湘西软件产业园", kind: .software,
                              industries: ["software", "internet", "ai", "digital_media"], address: "湖南省衡阳市高新区")
        for (code, name, floors) in [("B1", "1号楼", 12), ("B2", "2号楼", 8)] {
            let building = BuildingAddress(park: "SW", building: code)
            try portfolio.addBuilding(building, name: name, floorsAbove: floors, deliveredOn: date("2020-10-28"))
            for floor in 1...floors {
                for (i, area) in ["486.20", "256.50", "256.50", "312.80"].enumerated() {
                    let unit = UnitAddress(park: "SW", building: code, unit: String(format: "%02d%02d", floor, i + 1))
                    let rent = floor >= 10 ? "42.00" : (floor == 1 ? "45.00" : "38.00")
                    try portfolio.addUnit(unit, floor: floor, areaM2: money(area), kind: floor == 1 && i == 0 ? .showroom : .office,
                                          listRent: money(rent))
                }
            }
        }
        try portfolio.setOffMarket(UnitAddress(park: "SW", building: "B2", unit: "0804"), reason: "屋面防水维修 (roof repair)")
        let all: [ChecklistItem] = ChecklistItem.allCases
        try onboard(DemoTenant(name: "腾讯数字乡村总部", region: "430400", serial: 101, industry: "internet", contact: "李明",
                               phone: "0734-8100101", wantedArea: "1500", wantedKind: .office),
                    park: "SW", applied: "2020-09-01", approve: "2020-09-10", checks: all)
        try onboard(DemoTenant(name: "海康威视", region: "330100", serial: 102, industry: "security_electronics", contact: "王芳",
                               phone: "0571-8807-0102", wantedArea: "1000", wantedKind: .office),
                    park: "SW", applied: "2020-09-05", approve: "2020-09-15",
                    override: "视觉AI与软件研发中心，符合园区数字经济定位", checks: [.businessLicense, .fireSafety, .depositPaid])
        try onboard(DemoTenant(name: "博思软件", region: "350100", serial: 103, industry: "software", contact: "陈静",
                               phone: "0591-8750-0103", wantedArea: "800", wantedKind: .office),
                    park: "SW", applied: "2020-09-12", approve: "2020-09-20", checks: [.businessLicense, .fitOutPlan])
        try onboard(DemoTenant(name: "将邑智能", region: "430400", serial: 104, industry: "ai", contact: "刘洋",
                               phone: "0734-8100104", wantedArea: "500", wantedKind: .office),
                    park: "SW", applied: "2020-10-08", approve: "2020-10-12", checks: [.businessLicense])
        try onboard(DemoTenant(name: "衡阳峰峰侠", region: "430400", serial: 105, industry: "software", contact: "赵峰",
                               phone: "0734-8100105", wantedArea: "256.50", wantedKind: .office),
                    park: "SW", applied: "2020-10-20", approve: "2020-10-26")
        try onboard(DemoTenant(name: "乐送ai", region: "430400", serial: 106, industry: "ai", contact: "孙悦",
                               phone: "0734-8100106", wantedArea: "300", wantedKind: .office),
                    park: "SW", applied: "2020-11-02", approve: nil)
        try onboard(DemoTenant(name: "湘味餐饮管理", region: "430400", serial: 107, industry: "catering", contact: "周强",
                               phone: "0734-8100107", wantedArea: "200", wantedKind: .retail),
                    park: "SW", applied: "2020-11-03", approve: nil, reject: "餐饮不符合软件园产业定位 (catering is outside the positioning)")
    }

    // 衡阳高新电商产业园: 100 live-streaming rooms, a 6,000 m² selection centre, offices on floors 1-4.
    private func loadEcommercePark() throws {
        let portfolio = PortfolioService(session)
        try portfolio.addPark(code: "EC", name: "衡阳高新电商产业园", kind: .ecommerce,
                              industries: ["ecommerce", "live_streaming", "logistics", "software"], address: "湖南省衡阳市高新区")
        let main = BuildingAddress(park: "EC", building: "A")
        try portfolio.addBuilding(main, name: "电商大楼", floorsAbove: 6, deliveredOn: date("2020-11-19"))
        for floor in 1...4 {
            for i in 1...6 {
                try portfolio.addUnit(UnitAddress(park: "EC", building: "A", unit: String(format: "%d%02d", floor, i)), floor: floor,
                                      areaM2: money(i == 1 ? "420.00" : "180.00"), kind: .office, listRent: money("32.00"))
            }
        }
        // 100 live rooms in different styles (直播间), floors 5 and 6, 50 a floor.
        let styles = ["S", "M", "L"]   // small, medium, large studio sets
        for floor in 5...6 {
            for i in 1...50 {
                let style = styles[(i - 1) % 3]
                let area = style == "S" ? "28.00" : (style == "M" ? "42.50" : "65.00")
                try portfolio.addUnit(UnitAddress(park: "EC", building: "A", unit: "LR\(floor)\(String(format: "%02d", i))\(style)"),
                                      floor: floor, areaM2: money(area), kind: .liveRoom, listRent: money(style == "L" ? "60.00" : "55.00"))
            }
        }
        let centre = BuildingAddress(park: "EC", building: "SC")
        try portfolio.addBuilding(centre, name: "选品中心", floorsAbove: 1, deliveredOn: date("2020-11-19"))
        try portfolio.addUnit(UnitAddress(park: "EC", building: "SC", unit: "SC01"), floor: 1, areaM2: money("6000.00"),
                              kind: .selectionCenter, listRent: money("25.00"))
        try onboard(DemoTenant(name: "光云科技", region: "330100", serial: 201, industry: "ecommerce", contact: "吴磊",
                               phone: "0571-8807-0201", wantedArea: "600", wantedKind: .office),
                    park: "EC", applied: "2020-10-15", approve: "2020-10-25", checks: ChecklistItem.allCases)
        try onboard(DemoTenant(name: "鲸灵集团", region: "330100", serial: 202, industry: "ecommerce", contact: "郑洁",
                               phone: "0571-8807-0202", wantedArea: "900", wantedKind: .office),
                    park: "EC", applied: "2020-10-18", approve: "2020-10-28", checks: [.businessLicense, .fireSafety, .fitOutPlan])
        try onboard(DemoTenant(name: "农民伯伯", region: "430400", serial: 203, industry: "ecommerce", contact: "黄勇",
                               phone: "0734-8100203", wantedArea: "130", wantedKind: .liveRoom),
                    park: "EC", applied: "2020-11-01", approve: "2020-11-05", checks: [.businessLicense])
        try onboard(DemoTenant(name: "小雁科技", region: "430400", serial: 204, industry: "live_streaming", contact: "何敏",
                               phone: "0734-8100204", wantedArea: "180", wantedKind: .office),
                    park: "EC", applied: "2020-11-06", approve: "2020-11-10")
        try onboard(DemoTenant(name: "大白返利", region: "430400", serial: 205, industry: "ecommerce", contact: "林涛",
                               phone: "0734-8100205", wantedArea: "180", wantedKind: .office),
                    park: "EC", applied: "2020-11-12", approve: nil)
    }

    // 红树林标准厂房: phase 2 buildings 1-5 (1, 2, 4 handed over); phases 4 and 5 planned.
    private func loadFactories() throws {
        let portfolio = PortfolioService(session)
        try portfolio.addPark(code: "MF", name: "红树林标准厂房", kind: .factory,
                              industries: ["manufacturing", "electronics", "acoustics", "new_materials"], address: "湖南省衡阳市高新区红树林片区")
        for n in 1...5 {
            let building = BuildingAddress(park: "MF", building: "P2-\(n)")
            try portfolio.addBuilding(building, name: "二期\(n)号楼", floorsAbove: 4, deliveredOn: date("2020-09-30"))
            for floor in 1...4 {
                try portfolio.addUnit(UnitAddress(park: "MF", building: "P2-\(n)", unit: "F\(floor)"), floor: floor,
                                      areaM2: money(floor == 1 ? "1850.00" : "1620.00"), kind: .factory,
                                      listRent: money(floor == 1 ? "18.00" : "15.00"))
            }
        }
        for (phase, buildings) in [(4, 3), (5, 2)] {
            for n in 1...buildings {
                let building = BuildingAddress(park: "MF", building: "P\(phase)-\(n)")
                try portfolio.addBuilding(building, name: "\(phase == 4 ? "四" : "五")期\(n)号楼", floorsAbove: 5)
                for floor in 1...5 {
                    try portfolio.addUnit(UnitAddress(park: "MF", building: building.building, unit: "F\(floor)"), floor: floor,
                                          areaM2: money("2000.00"), kind: .factory, listRent: money("16.00"),
                                          offMarketReason: "规划建设中，尚未交付 (planned, not yet delivered)")
                }
            }
        }
        try onboard(DemoTenant(name: "万魔声学", region: "440300", serial: 301, industry: "acoustics", contact: "邓超",
                               phone: "0755-8600-0301", wantedArea: "6710", wantedKind: .factory),
                    park: "MF", applied: "2020-04-20", approve: "2020-05-06", checks: ChecklistItem.allCases)
        try onboard(DemoTenant(name: "衡阳智造电子科技", region: "430400", serial: 302, industry: "electronics", contact: "曾亮",
                               phone: "0734-8100302", wantedArea: "6710", wantedKind: .factory),
                    park: "MF", applied: "2020-08-03", approve: "2020-08-20", checks: [.businessLicense, .fireSafety, .depositPaid])
        try onboard(DemoTenant(name: "湘南精密机械", region: "430400", serial: 303, industry: "manufacturing", contact: "彭辉",
                               phone: "0734-8100303", wantedArea: "6710", wantedKind: .factory),
                    park: "MF", applied: "2020-09-01", approve: "2020-09-18", checks: [.businessLicense, .fireSafety])
    }

    // Leases, so that every status shows: in force, expiring within 90 days, in
    // fit-out, renewed (twice), terminated early, reserved (starting later).
    private func loadLeases(today: CalendarDate) throws {
        let leases = LeaseService(session)
        let tenants = TenantService(session)
        func code(_ region: String, _ serial: Int) -> String { Self.creditCode(region: region, serial: serial) }
        func units(_ list: String) -> [UnitAddress] { list.split(separator: ",").map { try! UnitAddress(parsing: String($0)) } }
        @discardableResult
        func sign(_ tenant: String, _ unitList: String, _ start: CalendarDate, _ end: CalendarDate, rent: String,
                  fee: String = "4.50", free: DateRange? = nil, fitOut: DateRange? = nil, escalation: String = "3",
                  cycle: PaymentCycle = .quarterly) throws -> String {
            var terms = LeaseService.Terms(tenantCreditCode: tenant, units: units(unitList), start: start, end: end, rent: money(rent))
            terms.propertyFee = money(fee)
            terms.freeWindow = free.map { ($0.first, $0.last) }
            terms.fitOutWindow = fitOut.map { ($0.first, $0.last) }
            terms.depositMonths = 2
            terms.escalationPct = money(escalation)
            terms.cycle = cycle
            return try leases.sign(terms).number
        }
        func moveIn(_ tenant: String, _ park: String, on: CalendarDate, fitOutFrom: CalendarDate? = nil) throws {
            for item in ChecklistItem.allCases { try tenants.check(creditCode: tenant, park: park, item: item) }
            if let fitOutFrom { try tenants.advance(creditCode: tenant, park: park, to: .fittingOut, on: fitOutFrom) }
            try tenants.advance(creditCode: tenant, park: park, to: .movedIn, on: on)
        }
        func range(_ a: CalendarDate, _ b: CalendarDate) -> DateRange { DateRange(first: a, last: b)! }

        // 软件园
        let tencent = code("430400", 101)
        let first = try sign(tencent, "SW/B1/0501,SW/B1/0502,SW/B1/0503,SW/B1/0504", date("2020-11-01"), date("2023-10-31"),
                             rent: "38.00", free: range(date("2020-11-01"), date("2021-01-31")),
                             fitOut: range(date("2020-11-01"), date("2021-01-31")))
        let second = try leases.renew(first, end: date("2026-10-31")).number
        try leases.renew(second, end: date("2029-10-31"))
        try moveIn(tencent, "SW", on: date("2021-02-01"), fitOutFrom: date("2020-11-01"))

        let hikvision = code("330100", 102)
        try sign(hikvision, "SW/B1/0601,SW/B1/0602", date("2020-12-01"), today.adding(days: 60), rent: "40.00")
        try moveIn(hikvision, "SW", on: date("2021-01-15"))

        let bosi = code("350100", 103)
        let fitStart = today.adding(days: -20)
        try sign(bosi, "SW/B1/0301,SW/B1/0302", fitStart, fitStart.adding(days: 3 * 365 - 1), rent: "35.00",
                 free: range(fitStart, fitStart.adding(days: 59)), fitOut: range(fitStart, fitStart.adding(days: 59)))
        try tenants.advance(creditCode: bosi, park: "SW", to: .fittingOut, on: fitStart)

        let jiangyi = code("430400", 104)
        let ended = try sign(jiangyi, "SW/B2/0201", date("2021-01-01"), date("2026-12-31"), rent: "36.00")
        try moveIn(jiangyi, "SW", on: date("2021-01-10"))
        try leases.terminate(ended, on: date("2025-06-30"), reason: "业务调整，提前解约 (early termination)")
        try tenants.moveOut(creditCode: jiangyi, park: "SW", on: date("2025-06-30"), reason: "提前解约")

        let fengfengxia = code("430400", 105)
        let reservedStart = today.adding(days: 15)
        try sign(fengfengxia, "SW/B2/0101", reservedStart, reservedStart.adding(days: 2 * 365 - 1), rent: "38.00")

        // 电商园
        let guangyun = code("330100", 201)
        let gy = try sign(guangyun, "EC/A/101,EC/A/102", date("2020-11-19"), date("2025-11-18"), rent: "32.00",
                          free: range(date("2020-11-19"), date("2021-02-18")))
        try leases.renew(gy, end: date("2028-11-18"))
        try moveIn(guangyun, "EC", on: date("2020-12-01"))

        let jingling = code("330100", 202)
        try sign(jingling, "EC/A/201,EC/A/202,EC/A/203", date("2021-01-01"), today.adding(days: 45), rent: "32.00")
        try moveIn(jingling, "EC", on: date("2021-01-05"))

        try sign(code("430400", 203), "EC/A/LR501S,EC/A/LR502M,EC/A/LR503L", date("2021-03-01"), date("2027-02-28"),
                 rent: "55.00", fee: "6.00", escalation: "0", cycle: .monthly)
        try sign(code("430400", 204), "EC/A/301", date("2025-12-01"), date("2028-11-30"), rent: "32.00", cycle: .semiannual)

        // 红树林标准厂房
        let wanmo = code("440300", 301)
        try sign(wanmo, "MF/P2-1/F1,MF/P2-1/F2,MF/P2-1/F3,MF/P2-1/F4", date("2020-05-10"), date("2030-05-09"), rent: "16.00",
                 fee: "2.00", free: range(date("2020-05-10"), date("2020-08-09")), fitOut: range(date("2020-05-10"), date("2020-06-09")),
                 cycle: .annual)
        try moveIn(wanmo, "MF", on: date("2020-06-10"), fitOutFrom: date("2020-05-10"))
        let zhizao = code("430400", 302)
        let zz = try sign(zhizao, "MF/P2-2/F1,MF/P2-2/F2,MF/P2-2/F3,MF/P2-2/F4", date("2020-09-01"), date("2025-08-31"),
                          rent: "15.50", fee: "2.00", cycle: .semiannual)
        try leases.renew(zz, end: date("2030-08-31"))
        try sign(code("430400", 303), "MF/P2-4/F1,MF/P2-4/F2,MF/P2-4/F3,MF/P2-4/F4", date("2020-10-01"), date("2029-09-30"),
                 rent: "15.50", fee: "2.00", cycle: .semiannual)
    }

    // Three weeks of service requests: most answered in time, some late (breached),
    // some reopened, one withdrawn, the newest still open.
    private func loadTickets(today: CalendarDate, now: Date) throws {
        let tickets = TicketService(session)
        func code(_ region: String, _ serial: Int) -> String { Self.creditCode(region: region, serial: serial) }
        /// A local time in the parks' zone (UTC+8).
        func local(_ day: CalendarDate, _ minutes: Int) -> Date {
            Date(timeIntervalSince1970: Double(day.daysSinceEpoch * 86_400 + minutes * 60 - 8 * 3_600))
        }
        let requesters: [(String, String?)] = [
            (code("430400", 101), "SW/B1/0501"), (code("330100", 102), "SW/B1/0601"), (code("350100", 103), "SW/B1/0301"),
            (code("330100", 201), "EC/A/101"), (code("330100", 202), "EC/A/202"), (code("430400", 203), "EC/A/LR501S"),
            (code("440300", 301), "MF/P2-1/F1"), (code("430400", 302), "MF/P2-2/F3"),
        ]
        let topics: [(TicketCategory, TicketPriority, String)] = [
            (.repair, .high, "空调漏水 (air conditioner leaking)"), (.network, .urgent, "专线中断 (leased line down)"),
            (.property, .normal, "门禁卡补办 (access cards)"), (.cleaning, .low, "公共区域保洁 (common-area cleaning)"),
            (.policy, .normal, "人才补贴政策咨询 (talent subsidy question)"), (.financing, .low, "产业基金对接 (industry fund contact)"),
            (.security, .high, "监控摄像头故障 (CCTV fault)"), (.repair, .normal, "卫生间水管堵塞 (blocked pipe)"),
        ]
        let start = today.adding(days: -21)
        for i in 0..<22 {
            let day = start.adding(days: i)
            guard day.isoWeekday <= 5 else { continue }
            let (tenant, unit) = requesters[i % requesters.count]
            let (category, priority, title) = topics[(i * 3) % topics.count]
            let opened = local(day, 9 * 60 + (i * 47) % 480)
            guard opened < now else { continue }
            let ticket = try tickets.open(.init(tenantCreditCode: tenant, unit: unit.map { try! UnitAddress(parsing: $0) },
                                                category: category, priority: priority, title: title,
                                                reporter: "租户前台", openedAt: opened))
            let number = ticket.number
            func at(_ minutes: Int) -> Date? {
                let t = opened.addingTimeInterval(Double(minutes * 60))
                return t < now ? t : nil
            }
            switch i % 5 {
            case 0:
                guard let a = at(40), let s = at(90), let r = at(300) else { continue }
                try tickets.assign(number, to: "物业 张工", at: a)
                try tickets.start(number, at: s)
                try tickets.resolve(number, note: "已处理 (done)", at: r)
                if let c = at(1_500) { try tickets.close(number, at: c) }
            case 1:
                guard let a = at(20), let r = at(200), let o = at(1_500), let r2 = at(1_700) else { continue }
                try tickets.assign(number, to: "网络 李工", at: a)
                try tickets.start(number, at: a)
                try tickets.resolve(number, note: "已修复 (fixed)", at: r)
                try tickets.reopen(number, reason: "问题复现 (it came back)", at: o)
                try tickets.resolve(number, note: "更换设备 (replaced the device)", at: r2)
            case 2:
                continue   // never answered: breached once its due time passes
            case 3:
                guard let a = at(2 * 24 * 60 + 30), let s = at(2 * 24 * 60 + 60), let r = at(5 * 24 * 60) else { continue }
                try tickets.assign(number, to: "物业 王工", at: a)
                try tickets.start(number, at: s)
                try tickets.resolve(number, note: "已处理，迟于时限 (late)", at: r)
            default:
                guard let a = at(60), let c = at(120) else { continue }
                try tickets.assign(number, to: "招商 陈经理", at: a)
                try tickets.cancel(number, reason: "租户撤回 (withdrawn by the tenant)", at: c)
            }
        }
        // Every demo ticket's breaches, now that its back-filled timeline is complete.
        _ = try session.connection.query("SELECT ticket_record_breaches(NULL, now(), id) FROM ticket")
    }
}
