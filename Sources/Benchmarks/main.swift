import Foundation
import Postgres
import SyncEngine

// Measures what wsync's speed claims rest on, each beside its baseline in the same run, on a throwaway PostgreSQL,
// and writes BENCHMARKS.md and benchmarks.json. See --help.

let help = """
    USAGE: swift run -c release wsync-benchmarks [--quick] [--output DIR] [--iterations N] [--size NAME=N]…
           swift run -c release wsync-benchmarks load [--quick] …   (the load run: see `load --help`)

    Full mode (the default) measures at the sizes issue 12 states its targets for: 100,000 jobs and 1,000,000
    sync-run rows, stop-all of 100,000 rows, 2,000 due jobs for the workers, 10 minutes of the dashboard process,
    then the refresh again at 1,000,000 jobs and 10,000,000 sync-run rows. It takes a while (seeding alone is
    minutes on 2 cores; the large database, about ten). --quick runs every benchmark at small sizes in under two
    minutes, the large refresh aside (it is the refresh's code at another size): a smoke test (CI runs it) that
    judges no size-dependent target.

    Writes DIR/BENCHMARKS.md and DIR/benchmarks.json (DIR: the current directory). The 2-processes worker pass and
    the dashboard process need the wsync binary beside this one: `swift build -c release` first.

    OPTIONS:
      --quick          small sizes, under two minutes
      --output DIR     where to write the report
      --iterations N   samples per median (default 30; quick 15)
      --explain        print the plans of the refresh and its panes
      --size NAME=N    override one size (repeatable): jobs, sync_runs, ingest_issues, row_at_a_time_issues,
                       worker_jobs, dashboard_seconds, large_jobs, large_sync_runs; a target is judged only at
                       the size it is stated for
      --only LIST      run only these sections (refresh,writes,ingest,workers,dashboard,large); for working on one
      --hold           after seeding the first database, print how to reach it with psql and wait for a line (or
                       the end) on standard input before measuring: for trying plans by hand on the seeded data
      -h, --help       this text
    """

if CommandLine.arguments.dropFirst().first == "load" {
    exit(await LoadTest.main(Array(CommandLine.arguments.dropFirst(2))))
}

let arguments = CommandLine.arguments.dropFirst()
if arguments.contains("--help") || arguments.contains("-h") {
    print(help)
    exit(0)
}
func value(_ option: String) -> String? { arguments.firstIndex(of: option).flatMap { arguments.dropFirst($0 - arguments.startIndex + 1).first } }
let quick = arguments.contains("--quick")
let explainPlans = arguments.contains("--explain")
let output = URL(fileURLWithPath: value("--output") ?? FileManager.default.currentDirectoryPath)
let only = value("--only").map { Set($0.split(separator: ",").map(String.init)) }
func runs(_ section: String) -> Bool { only?.contains(section) ?? true }
let iterations = value("--iterations").flatMap(Int.init) ?? (quick ? 15 : 30)
var sizes = quick
    ? ["jobs": 10_000, "sync_runs": 100_000, "ingest_issues": 500, "row_at_a_time_issues": 150, "worker_jobs": 60, "dashboard_seconds": 15]
    : ["jobs": 100_000, "sync_runs": 1_000_000, "ingest_issues": 3_000, "row_at_a_time_issues": 600, "worker_jobs": 2_000, "dashboard_seconds": 600,
       "large_jobs": 1_000_000, "large_sync_runs": 10_000_000]
for (index, argument) in arguments.enumerated() where argument == "--size" {
    let pair = arguments.dropFirst(index + 1).first?.split(separator: "=").map(String.init) ?? []
    guard pair.count == 2, sizes[pair[0]] != nil, let size = Int(pair[1]) else {
        FileHandle.standardError.write(Data("wsync-benchmarks: --size takes NAME=N, NAME one of \(sizes.keys.sorted().joined(separator: ", "))\n".utf8))
        exit(2)
    }
    sizes[pair[0]] = size
}

/// The wsync binary of the same build, for the benchmarks that run it as a process.
let wsyncBinary: URL? = {
    let url = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent().appendingPathComponent("wsync")
    return FileManager.default.isExecutableFile(atPath: url.path) ? url : nil
}()

do {
    // Before minutes of seeding, not after: a report with nowhere to go would lose the run.
    try FileManager.default.createDirectory(at: output, withIntermediateDirectories: true)
    let cluster = try ThrowawayCluster(prefix: "wsync-bench")
    defer { cluster.stop() }
    var report = Report(date: ISO8601DateFormatter().string(from: Date()), commit: shell("git describe --always --dirty --abbrev=7"),
                        command: (["swift run -c release wsync-benchmarks"] + withoutOutput(Array(arguments))).joined(separator: " "),
                        mode: quick ? "quick (smoke test; size-dependent targets not judged)" : "full",
                        machine: machine(), load: load(), sizes: sizes)
    say("wsync benchmarks, \(report.mode): \(report.machine)")
    // The first database serves every section but the large refresh, which `--only large` runs alone.
    if ["refresh", "writes", "ingest", "workers", "dashboard"].contains(where: runs) {
        say("seeding \(sizes["jobs"]!) jobs and \(sizes["sync_runs"]!) sync runs…")
        let database = try BenchDatabase.seeded(cluster, name: "bench", jobs: sizes["jobs"]!, runs: sizes["sync_runs"]!)
        if arguments.contains("--hold") {
            say("seeded; reach it with: psql \"\(database.cluster.conninfo(database: database.name))\"; press Enter to go on")
            _ = readLine()
        }
        // Targets are stated for the full sizes: a smaller run shows the figures without judging them.
        let judged = !quick && sizes["jobs"]! >= 100_000 && sizes["sync_runs"]! >= 1_000_000
        if runs("refresh") {
            say("refresh")
            try benchmarkRefresh(database, section: "Dashboard refresh", jobs: sizes["jobs"]!, judged: judged,
                                 iterations: iterations, report: &report)
        }
        if runs("writes") {
            say("writes")
            try benchmarkWrites(database, jobs: sizes["jobs"]!, judged: judged, iterations: iterations, report: &report)
        }
        if runs("ingest") {
            say("ingest")
            try await benchmarkIngest(database, issues: sizes["ingest_issues"]!, rowIssues: sizes["row_at_a_time_issues"]!, report: &report)
        }
        if runs("workers") {
            say("workers")
            try await benchmarkWorkers(database, jobs: sizes["worker_jobs"]!, wsync: wsyncBinary, report: &report)
        }
        if runs("dashboard") {
            say("dashboard")
            try benchmarkDashboard(database, iterations: iterations, watch: TimeInterval(sizes["dashboard_seconds"]!), wsync: wsyncBinary,
                                   report: &report)
        }
        // Done with: the large database, seeded next, does not share the machine's memory with it.
        try Connection(cluster.configuration()).execute("DROP DATABASE \(identifier: SQLIdentifier(database.name)) WITH (FORCE)")
    }
    if let largeJobs = sizes["large_jobs"], let largeRuns = sizes["large_sync_runs"], runs("large") {
        say("seeding \(largeJobs) jobs and \(largeRuns) sync runs…")
        let large = try BenchDatabase.seeded(cluster, name: "bench_large", jobs: largeJobs, runs: largeRuns)
        say("refresh at \(largeJobs) jobs")
        try benchmarkRefresh(large, section: "Dashboard refresh at \(largeJobs) jobs", jobs: largeJobs,
                             judged: largeJobs >= 1_000_000 && largeRuns >= 10_000_000, iterations: iterations, report: &report)
    }
    report.load = "at the start " + report.load + "; at the end " + load()
    try report.markdown().write(to: output.appendingPathComponent("BENCHMARKS.md"), atomically: true, encoding: .utf8)
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
    try encoder.encode(report).write(to: output.appendingPathComponent("benchmarks.json"))
    say("wrote \(output.appendingPathComponent("BENCHMARKS.md").path) and benchmarks.json")
} catch {
    FileHandle.standardError.write(Data("wsync-benchmarks: \(error is CocoaError ? error.localizedDescription : "\(error)")\n".utf8))
    exit(2)
}

/// The arguments without `--output DIR`: where a report was written is not how it was made.
func withoutOutput(_ arguments: [String]) -> [String] {
    guard let index = arguments.firstIndex(of: "--output") else { return arguments }
    return Array(arguments[..<index] + arguments.dropFirst(index + 2))
}

func shell(_ command: String) -> String {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/bin/sh")
    process.arguments = ["-c", command]
    let pipe = Pipe()
    process.standardOutput = pipe
    process.standardError = FileHandle.nullDevice
    guard (try? process.run()) != nil else { return "unknown" }
    let data = pipe.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
}

func machine() -> String {
    let cpu = shell("grep -m1 'model name' /proc/cpuinfo | cut -d: -f2").trimmingCharacters(in: .whitespaces)
    let memory = shell("awk '/MemTotal/ {printf \"%.1f GiB\", $2 / 1048576}' /proc/meminfo")
    return "\(ProcessInfo.processInfo.activeProcessorCount) cores (\(cpu)), \(memory), \(shell("uname -sr")), "
        + shell("pg_config --version") + " with default settings, database on a Unix socket"
}

/// The machine is shared: the load average says how much else ran meanwhile.
func load() -> String {
    "load average " + shell("cut -d' ' -f1-3 /proc/loadavg")
}
