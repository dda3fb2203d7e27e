import CZlibDeflate
import Foundation
import ParkCore
#if canImport(Glibc)
import Glibc
#endif

/// A ZIP archive (the container of an .xlsx file, APPNOTE 6.3) written to a file as its
/// entries come, each deflated by zlib.
///
/// An entry is streamed: its bytes go to a second thread that computes their CRC-32,
/// deflates them and writes them out, while the caller makes the next ones (on a
/// million-row sheet the compression is half the work). Once the entry is complete, the
/// CRC and sizes are written into its local header in place, so the archive needs no
/// data descriptors. Memory is two blocks of ``blockSize`` and zlib's window, whatever
/// the size of the entry.
///
///     let zip = ZipArchiveWriter(fd: fd, shownAs: "book.xlsx")
///     try zip.add("[Content_Types].xml", Array(xml.utf8))
///     try zip.begin("xl/worksheets/sheet1.xml", level: 1)
///     try zip.write(bytes)          // as many times as needed
///     try zip.end()
///     try zip.finish()              // the central directory
///
/// Entries and the archive stay under 4 GiB (no ZIP64): beyond, ``ParkError`` says so.
final class ZipArchiveWriter {
    /// The bytes handed to the compressing thread at a time.
    static let blockSize = 1 << 20

    private struct Entry {
        var name: [UInt8]
        var headerOffset: UInt64
        var crc: UInt32 = 0
        var compressedSize: UInt64 = 0
        var size: UInt64 = 0
    }

    private let fd: Int32
    /// The file as errors name it.
    private let path: String
    private var entries: [Entry] = []
    private let deflater: BackgroundDeflater
    private var block: UnsafeMutableRawPointer
    private var used = 0
    private var open = false

    /// A new archive written to `fd` (a new, empty file); errors name the file `shownAs`
    /// (where the archive will be once whole).
    init(fd: Int32, shownAs name: String) {
        self.fd = fd
        self.path = name
        deflater = BackgroundDeflater(fd: fd, blockSize: Self.blockSize)
        block = deflater.freeBlock()
    }

    deinit {
        deflater.stop()
        close(fd)
    }

    /// A whole entry at once (a small part of the package).
    func add(_ name: String, _ bytes: [UInt8]) throws {
        try begin(name, level: 6)
        try bytes.withUnsafeBytes { try write($0) }
        try end()
    }

    /// Starts an entry; its bytes follow through ``write(_:)``.
    func begin(_ name: String, level: Int32) throws {
        precondition(!open, "an entry is open")
        let entry = Entry(name: Array(name.utf8), headerOffset: deflater.written)
        var header = ZipBytes()
        header.u32(0x0403_4B50)          // local file header
        header.u16(20)                   // version needed: 2.0 (deflate)
        header.u16(0)                    // flags: sizes in this header, ASCII name
        header.u16(8)                    // deflated
        header.u16(0); header.u16(0x21)  // 1980-01-01 00:00: the same file for the same data
        header.u32(0); header.u32(0); header.u32(0)   // CRC and sizes, written at the end
        header.u16(UInt16(entry.name.count)); header.u16(0)
        header.bytes += entry.name
        deflater.writeRaw(header.bytes)
        entries.append(entry)
        deflater.startEntry(level: level)
        open = true
    }

    /// More bytes of the open entry.
    func write(_ bytes: UnsafeRawBufferPointer) throws {
        var rest = bytes
        while !rest.isEmpty {
            let n = min(rest.count, Self.blockSize - used)
            (block + used).copyMemory(from: rest.baseAddress!, byteCount: n)
            used += n
            rest = UnsafeRawBufferPointer(rebasing: rest[n...])
            if used == Self.blockSize { try submit() }
        }
    }

    private func submit() throws {
        try deflater.check(path)
        deflater.compress(block, count: used)
        used = 0
        block = deflater.freeBlock()
    }

    /// Ends the open entry: the last bytes compressed, its header completed.
    func end() throws {
        precondition(open, "no entry is open")
        if used > 0 { try submit() }
        let done = deflater.finishEntry()
        open = false
        try deflater.check(path)
        guard done.size <= UInt32.max, done.compressedSize <= UInt32.max else {
            throw ParkError.invalid("cannot write '\(path)': a part of the workbook would pass 4 GiB; use --format csv")
        }
        let index = entries.count - 1
        entries[index].crc = done.crc
        entries[index].size = done.size
        entries[index].compressedSize = done.compressedSize
        var fields = ZipBytes()
        fields.u32(done.crc); fields.u32(UInt32(done.compressedSize)); fields.u32(UInt32(done.size))
        let at = off_t(entries[index].headerOffset + 14)
        let n = fields.bytes.withUnsafeBytes { pwrite(fd, $0.baseAddress, $0.count, at) }
        guard n == fields.bytes.count else { throw ParkError.invalid("cannot write '\(path)': \(String(cString: strerror(errno)))") }
    }

    /// Writes the central directory and closes the file.
    func finish() throws {
        precondition(!open, "an entry is open")
        let start = deflater.written
        var directory = ZipBytes()
        for entry in entries {
            directory.u32(0x0201_4B50)           // central directory header
            directory.u16(20); directory.u16(20)  // made by, needed: 2.0
            directory.u16(0); directory.u16(8)
            directory.u16(0); directory.u16(0x21)
            directory.u32(entry.crc); directory.u32(UInt32(entry.compressedSize)); directory.u32(UInt32(entry.size))
            directory.u16(UInt16(entry.name.count)); directory.u16(0); directory.u16(0)  // name, extra, comment
            directory.u16(0); directory.u16(0); directory.u32(0)                        // disk, attributes
            directory.u32(UInt32(entry.headerOffset))
            directory.bytes += entry.name
        }
        let size = UInt64(directory.bytes.count)
        guard start + size <= UInt32.max else {
            throw ParkError.invalid("cannot write '\(path)': the workbook would pass 4 GiB; use --format csv")
        }
        directory.u32(0x0605_4B50)               // end of central directory
        directory.u16(0); directory.u16(0)
        directory.u16(UInt16(entries.count)); directory.u16(UInt16(entries.count))
        directory.u32(UInt32(size)); directory.u32(UInt32(start))
        directory.u16(0)
        deflater.writeRaw(directory.bytes)
        try deflater.check(path)
    }
}

/// Little-endian fields of the ZIP format.
private struct ZipBytes {
    var bytes: [UInt8] = []
    mutating func u16(_ v: UInt16) { bytes += [UInt8(v & 0xFF), UInt8(v >> 8)] }
    mutating func u32(_ v: UInt32) { u16(UInt16(v & 0xFFFF)); u16(UInt16(v >> 16)) }
}

/// The thread that deflates and writes the blocks of a ``ZipArchiveWriter`` entry, two
/// blocks in flight: the caller fills one while this thread compresses the other.
private final class BackgroundDeflater: @unchecked Sendable {
    struct Done { var crc: UInt32, size: UInt64, compressedSize: UInt64 }

    private enum Job { case block(UnsafeMutableRawPointer, Int), finish, stop }

    private let fd: Int32
    private let blocks: [UnsafeMutableRawPointer]
    private let output: UnsafeMutableRawPointer
    private static let outputSize = 1 << 18

    // Shared with the thread: guarded by `lock`, signalled by the semaphores.
    private let lock = NSLock()
    private var jobs: [Job] = []
    private var free: [UnsafeMutableRawPointer]
    private let jobReady = DispatchSemaphore(value: 0)
    // Made at 0 and signalled: libdispatch traps on freeing a semaphore below its initial value.
    private let blockFree = DispatchSemaphore(value: 0)
    private let entryDone = DispatchSemaphore(value: 0)
    private let stopped = DispatchSemaphore(value: 0)
    private var thread: Thread?

    // The thread's own, read by the caller only after `entryDone` (or before any job).
    private var stream = z_stream()
    private var crc: UInt32 = 0
    private var size: UInt64 = 0
    private var compressedSize: UInt64 = 0
    private(set) var written: UInt64 = 0
    private var failure: Int32 = 0
    private var entryOpen = false

    init(fd: Int32, blockSize: Int) {
        self.fd = fd
        blocks = (0..<2).map { _ in UnsafeMutableRawPointer.allocate(byteCount: blockSize, alignment: 64) }
        free = blocks
        for _ in blocks { blockFree.signal() }
        output = UnsafeMutableRawPointer.allocate(byteCount: Self.outputSize, alignment: 64)
        let thread = Thread { [unowned self] in self.run() }
        thread.name = "parkctl-deflate"
        thread.stackSize = 1 << 20
        self.thread = thread
        thread.start()
    }

    deinit {
        blocks.forEach { $0.deallocate() }
        output.deallocate()
    }

    /// Ends the thread (once).
    func stop() {
        guard thread != nil else { return }
        post(.stop)
        stopped.wait()
        thread = nil
    }

    /// A block to fill, once the thread has finished with it.
    func freeBlock() -> UnsafeMutableRawPointer {
        blockFree.wait()
        lock.lock(); defer { lock.unlock() }
        return free.removeLast()
    }

    func startEntry(level: Int32) {
        stream = z_stream()
        let status = parkctl_deflate_init(&stream, level)
        precondition(status == Z_OK, "zlib: deflateInit2 failed (\(status))")
        crc = UInt32(crc32(0, nil, 0))
        entryOpen = true
        size = 0
        compressedSize = 0
    }

    func compress(_ block: UnsafeMutableRawPointer, count: Int) { post(.block(block, count)) }

    /// Waits for the entry's last bytes to be compressed and written.
    func finishEntry() -> Done {
        post(.finish)
        entryDone.wait()
        return Done(crc: crc, size: size, compressedSize: compressedSize)
    }

    /// Bytes written as they are (headers), while no entry is being compressed.
    func writeRaw(_ bytes: [UInt8]) {
        bytes.withUnsafeBytes { put($0.baseAddress!, $0.count) }
    }

    /// Throws the error of a failed write (disk full, say) naming `path`.
    func check(_ path: String) throws {
        lock.lock(); let failure = self.failure; lock.unlock()
        if failure != 0 { throw ParkError.invalid("cannot write '\(path)': \(String(cString: strerror(failure)))") }
    }

    private func post(_ job: Job) {
        lock.lock(); jobs.append(job); lock.unlock()
        jobReady.signal()
    }

    private func run() {
        while true {
            jobReady.wait()
            lock.lock(); let job = jobs.removeFirst(); lock.unlock()
            switch job {
            case .block(let block, let count):
                crc = UInt32(crc32(uLong(crc), block.assumingMemoryBound(to: Bytef.self), uInt(count)))
                size += UInt64(count)
                deflate(block, count: count, flush: Z_NO_FLUSH)
                lock.lock(); free.append(block); lock.unlock()
                blockFree.signal()
            case .finish:
                deflate(nil, count: 0, flush: Z_FINISH)
                deflateEnd(&stream)
                entryOpen = false
                entryDone.signal()
            case .stop:
                if entryOpen { deflateEnd(&stream) }
                stopped.signal()
                return
            }
        }
    }

    private func deflate(_ input: UnsafeMutableRawPointer?, count: Int, flush: Int32) {
        stream.next_in = input?.assumingMemoryBound(to: Bytef.self)
        stream.avail_in = uInt(count)
        repeat {
            stream.next_out = output.assumingMemoryBound(to: Bytef.self)
            stream.avail_out = uInt(Self.outputSize)
            let status = CZlibDeflate.deflate(&stream, flush)
            precondition(status != Z_STREAM_ERROR, "zlib: deflate failed")
            let produced = Self.outputSize - Int(stream.avail_out)
            compressedSize += UInt64(produced)
            put(output, produced)
        } while stream.avail_out == 0   // zlib's own loop: room left means it had no more to give
    }

    /// Writes to the file; a failure is kept (and later writes dropped) for `check`.
    private func put(_ bytes: UnsafeRawPointer, _ count: Int) {
        var offset = 0
        while offset < count, failure == 0 {
            let n = Glibc.write(fd, bytes + offset, count - offset)
            if n < 0 {
                if errno == EINTR { continue }
                lock.lock(); failure = errno; lock.unlock()
            } else {
                offset += n
            }
        }
        written += UInt64(offset)
    }
}
