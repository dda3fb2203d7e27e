import Foundation
import Testing
@testable import parkctl

/// Amounts and areas are printed from their digits when they need no rounding; the
/// result must be what the general path (Decimal's text and rounding) prints.
@Suite struct FixedDecimalTests {
    @Test func digitsAgreeWithRounding() throws {
        var values: [Decimal] = []
        for i in 0..<3000 {
            let cents = Decimal((i * 7919) % 1_000_003 - 500_000)
            values.append(cents / 100)                     // money: -5000.00 … 5000.02
            values.append(Decimal(i * 104_729 % 99_991) / 10_000)   // a rate, four decimals
            values.append(Decimal(i) * 1000)                // round thousands
        }
        values += ["0", "-0.01", "0.05", "256.5", "99999999999999.99", "123456789012345678", "1234567890123456789012",
                   "0.000000000000000001", "12.345", "-12.345"].map { Decimal(string: $0)! }
        var quick = 0
        for value in values {
            for places in [0, 2, 4] {
                let general = OutputValue.fixedByRounding(value, places: places)
                if let digits = OutputValue.fixedFromDigits(value, places: places) {
                    quick += 1
                    #expect(digits == general, "\(value) to \(places) places")
                }
                #expect(OutputValue.fixed(value, places: places) == general)
            }
        }
        // Most values go the quick way (the test would otherwise prove nothing).
        #expect(quick > values.count * 2)
        // By hand.
        #expect(OutputValue.fixed(Decimal(string: "256.5")!, places: 2) == "256.50")
        #expect(OutputValue.fixed(Decimal(string: "-0.05")!, places: 2) == "-0.05")
        #expect(OutputValue.fixed(0, places: 2) == "0.00")
        #expect(OutputValue.fixed(100, places: 2) == "100.00")
        #expect(OutputValue.fixed(1234, places: 0) == "1234")
        #expect(OutputValue.fixed(Decimal(string: "0.0001")!, places: 4) == "0.0001")
        // 12.345 to two places rounds half away from zero: 12.35, −12.35.
        #expect(OutputValue.fixedFromDigits(Decimal(string: "12.345")!, places: 2) == nil)
        #expect(OutputValue.fixed(Decimal(string: "12.345")!, places: 2) == "12.35")
        #expect(OutputValue.fixed(Decimal(string: "-12.345")!, places: 2) == "-12.35")
    }
}
