import Foundation

/// A dashboard runs for hours, but most of the program code it has mapped ran only once, to start it: parsing its
/// arguments and theme, connecting, the first decoding of every pane. The kernel keeps each code page a process
/// has run mapped, and the 64 KB around it (fault-around), for as long as the process lives, which made code most of
/// a dashboard's resident memory. Once the first frame is up, the dashboard hands its code mappings back: the pages
/// it still runs are mapped again on their next use, from the page cache, not the disk.
public enum ResidentCode {
    /// Unmaps the resident pages of every file-backed code mapping that holds only the file's pages (one the process
    /// wrote to, as a debugger's breakpoint does, is left as it is: dropping its own pages would lose them). Returns
    /// the KiB released.
    @discardableResult
    public static func release() -> Double {
        guard let mappings = ProcessMapping.of() else { return 0 }
        var released = 0.0
        for mapping in mappings where mapping.permissions == "r-xp" && mapping.path != nil
            && mapping.residentKiB > 0 && mapping.anonymousKiB == 0 {
            guard let start = UnsafeMutableRawPointer(bitPattern: mapping.start),
                  madvise(start, Int(mapping.end - mapping.start), MADV_DONTNEED) == 0 else { continue }
            released += mapping.residentKiB
        }
        return released
    }
}
