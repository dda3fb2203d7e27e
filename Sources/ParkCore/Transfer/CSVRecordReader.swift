/// Reads CSV (RFC 4180: quoted fields with "" for a quote, commas and newlines
/// inside quotes, LF or CRLF) from chunks of bytes, and hands each record over,
/// with the number of the line it starts on, as a view into one reused buffer: no
/// allocation per field, and memory bounded by the longest record, not the file.
/// (A byte-order mark is the caller's to skip.)
///
/// A field keeps at most ``maxFieldBytes`` and a record at most ``maxFields`` fields:
/// beyond them the record says so (``Record/overlongField``, ``Record/tooManyFields``)
/// and the rest is skipped, so that a hostile file cannot make memory grow.
public struct CSVRecordReader {
    /// 1 MiB: far more than any cell of a park's data.
    public static let maxFieldBytes = 1 << 20
    public static let maxFields = 1_024

    /// One record: its fields' bytes back to back, and where each field ends.
    public struct Record {
        public fileprivate(set) var bytes: [UInt8] = []
        public fileprivate(set) var ends: [Int] = []
        /// The first field (0-based) that was longer than ``CSVRecordReader/maxFieldBytes``; cut.
        public fileprivate(set) var overlongField: Int?
        /// More fields than ``CSVRecordReader/maxFields``; the rest were joined to the last.
        public fileprivate(set) var tooManyFields = false

        public var count: Int { ends.count }

        /// A record of these fields (a spreadsheet's row), cut as a CSV record would be.
        init(fields: [String]) {
            for field in fields.prefix(CSVRecordReader.maxFields) {
                let bytes = field.utf8
                if bytes.count > CSVRecordReader.maxFieldBytes {
                    overlongField = overlongField ?? ends.count
                    self.bytes.append(contentsOf: bytes.prefix(CSVRecordReader.maxFieldBytes))
                } else {
                    self.bytes.append(contentsOf: bytes)
                }
                ends.append(self.bytes.count)
            }
            tooManyFields = fields.count > CSVRecordReader.maxFields
        }

        init() {}

        public subscript(i: Int) -> ArraySlice<UInt8> {
            bytes[(i == 0 ? 0 : ends[i - 1])..<ends[i]]
        }
    }

    /// The byte between fields: a comma, or a tab in tab-separated text (what Excel's
    /// "Unicode text" and "Text (tab delimited)" write).
    public var separator: UInt8 = 0x2C

    /// A tab when the first line has tabs and no comma outside quotes, else a comma.
    public static func separator(of firstBytes: UnsafeRawBufferPointer) -> UInt8 {
        var tabs = 0, commas = 0, quoted = false
        for b in firstBytes {
            if b == 0x22 { quoted.toggle() }
            else if !quoted && (b == 0x0A || b == 0x0D) { break }
            else if !quoted && b == 0x09 { tabs += 1 }
            else if !quoted && b == 0x2C { commas += 1 }
        }
        return tabs > 0 && commas == 0 ? 0x09 : 0x2C
    }

    private var record = Record()
    private var fieldStart = 0
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
                    append(b)
                }
                continue
            }
            if b == separator {
                if record.ends.count < Self.maxFields - 1 {
                    record.ends.append(record.bytes.count)
                    fieldStart = record.bytes.count
                } else {
                    record.tooManyFields = true
                }
                atFieldStart = true; quoteSeen = false; started = true
                continue
            }
            switch b {
            case 0x22:
                if quoteSeen { append(0x22); inQuotes = true; quoteSeen = false }   // "" inside quotes
                else if atFieldStart { inQuotes = true; atFieldStart = false; started = true }
                else { append(b) }                                                  // a stray quote: kept
            case 0x0A, 0x0D:
                if b == 0x0D { pendingCR = true }
                if started || !record.bytes.isEmpty || !record.ends.isEmpty {
                    record.ends.append(record.bytes.count)
                    try body(recordLine, record)
                    reset(keepingCapacity: true)
                }
                line += 1
                recordLine = line
                atFieldStart = true; quoteSeen = false; started = false
            default:
                append(b); atFieldStart = false; quoteSeen = false; started = true
            }
        }
    }

    /// Ends the input: a last record without a final newline is handed over.
    public mutating func finish(_ body: (Int, Record) throws -> Void) rethrows {
        if started || !record.bytes.isEmpty || !record.ends.isEmpty {
            record.ends.append(record.bytes.count)
            try body(recordLine, record)
            reset(keepingCapacity: false)
        }
        started = false
    }

    /// Appends a byte to the current field, unless the field is full.
    @inline(__always)
    private mutating func append(_ b: UInt8) {
        if record.bytes.count - fieldStart < Self.maxFieldBytes {
            record.bytes.append(b)
        } else if record.overlongField == nil {
            record.overlongField = record.ends.count
        }
    }

    private mutating func reset(keepingCapacity: Bool) {
        record.bytes.removeAll(keepingCapacity: keepingCapacity)
        record.ends.removeAll(keepingCapacity: keepingCapacity)
        record.overlongField = nil
        record.tooManyFields = false
        fieldStart = 0
    }

    /// Whether the input ended inside a quoted field.
    public var endedInsideQuotes: Bool { inQuotes }
}
