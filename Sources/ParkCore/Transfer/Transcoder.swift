#if canImport(Glibc)
import Glibc
#endif

/// Converts a stream of GBK/GB18030 bytes to UTF-8 with iconv (import), or UTF-8 to
/// GB18030 (export, `toGB18030`), chunk by chunk; a character split between two
/// chunks is carried over to the next. GB18030 encodes every Unicode character, so
/// an export never loses one.
public final class GB18030Transcoder {
    private let cd: iconv_t
    private var carry: [UInt8] = []
    private var output = [UInt8](repeating: 0, count: 1 << 20)

    /// What the file is said to be, for messages.
    private let source: String

    public convenience init(toGB18030: Bool = false) throws {
        try self.init(from: toGB18030 ? "UTF-8" : "GB18030", to: toGB18030 ? "GB18030" : "UTF-8", source: "GBK/GB18030")
    }

    /// Reads `encoding` (GBK or UTF-16) as UTF-8.
    public convenience init(reading encoding: TextEncoding) throws {
        try self.init(from: encoding.iconvName, to: "UTF-8", source: encoding.displayName)
    }

    private init(from: String, to: String, source: String) throws {
        let cd = iconv_open(to, from)
        guard cd != iconv_t(bitPattern: -1) else {
            throw ParkError.unavailable("this system's iconv cannot convert \(from) to \(to) (glibc gconv modules are missing)")
        }
        self.cd = cd!
        self.source = source
    }

    deinit { iconv_close(cd) }

    /// Converts `bytes` (after what was carried over) and hands over the UTF-8.
    /// `offset` is the byte position of `bytes` in the file, for the error message.
    public func convert(_ bytes: UnsafeRawBufferPointer, offset: Int, _ body: (UnsafeRawBufferPointer) throws -> Void) throws {
        var input = carry + Array(bytes)
        carry.removeAll()
        let total = input.count
        try input.withUnsafeMutableBytes { inBuf in
            var inPtr = inBuf.baseAddress?.assumingMemoryBound(to: CChar.self)
            var inLeft = total
            while inLeft > 0 {
                let (result, produced, err): (Int, Int, Int32) = output.withUnsafeMutableBytes { outBuf in
                    var outPtr = outBuf.baseAddress?.assumingMemoryBound(to: CChar.self)
                    var outLeft = outBuf.count
                    let r = iconv(cd, &inPtr, &inLeft, &outPtr, &outLeft)
                    return (r, outBuf.count - outLeft, errno)
                }
                if produced > 0 { try output.withUnsafeBytes { try body(UnsafeRawBufferPointer(rebasing: $0[0..<produced])) } }
                if result == -1 {
                    if err == E2BIG { continue }
                    if err == EINVAL {   // an incomplete character at the end: keep it for the next chunk
                        carry = Array(UnsafeRawBufferPointer(start: inPtr, count: inLeft))
                        return
                    }
                    let position = offset - (total - bytes.count) + (total - inLeft)
                    throw ParkError.invalid("the file is not valid \(source) at byte \(position)")
                }
            }
        }
    }

    /// Ends the input; a character left incomplete is an error.
    public func finish() throws {
        if !carry.isEmpty { throw ParkError.invalid("the file ends in the middle of a \(source) character") }
    }
}
