import Foundation

/// One measured figure beside the baseline it is compared with, and the issue's target for it.
struct Figure: Codable {
    var section: String
    var name: String
    var value: Double
    var unit: String
    var baselineName: String?
    var baseline: Double?
    /// value ÷ baseline (what the target is stated in, when it is a ratio).
    var ratio: Double? { baseline.flatMap { $0 == 0 ? nil : value / $0 } }
    var target: String?
    /// nil when there is no target, or the run was too small to judge it.
    var met: Bool?
    var note: String?
}

/// Everything one run measured: written as BENCHMARKS.md and benchmarks.json.
struct Report: Codable {
    var date: String
    var commit: String
    var command: String
    var mode: String
    var machine: String
    var load: String
    var sizes: [String: Int]
    var figures: [Figure] = []
    /// Plans and profiles for the targets a run missed (and what they show).
    var evidence: [String: String] = [:]

    mutating func add(_ figure: Figure) {
        figures.append(figure)
        let ratio = figure.ratio.map { String(format: " (%.3f× %@)", $0, figure.baselineName ?? "") } ?? ""
        let verdict = figure.met.map { $0 ? " — target met" : " — TARGET MISSED" } ?? ""
        say("  \(figure.name): \(Self.format(figure.value, figure.unit))\(ratio)\(verdict)")
    }

    static func format(_ value: Double, _ unit: String) -> String {
        switch unit {
        case "ms": return String(format: "%.2f ms", value)
        case "MiB": return String(format: "%.1f MiB", value)
        case "%": return String(format: "%.2f %%", value)
        default: return String(format: value >= 100 ? "%.0f %@" : "%.2f %@", value, unit)
        }
    }

    func markdown() -> String {
        var lines = [
            "# wsync benchmarks",
            "",
            "Written by `\(command)` — do not edit by hand; run it again. The same figures are in `benchmarks.json`.",
            "",
            "| | |", "|---|---|",
            "| date | \(date) |", "| commit | `\(commit)` |", "| mode | \(mode) |", "| machine | \(machine) |",
            "| load | \(load) |",
            "| sizes | \(sizes.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ")) |",
            "",
            "## How to read this",
            "",
            "Each figure is a median of repeated runs in this one process, next to its baseline measured the same way in",
            "the same run; the ratio is figure ÷ baseline, so ratios compare across machines better than milliseconds do.",
            "A target is judged only at the size the issue states it for (full mode); a quick run is a smoke test that",
            "the benchmarks work and shows the shape of the figures, not their value at scale.",
            "",
        ]
        for section in sectionsInOrder {
            lines += ["## \(section)", "", "| figure | value | baseline | ratio | target | verdict |", "|---|---:|---:|---:|---|---|"]
            for figure in figures where figure.section == section {
                let baseline = figure.baseline.map { "\(Self.format($0, figure.unit)) (\(figure.baselineName ?? ""))" } ?? ""
                let ratio = figure.ratio.map { String(format: "%.3f×", $0) } ?? ""
                let verdict = figure.met.map { $0 ? "met" : "**missed**" } ?? (figure.target == nil ? "" : "not judged at this size")
                lines.append("| \(figure.name)\(figure.note.map { " — \($0)" } ?? "") | \(Self.format(figure.value, figure.unit)) | \(baseline) | \(ratio) | \(figure.target ?? "") | \(verdict) |")
            }
            lines.append("")
        }
        if !evidence.isEmpty {
            lines += ["## Why targets were missed", ""]
            for (name, text) in evidence.sorted(by: { $0.key < $1.key }) {
                lines += ["### \(name)", "", "```", text.trimmingCharacters(in: .whitespacesAndNewlines), "```", ""]
            }
        }
        return lines.joined(separator: "\n")
    }

    private var sectionsInOrder: [String] {
        var seen: [String] = []
        for figure in figures where !seen.contains(figure.section) { seen.append(figure.section) }
        return seen
    }
}

/// Median wall time of `body` in milliseconds, after a few warm-up runs.
func medianMilliseconds(iterations: Int, warmUp: Int = 3, _ body: () throws -> Void) rethrows -> Double {
    median(try samplesMilliseconds(iterations: iterations, warmUp: warmUp, body))
}

func samplesMilliseconds(iterations: Int, warmUp: Int = 3, _ body: () throws -> Void) rethrows -> [Double] {
    for _ in 0..<warmUp { try body() }
    var samples: [Double] = []
    for _ in 0..<max(1, iterations) { samples.append(try elapsedMilliseconds(body)) }
    return samples
}

func median(_ samples: [Double]) -> Double { samples.sorted()[samples.count / 2] }

func elapsedMilliseconds(_ body: () throws -> Void) rethrows -> Double {
    let start = DispatchTime.now().uptimeNanoseconds
    try body()
    return Double(DispatchTime.now().uptimeNanoseconds - start) / 1_000_000
}

func elapsedSeconds(_ body: () async throws -> Void) async rethrows -> Double {
    let start = DispatchTime.now().uptimeNanoseconds
    try await body()
    return Double(DispatchTime.now().uptimeNanoseconds - start) / 1_000_000_000
}

/// Progress on stderr, which is not buffered: a long run shows where it is.
func say(_ line: String) {
    FileHandle.standardError.write(Data((line + "\n").utf8))
}
