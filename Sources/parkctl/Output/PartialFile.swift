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

    /// Puts the finished file in place.
    static func finish(_ partial: String, as destination: String) throws {
        guard rename(partial, destination) == 0 else {
            throw ParkError.invalid("cannot write '\(destination)': \(String(cString: strerror(errno)))")
        }
    }
}
