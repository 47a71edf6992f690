import Foundation

/// What /proc says about a process the test started (or that its children started): alive, CPU spent, memory.
enum ProcessProbe {
    /// The fields of /proc/PID/stat after the command name, or nil once the process is gone.
    private static func statFields(_ pid: Int32) -> [Substring]? {
        guard let text = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
              let close = text.lastIndex(of: ")") else { return nil }
        return text[text.index(after: close)...].split(separator: " ")
    }

    /// Gone, or a zombie nobody reaped yet (in a container the reaper may be slow): either way it runs no more.
    static func isGone(_ pid: Int32) -> Bool {
        guard let fields = statFields(pid) else { return true }
        return fields.first == "Z" || fields.first == "X"
    }

    /// User plus system CPU time so far, in seconds.
    static func cpuSeconds(_ pid: Int32) -> Double? {
        guard let fields = statFields(pid), fields.count > 13, let user = Double(fields[11]), let system = Double(fields[12]) else {
            return nil
        }
        return (user + system) / Double(sysconf(Int32(_SC_CLK_TCK)))
    }

    /// Resident memory in KiB.
    static func residentKiB(_ pid: Int32) -> Int? {
        guard let text = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8),
              let line = text.split(separator: "\n").first(where: { $0.hasPrefix("VmRSS:") }) else { return nil }
        return Int(line.split(separator: " ").dropFirst().first ?? "")
    }

    /// Waits until the process is gone; false if it still runs after `timeout`.
    static func waitUntilGone(_ pid: Int32, timeout: TimeInterval) -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if isGone(pid) { return true }
            Thread.sleep(forTimeInterval: 0.05)
        }
        return isGone(pid)
    }

    /// The pid a command wrote to `file` (see `pidFileCommand`), waiting for it to appear.
    static func pid(in file: String, timeout: TimeInterval = 10) -> Int32? {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if let text = try? String(contentsOfFile: file, encoding: .utf8),
               let pid = Int32(text.trimmingCharacters(in: .whitespacesAndNewlines)) { return pid }
            Thread.sleep(forTimeInterval: 0.05)
        }
        return nil
    }

    /// `/bin/sh -c` that writes its pid to `file`, then execs `command` (which keeps that pid).
    static func pidFileCommand(_ command: [String], file: String) -> [String] {
        let quoted = command.map { "'" + $0.replacingOccurrences(of: "'", with: "'\\''") + "'" }.joined(separator: " ")
        return ["/bin/sh", "-c", "echo $$ > '\(file)'; exec \(quoted)"]
    }
}
