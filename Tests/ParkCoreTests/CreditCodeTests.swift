import ParkCore
import Postgres
import Testing
import TestSupport

@Suite struct CreditCodeTests {
    /// The standard's own example and public codes of real organisations, then
    /// synthetic codes of other registration types (机关 1, 事业单位 12, 社会团体 51,
    /// 个体工商户 92...) whose check characters were worked out by hand.
    static let valid = [
        "91350100M000100Y43", "91440300708461136T", "91110108551385082Q", "91310000MA1FL4B24G",
        "12100000400000624D", "31110000400834282L", "91110000802100433B",
        "91430400MA40001014", "91330100MA40001021", "91350100MA4000103C", "91430400MA4000104D",
        "91430400MA4000105G", "91430400MA4000106K", "91430400MA4000107N", "91440300MA4000301E",
        "11100000000013127D", "51110000500000200N", "521100005000109291", "53100000500019037J",
        "92430400MA4L00000U",
    ]

    @Test func theSwiftCheckerAgreesWithTheDatabaseOnKnownCodes() throws {
        let db = try TestDatabase()
        let serverVerdicts = try db.connection.query("SELECT c, credit_code_is_valid(c) FROM unnest(\(Self.valid)::text[]) c")
            .rows.map { (try $0.decode(0, as: String.self), try $0.decode(1, as: Bool.self)) }
        for (code, server) in serverVerdicts {
            #expect(CreditCode.isValid(code) == server, "\(code)")
        }
        // All 20 are valid by both.
        #expect(serverVerdicts.count == 20)
        #expect(serverVerdicts.allSatisfyAndNonEmpty { $0.1 })
    }

    @Test(arguments: [
        ("91350100M000100Y43", true), ("91350100M000100Y44", false), ("91350100m000100Y43", false),
        ("91350100M000100y43", false), ("9135010OM000100Y43", false), ("91350100I000100Y43", false),
        ("91350100S000100Y43", false), ("91350100V000100Y43", false), ("91350100Z000100Y43", false),
        ("91350100M000100Y4", false), ("91350100M000100Y433", false), ("", false), ("91350100M00 100Y43", false),
        ("9135０100M000100Y43", false), ("91350100M000100Y4三", false), ("91350100-000100Y43", false),
        ("ABCDEFGHJKLMNPQRTU", false), ("000000000000000000", true), ("91350100M000100Y4O", false),
        ("91350100M000100Y4I", false), ("91350100M000100Y4\n", false), ("913501000000100Y43", false),
    ])
    func validation(_ code: String, _ expected: Bool) throws {
        #expect(CreditCode.isValid(code) == expected)
        let db = try TestDatabase()
        let server = try db.connection.query("SELECT coalesce(credit_code_is_valid(\(code)), false)").rows[0].decode(0, as: Bool.self)
        #expect(server == expected)
    }

    @Test func messagesNameTheRule() {
        let wrongCheck = #expect(throws: ParkError.self) { try CreditCode.validate("91350100M000100Y44") }
        #expect(wrongCheck?.message.contains("18th would be '3'") == true)
        let lower = #expect(throws: ParkError.self) { try CreditCode.validate("91350100m000100Y43") }
        #expect(lower?.message.contains("character 9 'm'") == true)
        #expect(lower?.message.contains("capitals") == true)
        let letterO = #expect(throws: ParkError.self) { try CreditCode.validate("9135010OM000100Y43") }
        #expect(letterO?.message.contains("I, O, S, V and Z") == true)
        let short = #expect(throws: ParkError.self) { try CreditCode.validate("913501") }
        #expect(short?.message.contains("has 6 characters") == true)
    }

    @Test func randomBodiesGetTheSameCheckCharacterInSwiftAndSQL() throws {
        let db = try TestDatabase()
        var generator = SystemRandomNumberGenerator()
        let bodies = (0..<300).map { _ in String((0..<17).map { _ in CreditCode.alphabet.randomElement(using: &generator)! }) }
        let server = try db.connection.query("SELECT credit_code_check_char(b) FROM unnest(\(bodies)::text[]) WITH ORDINALITY AS t(b, n) ORDER BY n")
            .rows.map { try $0.decode(0, as: String.self) }
        #expect(server == bodies.map { String(CreditCode.checkCharacter(for: $0)!) })
    }
}
