import Foundation

/// One memory mapping of a process as /proc/PID/smaps lists it: what it maps and how much of it is resident.
public struct ProcessMapping: Sendable {
    public var start: UInt
    public var end: UInt
    /// As the kernel writes them: "r-xp" is private executable code.
    public var permissions: String
    /// The mapped file; nil for anonymous memory and the kernel's own ([heap], [stack], [vdso], …).
    public var path: String?
    public var residentKiB: Double
    /// Of `residentKiB`, the pages that are the process's own rather than the file's (written, or never a file's).
    public var anonymousKiB: Double

    /// The mappings of process `pid` ("self" for this one), or nil when /proc cannot say.
    public static func of(_ pid: String = "self") -> [ProcessMapping]? {
        guard let smaps = procFile("/proc/\(pid)/smaps") else { return nil }
        var mappings: [ProcessMapping] = []
        for line in smaps.split(separator: "\n") {
            let fields = line.split(separator: " ", omittingEmptySubsequences: true)
            guard let first = fields.first else { continue }
            let range = first.split(separator: "-")
            if range.count == 2, fields.count >= 5, let start = UInt(range[0], radix: 16), let end = UInt(range[1], radix: 16) {
                let path = fields.count > 5 && fields[5].hasPrefix("/") ? fields[5...].joined(separator: " ") : nil
                mappings.append(ProcessMapping(start: start, end: end, permissions: String(fields[1]), path: path,
                                               residentKiB: 0, anonymousKiB: 0))
            } else if fields.count > 1, let kib = Double(fields[1]), !mappings.isEmpty {
                if first == "Rss:" { mappings[mappings.count - 1].residentKiB = kib }
                if first == "Anonymous:" { mappings[mappings.count - 1].anonymousKiB = kib }
            }
        }
        return mappings
    }
}

/// A /proc file whole. Its size reads as 0, and Foundation's file reading stopped after the first page of smaps.
private func procFile(_ path: String) -> String? {
    let fd = open(path, O_RDONLY)
    guard fd >= 0 else { return nil }
    defer { close(fd) }
    var bytes: [UInt8] = []
    var buffer = [UInt8](repeating: 0, count: 65_536)
    while true {
        let count = read(fd, &buffer, buffer.count)
        guard count > 0 else { return count == 0 ? String(decoding: bytes, as: UTF8.self) : nil }
        bytes.append(contentsOf: buffer[0..<count])
    }
}
