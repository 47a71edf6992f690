import Foundation
import Testing

/// `wsync demo` as a newcomer runs it: in a terminal, live within a minute, clean after quitting.
@Suite(.serialized) struct DemoTests {
    @Test func demoShowsLiveDataAndLeavesNothingBehind() throws {
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("wsync-demo-test-\(UUID().uuidString.prefix(8))")
        // World-traversable: as root the server runs as `postgres` and must reach its directory.
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o755])
        defer { try? FileManager.default.removeItem(at: scratch) }

        let session = try TmuxSession(command: [WSyncProcess.binary.path, "demo"], width: 120, height: 40,
                                      environment: ["TMPDIR": scratch.path])
        let (live, first) = try session.waitFor(timeout: 120) { $0.contains("● live") && $0.contains("5 Tier usage") }
        #expect(live, "the dashboard did not come up:\n\(first)")
        for pane in ["1 Sync status", "2 Failed syncs", "3 Stuck repos", "4 Rate limit", "5 Tier usage"] {
            #expect(first.contains(pane), "missing pane \(pane)")
        }
        #expect(first.contains("team") && first.contains("free"), "tier usage has no rows:\n\(first)")
        #expect(first.contains("resets in"), "rate-limit gauge has no observation:\n\(first)")
        #expect(first.contains("demo — try Tab, Enter, r reset"), "no first-keys hint:\n\(first)")

        let statusLines = { (screen: String) in screen.split(separator: "\n").prefix(7).joined(separator: "\n") }
        let (moved, later) = try session.waitFor(timeout: 30) { statusLines($0) != statusLines(first) }
        #expect(moved, "counts did not change within 30 s:\n\(later)")

        try session.send("q")
        let (exited, last) = try session.waitFor(timeout: 60) { $0.contains("[exited 0]") }
        #expect(exited, "the demo did not exit cleanly:\n\(last)")
        session.close()
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: scratch.path)
        #expect(leftovers.isEmpty, "left behind: \(leftovers)")
        // The cleanup watchdog polls once a second; give it a moment to notice and exit.
        let deadline = Date().addingTimeInterval(10)
        while !processes(mentioning: scratch.path).isEmpty, Date() < deadline { Thread.sleep(forTimeInterval: 0.2) }
        #expect(processes(mentioning: scratch.path).isEmpty, "processes left running: \(processes(mentioning: scratch.path))")
    }

    private func processes(mentioning text: String) -> [String] {
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        return entries.filter { $0.allSatisfy(\.isNumber) }.compactMap { pid in
            guard let raw = FileManager.default.contents(atPath: "/proc/\(pid)/cmdline") else { return nil }
            let commandLine = String(decoding: raw.map { $0 == 0 ? 32 : $0 }, as: UTF8.self)
            return commandLine.contains(text) ? commandLine : nil
        }
    }
}
