import Dashboard
import Foundation
import Postgres
import SyncEngine

/// One frame of the dashboard (state to cell grid) at 200×60 with 1,000-row lists, and the real `wsync dash`
/// process in tmux: resident memory and CPU while nothing changes.
func benchmarkDashboard(_ database: BenchDatabase, iterations: Int, watch: TimeInterval, wsync: URL?, report: inout Report) throws {
    let section = "Dashboard process"
    let connection = try database.connect()
    let snapshot = try DashboardSnapshot.fetch(connection, options: .init(failedLimit: 1_000, stuckLimit: 1_000))
    var state = DashboardState(database: "localhost/bench", readOnly: false, interval: 2, now: Date(),
                               themeNames: ["default"], themeName: "default")
    state = update(state, .snapshot(snapshot)).0
    state.focus = .failed
    let size = Size(width: 200, height: 60)
    let frame = medianMilliseconds(iterations: iterations * 3) { _ = render(state, size: size) }
    report.add(Figure(section: section, name: "one frame at 200×60", value: frame, unit: "ms", target: "≤ 2 ms", met: frame <= 2,
                      note: "\(snapshot.failed.count) failed and \(snapshot.stuck.count) stuck rows listed"))
    guard let wsync else {
        report.add(Figure(section: section, name: "resident memory and idle CPU", value: 0, unit: "MiB",
                          note: "not run: no wsync binary beside the benchmarks (swift build -c release first)"))
        return
    }
    let session = "wsync-bench-\(getpid())"
    try tmux(["new-session", "-d", "-s", session, "-x", "200", "-y", "60",
              "exec env DATABASE_URL='\(database.cluster.url(database: database.name))' '\(wsync.path)' dash --interval 2"])
    say("    dash started in tmux session \(session)")
    defer { _ = try? tmux(["kill-session", "-t", session]) }
    guard let pid = Int32(try tmux(["list-panes", "-t", session, "-F", "#{pane_pid}"]).trimmingCharacters(in: .whitespacesAndNewlines)) else {
        throw WSyncError.failed("tmux did not say which process runs the dashboard")
    }
    // A dashboard whose terminal is gone does not always exit: quit it with its key, and make sure.
    defer {
        _ = try? tmux(["send-keys", "-t", session, "q"])
        Thread.sleep(forTimeInterval: 1)
        kill(pid, SIGKILL)
    }
    Thread.sleep(forTimeInterval: 5)  // started, connected, first refreshes drawn
    let early = try processSample(pid)
    say("    watching process \(pid) for \(Int(watch)) s")
    Thread.sleep(forTimeInterval: watch)
    let late = try processSample(pid)
    let cpu = (late.cpuSeconds - early.cpuSeconds) / (late.at.timeIntervalSince(early.at)) * 100
    report.add(Figure(section: section, name: "resident memory after \(Int(watch + 5)) s", value: late.residentMiB, unit: "MiB",
                      baselineName: "the demo's release build", baseline: 36.6 / 1.048576,
                      target: "≤ 30 MiB after 10 minutes, and flat", met: watch >= 600 ? late.residentMiB <= 30 && late.residentMiB - early.residentMiB < 1 : nil,
                      note: String(format: "%.1f MiB at 5 s", early.residentMiB)))
    report.add(Figure(section: section, name: "CPU while nothing changes (2 s interval)", value: cpu, unit: "%",
                      target: "≤ 1 % of a core", met: cpu <= 1, note: String(format: "over %.0f s", late.at.timeIntervalSince(early.at))))
    let refresh = try medianMilliseconds(iterations: iterations) { _ = try DashboardSnapshot.fetch(connection) }
    if cpu > 1 || late.residentMiB > 30 {
        report.evidence["Dashboard process"] = String(format: """
            Every 2 s the process reads a snapshot (%.2f ms here: the statement plus decoding its JSON, which is most \
            of it; see the refresh section) and draws a frame (%.2f ms), before ncurses compares and paints the screen: \
            %.2f %% of a core for those two alone, %.2f %% measured in all.
            Memory: %.1f MiB resident at 5 s and %.1f MiB at the end, of which %@: flat, and most of it the \
            pages of the program and its shared libraries that it has touched, not data. By mapping: %@.
            """, refresh, frame, (refresh + frame) / 20, cpu, early.residentMiB, late.residentMiB, late.breakdown,
            residentByMapping(pid))
    }
}

private struct ProcessSample {
    var at: Date
    var residentMiB: Double
    var cpuSeconds: Double
    /// The kernel's split of resident memory: anonymous (heap, stacks) and file-backed (the mapped binaries).
    var breakdown: String
}

private func processSample(_ pid: Int32) throws -> ProcessSample {
    let status = try String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8)
    let rssKiB = status.split(separator: "\n").first { $0.hasPrefix("VmRSS:") }
        .flatMap { $0.split(separator: " ").dropFirst().first }.flatMap { Double($0) } ?? 0
    // Fields after the command's closing parenthesis: utime and stime are the 12th and 13th.
    let stat = try String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8)
    let fields = stat[stat.index(after: stat.lastIndex(of: ")")!)...].split(separator: " ")
    let ticks = Double(sysconf(Int32(_SC_CLK_TCK)))
    let cpu = ((Double(fields[11]) ?? 0) + (Double(fields[12]) ?? 0)) / ticks
    let split = ["RssAnon", "RssFile", "RssShmem"].compactMap { field in
        status.split(separator: "\n").first { $0.hasPrefix(field + ":") }
            .flatMap { $0.split(separator: " ").dropFirst().first }.flatMap { Double($0) }
            .map { String(format: "%@ %.1f MiB", field, $0 / 1024) }
    }.joined(separator: ", ")
    return ProcessSample(at: Date(), residentMiB: rssKiB / 1024, cpuSeconds: cpu, breakdown: split)
}

/// The largest resident parts of a process by what is mapped ("wsync 19.6 MiB, libc.so.6 1.6 MiB, …", anonymous
/// memory as "heap and stacks").
private func residentByMapping(_ pid: Int32, top: Int = 8) -> String {
    guard let mappings = ProcessMapping.of(String(pid)) else { return "unknown" }
    var kib: [String: Double] = [:]
    for mapping in mappings {
        kib[mapping.path.map { String($0.split(separator: "/").last ?? "") } ?? "heap and stacks", default: 0] += mapping.residentKiB
    }
    return kib.sorted { $0.value > $1.value }.prefix(top)
        .map { String(format: "%@ %.1f MiB", $0.key, $0.value / 1024) }.joined(separator: ", ")
}

/// Runs tmux and returns what it printed. Spawned and reaped here rather than with Foundation's Process, whose
/// wait does not return on the main thread once the tmux server it started has detached.
@discardableResult
private func tmux(_ arguments: [String]) throws -> String {
    let output = FileManager.default.temporaryDirectory.appendingPathComponent("wsync-bench-tmux-\(getpid())").path
    defer { unlink(output) }
    var actions = posix_spawn_file_actions_t()
    posix_spawn_file_actions_init(&actions)
    defer { posix_spawn_file_actions_destroy(&actions) }
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
    posix_spawn_file_actions_addopen(&actions, 1, output, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
    posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
    let argv = (["tmux"] + arguments).map { strdup($0) } + [nil]
    defer { argv.forEach { free($0) } }
    var pid: pid_t = 0
    guard posix_spawnp(&pid, "tmux", &actions, nil, argv, environ) == 0 else { throw WSyncError.failed("cannot run tmux") }
    var status: Int32 = 0
    while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
    guard status == 0 else { throw WSyncError.failed("tmux \(arguments.first ?? "") failed") }
    return (try? String(contentsOfFile: output, encoding: .utf8)) ?? ""
}
