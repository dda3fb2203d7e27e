import Foundation
import Testing
import TestSupport

@Suite struct CalendarCommandTests {
    /// A make-up working day recorded over a public holiday (or the other way round) is
    /// refused unless --replace says so: it once replaced the holiday silently.
    @Test func aDayOfTheOtherKindIsReplacedOnlyWhenAsked() throws {
        let cli = try CLI()
        try cli.portfolio()
        try cli.ok(["calendar", "add-holiday", "2027-10-01", "--name", "国庆节"])
        let before = try cli.db.connection.tableChecksums()
        let refused = try cli.run(["calendar", "add-workday", "2027-10-01", "--name", "调休"])
        #expect(refused.status == 65, "\(refused.stderr)")
        #expect(refused.stderr.contains("2027-10-01 is a holiday (国庆节) for every park already; give --replace"), "\(refused.stderr)")
        #expect(try cli.db.connection.tableChecksums() == before)
        // The same kind again changes nothing and says so; --replace changes the kind.
        #expect(try cli.ok(["calendar", "add-holiday", "2027-10-01", "--name", "国庆节"]).contains("nothing changed"))
        #expect(try cli.ok(["calendar", "add-workday", "2027-10-01", "--name", "调休", "--replace"]).contains("is a working day"))
        let listed = try cli.ok(["calendar", "list", "--year", "2027", "--format", "csv"])
        #expect(listed.contains("2027-10-01,workday,调休"), "\(listed)")
        // A park's own day may differ from the group's.
        #expect(try cli.ok(["calendar", "add-holiday", "2027-10-01", "--park", "SW", "--name", "园区假日"]).contains("is a holiday"))
    }

    /// The built-in arrangements are listed with their notice; `calendar update` loads
    /// the next year's from a file (here standard input), all or nothing.
    @Test func theOfficialArrangementIsListedAndTheNextYearLoaded() throws {
        let cli = try CLI()
        let listed = try cli.ok(["calendar", "list", "--year", "2026", "--format", "csv"])
        #expect(listed.hasPrefix("date,kind,name,park,source\r\n"), "\(listed)")
        #expect(listed.contains("2026-02-14,workday,春节调休上班,,国务院办公厅关于2026年部分节假日安排的通知"), "\(listed)")
        let file = "date,kind,name\n2027-01-01,holiday,元旦\n2027-02-06,holiday,春节\n"
        let loaded = try cli.run(["calendar", "update", "-", "--source", "国办发明电〔2026〕9号"], input: file)
        #expect(loaded.status == 0, "\(loaded.stderr)")
        #expect(loaded.stdout == "loaded the arrangement of 2027: 2 days read, 2 new or changed\n", "\(loaded.stdout)")
        let again = try cli.run(["calendar", "update", "-"], input: "date,kind,name\n2027-01-01,holiday,元旦\n")
        #expect(again.stdout == "loaded the arrangement of 2027: 1 day read, 1 new or changed; no longer in it, removed: 2027-02-06\n",
                "\(again.stdout)")
        // A folder is not a file: a clear refusal, not a crash.
        let folder = try cli.run(["calendar", "update", NSTemporaryDirectory()])
        #expect(folder.status == 65 && folder.stderr.contains("is a folder"), "\(folder.status) \(folder.stderr)")
        let before = try cli.db.connection.tableChecksums()
        let bad = try cli.run(["calendar", "update", "-"], input: "date,kind,name\n2028-01-01,holiday,元旦\n2028-13-01,holiday,x\n")
        #expect(bad.status == 65 && bad.stderr.contains("line 3: date '2028-13-01' is not a day"), "\(bad.stderr)")
        #expect(try cli.db.connection.tableChecksums() == before)
    }
}
