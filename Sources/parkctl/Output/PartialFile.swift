import Foundation
import ParkCore
#if canImport(Glibc)
import Glibc
#endif

/// A file written under a temporary name beside its destination and renamed to it once
/// whole: a command that fails leaves the file that was there as it was (a workbook, an
/// export to --output).
enum PartialFile {
    /// `.NAME.PID.partial` in the destination's folder (the same file system, so the
    /// rename is atomic).
    static func path(for destination: String) -> String {
        let url = URL(fileURLWithPath: destination)
        return url.deletingLastPathComponent().appending(path: ".\(url.lastPathComponent).\(getpid()).partial").path
    }

    /// Creates the partial file for `destination`, refusing a destination that is not a
    /// regular file (a device, a FIFO, a folder: a rename would replace it) and never
    /// following a link planted at the partial file's name (created exclusively).
    static func create(for destination: String) throws -> (path: String, fd: Int32) {
        var info = stat()
        if stat(destination, &info) == 0, (info.st_mode & S_IFMT) != S_IFREG {
            throw ParkError.invalid("cannot write '\(destination)': it is not a regular file (give the path of a file)")
        }
        let path = path(for: destination)
        unlink(path)   // a stale partial file, or a link someone put there: never written through
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw ParkError.invalid("cannot write '\(destination)': \(String(cString: strerror(errno)))") }
        return (path, fd)
    }

    /// Puts the finished file in place.
    static func finish(_ partial: String, as destination: String) throws {
        guard rename(partial, destination) == 0 else {
            throw ParkError.invalid("cannot write '\(destination)': \(String(cString: strerror(errno)))")
        }
    }
}
