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
}
