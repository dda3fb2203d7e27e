import Foundation
import ParkCore
import Testing
import TestSupport

/// `parkctl meter`, `tariff` and `utility`: a month of water from reading to bill, as the
/// staff type it, and the refusals with their exit codes.
@Suite struct UtilityCommandTests {
    @Test func aMonthOfWaterFromReadingToBill() throws {
        let cli = try CLI()
        try cli.portfolio()   // SW/B1: 0301 (256.50 m²), 0302 (1,200 m²)
        try cli.ok(["tenant", "apply", "--park", "SW", "--name", "博思软件", "--credit-code", "91350100M000100Y43",
                    "--industry", "软件", "--contact", "陈静", "--phone", "0591-87500103"])
        try cli.ok(["tenant", "approve", "博思软件", "--park", "SW"])
        try cli.ok(["lease", "sign", "--tenant", "博思软件", "--units", "SW/B1/0301", "--start", "2026-01-01", "--end", "2027-12-31",
                    "--rent", "35"])
        try cli.ok(["meter", "add", "SW/W-1", "--kind", "water", "--unit", "SW/B1/0301", "--installed-on", "2026-10-31", "--initial", "120"])
        try cli.ok(["meter", "read", "SW/W-1", "--on", "2026-11-30", "--value", "152.5"])
        // A register read lower is refused (65), with the commands to run instead.
        let back = try cli.run(["meter", "read", "SW/W-1", "--on", "2026-12-01", "--value", "150"])
        #expect(back.status == 65 && back.stderr.contains("a register never goes back") && back.stderr.contains("parkctl meter replace"))

        try cli.ok(["utility", "period", "open", "SW", "--kind", "water", "--from", "2026-11-01", "--to", "2026-11-30"])
        let number = try #require((try cli.json(["utility", "period", "list"]) as? [[String: Any]])?.first?["number"] as? String)
        // No tariff yet: the calculation says which command sets one.
        let noTariff = try cli.run(["utility", "period", "calc", number])
        #expect(noTariff.status == 65 && noTariff.stderr.contains("parkctl tariff set"), "\(noTariff.stderr)")
        // A tier that is no QUANTITY=PRICE is a usage error.
        #expect(try cli.run(["tariff", "set", "SW", "--kind", "water", "--from", "2026-01-01", "--price", "4.2", "--tier", "30"]).status == 64)
        try cli.ok(["tariff", "set", "SW", "--kind", "water", "--from", "2026-01-01", "--price", "4.20", "--tier", "30=5.50"])

        // 152.5 − 120 = 32.5 m³: 30 × 4.20 + 2.5 × 5.50 = 126.00 + 13.75 = 139.75.
        let calculated = try #require(try cli.json(["utility", "period", "calc", number]) as? [[String: Any]])
        #expect((calculated.first?["quantity"] as? NSNumber)?.decimalValue == Decimal(string: "32.5"))
        #expect((calculated.first?["amount"] as? NSNumber)?.decimalValue == Decimal(string: "139.75"))
        // Posting before confirming is refused; confirmed, it posts one bill; again, refused.
        let early = try cli.run(["utility", "period", "post", number])
        #expect(early.status == 65 && early.stderr.contains("parkctl utility period confirm first"), "\(early.stderr)")
        try cli.ok(["utility", "period", "confirm", number])
        try cli.ok(["utility", "period", "post", number])
        let bills = try #require(try cli.json(["bill", "list"]) as? [[String: Any]])
        #expect(bills.count == 1 && bills.first?["fee"] as? String == "utility")
        #expect((bills.first?["amount"] as? NSNumber)?.decimalValue == Decimal(string: "139.75"))
        let twice = try cli.run(["utility", "period", "post", number])
        #expect(twice.status == 65 && twice.stderr.contains("it was posted already"))
        // The line shows where the figure came from, in Chinese too.
        let shown = try cli.run(["utility", "period", "show", number], environment: ["PARKCTL_LANG": "zh"])
        #expect(shown.status == 0 && shown.stdout.contains("分表") && shown.stdout.contains("按天数") && shown.stdout.contains("已入账"),
                "\(shown.stdout)")
        // Reversed (红冲): the bill is void; a reason is required.
        #expect(try cli.run(["utility", "period", "reverse", number]).status == 64)
        try cli.ok(["utility", "period", "reverse", number, "--reason", "读数有误"])
        let after = try #require(try cli.json(["bill", "list"]) as? [[String: Any]])
        #expect(after.first?["status"] as? String == "void", "\(after)")
    }

    /// The monthly sheet a meter reader brings back, imported: Chinese headers, dates as
    /// Excel writes them; a register that went back is named by its line, nothing imported.
    @Test func aMonthOfReadingsIsImported() throws {
        let cli = try CLI()
        try cli.portfolio()
        for unit in ["0301", "0302"] {
            try cli.ok(["meter", "add", "SW/W-\(unit)", "--kind", "water", "--unit", "SW/B1/\(unit)", "--installed-on", "2026-10-31",
                        "--initial", "100"])
        }
        let before = try cli.db.connection.tableChecksums()
        // Line 3: W-0302 read 90, below its 100 of 2026-10-31. Line 4: no such meter.
        let bad = "园区,表号,抄表日期,读数\nSW,W-0301,2026/11/30,132.5\nSW,W-0302,2026/11/30,90\nSW,W-0399,2026/11/30,5\n"
        let refused = try cli.run(["import", "readings", "-"], input: bad)
        #expect(refused.status == 65, "\(refused.stderr)")
        #expect(refused.stderr.contains("line 3, value '90': below the reading before (100.00 on 2026-10-31)"), "\(refused.stderr)")
        #expect(refused.stderr.contains("line 4, meter 'W-0399': park SW has no meter W-0399"))
        #expect(try cli.db.connection.tableChecksums() == before)
        // Mended: two months of both meters, in any order.
        // (A meter may be written as meter list shows it, SW/W-0301.)
        let good = "园区,表号,抄表日期,读数\nSW,W-0302,2026-11-30,160\nSW,SW/W-0301,2026/11/15,132.5\nSW,W-0302,2026/11/15,120\n"
            + "SW,W-0301,2026-11-30,150\n"
        let imported = try cli.run(["import", "readings", "-"], input: good)
        #expect(imported.status == 0 && imported.stdout.contains("read 4 rows, imported 4"), "\(imported.stderr)")
        // W-0302 used 120 − 100 = 20 by 15 November and 160 − 120 = 40 by the 30th.
        let shown = try #require(try cli.json(["meter", "show", "SW/W-0302"]) as? [String: Any])
        let used = (shown["readings"] as? [[String: Any]])?.map { ($0["used"] as? NSNumber)?.decimalValue }
        #expect(used == [nil, 20, 40])
        // The same file again: each reading is recorded already.
        let again = try cli.run(["import", "readings", "-"], input: good)
        #expect(again.status == 65 && again.stderr.contains("was read on this day already"), "\(again.stderr)")
        // Export gives them back in the same columns.
        #expect(try cli.ok(["export", "readings"]).hasPrefix("park,meter,day,value,kind,register\n"))
    }

    /// A time-of-use meter (峰平谷) as the staff type it: added with its bands, read band
    /// by band on the command line and from the reader's sheet (a 时段 column), priced by
    /// a time-of-use tariff; option values in Chinese (`--kind 电`).
    @Test func aTimeOfUseMeterFromCommandAndSheet() throws {
        let cli = try CLI()
        try cli.portfolio()   // SW/B1: 0301 (256.50 m²), 0302 (1,200 m²)
        try cli.ok(["tenant", "apply", "--park", "SW", "--name", "博思软件", "--credit-code", "91350100M000100Y43",
                    "--industry", "软件", "--contact", "陈静", "--phone", "0591-87500103"])
        try cli.ok(["tenant", "approve", "博思软件", "--park", "SW"])
        try cli.ok(["lease", "sign", "--tenant", "博思软件", "--units", "SW/B1/0301", "--start", "2026-01-01", "--end", "2027-12-31",
                    "--rent", "35"])
        // Bands only on electricity, and only as 峰平谷 or 尖峰平谷.
        let water = try cli.run(["meter", "add", "SW/W-1", "--kind", "水", "--bands", "峰平谷"])
        #expect(water.status == 65 && water.stderr.contains("a time-of-use meter measures electricity"), "\(water.stderr)")
        #expect(try cli.run(["meter", "add", "SW/E-1", "--kind", "电", "--bands", "峰谷"]).status == 64)
        try cli.ok(["meter", "add", "SW/E-1", "--kind", "电", "--unit", "SW/B1/0301", "--bands", "峰平谷", "--installed-on", "2026-10-31",
                    "--initial", "峰=100,平=200,谷=50"])
        // One number for a time-of-use meter is refused, with the form to use.
        let one = try cli.run(["meter", "read", "SW/E-1", "--on", "2026-11-15", "--value", "500"])
        #expect(one.status == 65 && one.stderr.contains("--value 峰=…,平=…,谷=…"), "\(one.stderr)")
        let read = try cli.run(["meter", "read", "SW/E-1", "--on", "2026-11-15", "--value", "峰=160，平=300，谷=90"])
        #expect(read.status == 0 && read.stdout.contains("read 峰 160.00, 平 300.00, 谷 90.00 on 2026-11-15: used 峰 60.00, 平 100.00, 谷 40.00"),
                "\(read.stdout)\(read.stderr)")
        // The sheet: a row per band, the band in 时段 (blank or unknown refused, nothing imported).
        let before = try cli.db.connection.tableChecksums()
        let bad = "园区,表号,抄表日期,读数,时段\nSW,E-1,2026-11-30,200,峰\nSW,E-1,2026-11-30,400\n"
        let refused = try cli.run(["import", "readings", "-"], environment: ["PARKCTL_LANG": "zh"], input: bad)
        #expect(refused.status == 65 && refused.stderr.contains("第 3 行,时段「」:时段须为该表的时段之一"), "\(refused.stderr)")
        #expect(try cli.db.connection.tableChecksums() == before)
        // A band left out of the day, or a reading of a day to come, is named by its line.
        let partial = "园区,表号,抄表日期,读数,时段\nSW,E-1,2026-11-30,200,峰\nSW,E-1,2026-11-30,400,平\nSW,E-1,2099-01-01,500,平\n"
        let unread = try cli.run(["import", "readings", "-"], environment: ["PARKCTL_LANG": "zh"], input: partial)
        #expect(unread.status == 65 && unread.stderr.contains("第 2 行,时段「peak」:分时电表各时段须同日一并抄录")
                && unread.stderr.contains("第 4 行,日期「2099-01-01」:抄表日期不能晚于今天"), "\(unread.stderr)")
        #expect(try cli.db.connection.tableChecksums() == before)
        let good = "园区,表号,抄表日期,读数,时段\nSW,E-1,2026-11-30,200,峰\nSW,E-1,2026-11-30,400,平\nSW,E-1,2026-11-30,110,谷\n"
        let imported = try cli.run(["import", "readings", "-"], input: good)
        #expect(imported.status == 0 && imported.stdout.contains("imported 3"), "\(imported.stderr)")

        // Peak 1.10, valley 0.30, flat (and all that is no band's) 0.70 a kWh.
        #expect(try cli.run(["tariff", "set", "SW", "--kind", "电", "--from", "2026-01-01", "--price", "0.70", "--peak", "1.10"]).status == 64)
        try cli.ok(["tariff", "set", "SW", "--kind", "电", "--from", "2026-01-01", "--price", "0.70", "--peak", "1.10", "--valley", "0.30"])
        try cli.ok(["utility", "period", "open", "SW", "--kind", "电", "--from", "2026-11-01", "--to", "2026-11-30"])
        let number = try #require((try cli.json(["utility", "period", "list"]) as? [[String: Any]])?.first?["number"] as? String)
        // Used in November: peak 200 − 100 = 100, flat 400 − 200 = 200, valley 110 − 50 = 60.
        // 100 × 1.10 + 200 × 0.70 + 60 × 0.30 = 110.00 + 140.00 + 18.00 = 268.00 for 360 kWh.
        let calculated = try #require(try cli.json(["utility", "period", "calc", number]) as? [[String: Any]])
        #expect((calculated.first?["quantity"] as? NSNumber)?.decimalValue == 360)
        #expect((calculated.first?["amount"] as? NSNumber)?.decimalValue == 268)
        let shown = try cli.run(["utility", "period", "show", number, "--lines"], environment: ["PARKCTL_LANG": "zh"])
        #expect(shown.status == 0 && shown.stdout.contains("时段") && shown.stdout.contains("峰") && shown.stdout.contains("谷"), "\(shown.stdout)")
        // A meter unread in the period stops the confirmation, unless allowed.
        try cli.ok(["meter", "add", "SW/E-2", "--kind", "电", "--unit", "SW/B1/0302", "--installed-on", "2026-10-31"])
        let unreadMeter = try cli.run(["utility", "period", "confirm", number])
        #expect(unreadMeter.status == 65 && unreadMeter.stderr.contains("has 1 meter(s) with no reading in it: SW/E-2")
                && unreadMeter.stderr.contains("--allow-missing"), "\(unreadMeter.stderr)")
        try cli.ok(["utility", "period", "confirm", number, "--allow-missing"])
        // Confirmed, then reopened (no bill yet): calculated again.
        #expect(try cli.ok(["utility", "period", "reopen", number]).contains("is calculated again"))
        #expect((try cli.json(["utility", "period", "list"]) as? [[String: Any]])?.first?["status"] as? String == "calculated")
        // A period opened over days to come is not posted before its last day; opened by
        // mistake, it is deleted while it has no figures frozen.
        try cli.ok(["utility", "period", "open", "SW", "--kind", "电", "--from", "2026-12-01", "--to", "2026-12-31"])
        let december = try #require((try cli.json(["utility", "period", "list"]) as? [[String: Any]])?.last?["number"] as? String)
        try cli.ok(["utility", "period", "calc", december])
        try cli.ok(["utility", "period", "confirm", december, "--allow-missing"])
        let early = try cli.run(["utility", "period", "post", december])
        #expect(early.status == 65 && early.stderr.contains("ends on 2026-12-31: it is posted after its last day"), "\(early.stderr)")
        #expect(try cli.run(["utility", "period", "delete", december]).stderr.contains("parkctl utility period reopen first"))
        try cli.ok(["utility", "period", "reopen", december])
        try cli.ok(["utility", "period", "delete", december])
        #expect((try cli.json(["utility", "period", "list"]) as? [[String: Any]])?.count == 1)
        let exported = try cli.ok(["export", "readings"])
        #expect(exported.contains("SW,E-1,2026-11-30,200.00,regular,peak\n"), "\(exported)")
    }
}
