/// Reads CSV (RFC 4180: quoted fields with "" for a quote, commas and newlines
/// inside quotes, LF or CRLF) from chunks of UTF-8 bytes, and hands each record
/// over with the number of the line it starts on. Memory is bounded by the longest
/// record, not the file. (A byte-order mark is the caller's to skip.)
public struct CSVRecordReader {
    private var field: [UInt8] = []
    private var fields: [[UInt8]] = []
    private var inQuotes = false
    private var quoteSeen = false      // the previous byte closed a quote (or was a quote inside one)
    private var atFieldStart = true
    private var pendingCR = false
    private var started = false
    /// The physical line the current byte is on (1-based).
    public private(set) var line = 1
    private var recordLine = 1

    public init() {}

    /// Feeds bytes; `body` gets every record completed by them.
    public mutating func feed(_ bytes: UnsafeRawBufferPointer, _ body: (Int, [[UInt8]]) throws -> Void) rethrows {
        try consume(bytes, from: 0, body)
    }

    private mutating func consume(_ bytes: UnsafeRawBufferPointer, from start: Int, _ body: (Int, [[UInt8]]) throws -> Void) rethrows {
        var i = start
        let n = bytes.count
        while i < n {
            let b = bytes[i]
            i += 1
            if pendingCR {
                pendingCR = false
                if b == 0x0A { continue }   // CRLF: the record ended at the CR
            }
            if inQuotes {
                if b == 0x22 {                       // "
                    inQuotes = false
                    quoteSeen = true
                } else {
                    if b == 0x0A { line += 1 }
                    field.append(b)
                }
                continue
            }
            switch b {
            case 0x22:
                if quoteSeen { field.append(0x22); inQuotes = true; quoteSeen = false }    // "" inside quotes
                else if atFieldStart { inQuotes = true; atFieldStart = false; started = true }
                else { field.append(b) }                                                      // a stray quote: keep it
            case 0x2C:                               // ,
                fields.append(field); field.removeAll(keepingCapacity: true)
                atFieldStart = true; quoteSeen = false; started = true
            case 0x0A, 0x0D:
                if b == 0x0D { pendingCR = true }
                if started || !field.isEmpty || !fields.isEmpty {
                    fields.append(field); field.removeAll(keepingCapacity: true)
                    try body(recordLine, fields)
                    fields.removeAll(keepingCapacity: true)
                }
                line += 1
                recordLine = line
                atFieldStart = true; quoteSeen = false; started = false
            default:
                field.append(b); atFieldStart = false; quoteSeen = false; started = true
            }
        }
    }

    /// Ends the input: a last record without a final newline is handed over.
    public mutating func finish(_ body: (Int, [[UInt8]]) throws -> Void) rethrows {
        if started || !field.isEmpty || !fields.isEmpty {
            fields.append(field); field.removeAll()
            try body(recordLine, fields)
            fields.removeAll()
        }
        started = false
    }

    /// Whether the input ended inside a quoted field.
    public var endedInsideQuotes: Bool { inQuotes }
}
