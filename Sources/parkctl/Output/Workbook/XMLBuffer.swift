/// Bytes of XML built by hand, fast: a growable buffer written with raw copies, text
/// escaped as SpreadsheetML wants it. A million-row sheet is 300 MB of XML; going through
/// String would cost more than compressing it.
struct XMLBuffer: ~Copyable {
    private(set) var base: UnsafeMutablePointer<UInt8>
    private(set) var count = 0
    private var capacity: Int

    init(capacity: Int = 1 << 20) {
        self.capacity = capacity
        base = .allocate(capacity: capacity)
    }

    deinit { base.deallocate() }

    var bytes: UnsafeRawBufferPointer { UnsafeRawBufferPointer(start: base, count: count) }

    mutating func removeAll() { count = 0 }

    /// Room for `n` more bytes.
    @inline(__always) private mutating func reserve(_ n: Int) {
        if count + n > capacity { grow(count + n) }
    }

    private mutating func grow(_ needed: Int) {
        var size = capacity * 2
        while size < needed { size *= 2 }
        let bigger = UnsafeMutablePointer<UInt8>.allocate(capacity: size)
        bigger.update(from: base, count: count)
        base.deallocate()
        base = bigger
        capacity = size
    }

    mutating func append(_ text: StaticString) {
        reserve(text.utf8CodeUnitCount)
        (base + count).update(from: text.utf8Start, count: text.utf8CodeUnitCount)
        count += text.utf8CodeUnitCount
    }

    mutating func append(_ bytes: UnsafeRawBufferPointer) {
        reserve(bytes.count)
        if let from = bytes.baseAddress { UnsafeMutableRawPointer(base + count).copyMemory(from: from, byteCount: bytes.count) }
        count += bytes.count
    }

    mutating func append(_ bytes: ArraySlice<UInt8>) { bytes.withUnsafeBytes { append($0) } }

    mutating func append(_ bytes: [UInt8]) { bytes.withUnsafeBytes { append($0) } }

    mutating func append(_ byte: UInt8) {
        reserve(1)
        base[count] = byte
        count += 1
    }

    /// A non-negative whole number in decimal.
    mutating func append(decimal n: Int) {
        reserve(20)
        var digits: (UInt64, Int) = (UInt64(n), 0)
        var v = digits.0
        repeat { digits.1 += 1; v /= 10 } while v > 0
        var at = count + digits.1
        v = digits.0
        repeat { at -= 1; base[at] = UInt8(truncatingIfNeeded: 0x30 + v % 10); v /= 10 } while v > 0
        count += digits.1
    }

    mutating func append(_ text: String) {
        var text = text
        text.withUTF8 { append(UnsafeRawBufferPointer($0)) }
    }

    /// Text as element content or an attribute value: `& < > "` as entities; the control
    /// characters XML 1.0 cannot carry (and U+FFFE, U+FFFF) as Excel's `_xHHHH_`, a
    /// literal `_xHHHH_` protected as `_x005F_xHHHH_` so that it reads back as itself,
    /// and a carriage return as `&#13;` (a bare one would be read as a line feed).
    mutating func append(escaped bytes: UnsafeRawBufferPointer) {
        reserve(bytes.count)
        var run = 0   // start of the bytes not yet copied
        var i = 0
        let n = bytes.count
        while i < n {
            let b = bytes[i]
            // The common case: a byte that stands for itself.
            if b >= 0x20 && b != 0x26 && b != 0x3C && b != 0x3E && b != 0x22 && b != 0x5F && b != 0xEF || b == 0x09 || b == 0x0A {
                i += 1
                continue
            }
            if b == 0x5F {   // "_": escaped only before xHHHH_
                if !Self.isHexEscape(bytes, at: i) { i += 1; continue }
            } else if b == 0xEF {   // U+FFFE and U+FFFF are EF BF BE and EF BF BF
                if !(i + 2 < n && bytes[i + 1] == 0xBF && (bytes[i + 2] == 0xBE || bytes[i + 2] == 0xBF)) { i += 1; continue }
            }
            append(UnsafeRawBufferPointer(rebasing: bytes[run..<i]))
            switch b {
            case 0x26: append("&amp;")
            case 0x3C: append("&lt;")
            case 0x3E: append("&gt;")
            case 0x22: append("&quot;")
            case 0x0D: append("&#13;")
            case 0x5F: append("_x005F_")
            case 0xEF:
                append(bytes[i + 2] == 0xBE ? "_xFFFE_" : "_xFFFF_")
                i += 2
            default:
                append("_x00")
                append(Self.hex[Int(b >> 4)]); append(Self.hex[Int(b & 0xF)])
                append(0x5F)
            }
            i += 1
            run = i
        }
        append(UnsafeRawBufferPointer(rebasing: bytes[run..<n]))
    }

    mutating func append(escaped bytes: ArraySlice<UInt8>) { bytes.withUnsafeBytes { append(escaped: $0) } }

    mutating func append(escaped text: String) {
        var text = text
        text.withUTF8 { append(escaped: UnsafeRawBufferPointer($0)) }
    }

    private static let hex: [UInt8] = Array("0123456789ABCDEF".utf8)

    /// `_xHHHH_` at `i` (four hexadecimal digits).
    private static func isHexEscape(_ bytes: UnsafeRawBufferPointer, at i: Int) -> Bool {
        guard i + 6 < bytes.count, bytes[i + 1] == 0x78, bytes[i + 6] == 0x5F else { return false }
        return (2...5).allSatisfy { k in
            let c = bytes[i + k]
            return (0x30...0x39).contains(c) || (0x41...0x46).contains(c) || (0x61...0x66).contains(c)
        }
    }
}
