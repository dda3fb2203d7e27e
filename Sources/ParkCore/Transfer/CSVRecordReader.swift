/// Reads CSV (RFC 4180: quoted fields with "" for a quote, commas and newlines
/// inside quotes, LF or CRLF) from chunks of bytes, and hands each record over,
/// with the number of the line it starts on, as a view into one reused buffer: no
/// allocation per field, and memory bounded by the longest record, not the file.
/// (A byte-order mark is the caller's to skip.)
public struct CSVRecordReader {
    /// One record: its fields' bytes back to back, and where each field ends.
    public struct Record {
        public fileprivate(set) var bytes: [UInt8] = []
        public fileprivate(set) var ends: [Int] = []

        public var count: Int { ends.count }

        public subscript(i: Int) -> ArraySlice<UInt8> {
            bytes[(i == 0 ? 0 : ends[i - 1])..<ends[i]]
        }
    }

    private var record = Record()
    private var inQuotes = false
    private var quoteSeen = false      // the previous byte closed a quoted section
    private var atFieldStart = true
    private var pendingCR = false
    private var started = false
    /// The physical line the reader is on (1-based).
    public private(set) var line = 1
    private var recordLine = 1

    public init() {
        record.bytes.reserveCapacity(4096)
        record.ends.reserveCapacity(32)
    }

    /// Feeds bytes; `body` gets every record completed by them.
    public mutating func feed(_ bytes: UnsafeRawBufferPointer, _ body: (Int, Record) throws -> Void) rethrows {
        for b in bytes {
            if pendingCR {
                pendingCR = false
                if b == 0x0A { continue }   // CRLF: the record ended at the CR
            }
            if inQuotes {
                if b == 0x22 {
                    inQuotes = false
                    quoteSeen = true
                } else {
                    if b == 0x0A { line += 1 }
                    record.bytes.append(b)
                }
                continue
            }
            switch b {
            case 0x22:
                if quoteSeen { record.bytes.append(0x22); inQuotes = true; quoteSeen = false }   // "" inside quotes
                else if atFieldStart { inQuotes = true; atFieldStart = false; started = true }
                else { record.bytes.append(b) }                                                  // a stray quote: kept
            case 0x2C:
                record.ends.append(record.bytes.count)
                atFieldStart = true; quoteSeen = false; started = true
            case 0x0A, 0x0D:
                if b == 0x0D { pendingCR = true }
                if started || !record.bytes.isEmpty || !record.ends.isEmpty {
                    record.ends.append(record.bytes.count)
                    try body(recordLine, record)
                    record.bytes.removeAll(keepingCapacity: true)
                    record.ends.removeAll(keepingCapacity: true)
                }
                line += 1
                recordLine = line
                atFieldStart = true; quoteSeen = false; started = false
            default:
                record.bytes.append(b); atFieldStart = false; quoteSeen = false; started = true
            }
        }
    }

    /// Ends the input: a last record without a final newline is handed over.
    public mutating func finish(_ body: (Int, Record) throws -> Void) rethrows {
        if started || !record.bytes.isEmpty || !record.ends.isEmpty {
            record.ends.append(record.bytes.count)
            try body(recordLine, record)
            record.bytes.removeAll()
            record.ends.removeAll()
        }
        started = false
    }

    /// Whether the input ended inside a quoted field.
    public var endedInsideQuotes: Bool { inQuotes }
}
