import Foundation

/// A strict reader of Prometheus' text exposition format 0.0.4, stricter than Prometheus itself: every family has
/// `# HELP` then `# TYPE` before its samples, each exactly once; a family's samples are contiguous and named after
/// it; counters end in `_total` and are never negative; names, labels, escapes and values are exactly as the format
/// spells them; no series appears twice; histograms have ascending `le` buckets ending in `+Inf`, cumulative counts,
/// and `_sum` and `_count` (equal to the `+Inf` bucket). Anything else is an error naming the line.
struct PrometheusTextParser {
    struct Family {
        var name: String
        var help: String
        var type: String
        var samples: [Sample] = []
    }

    struct Sample: Hashable {
        var name: String
        var labels: [String: String]
        var value: Double
    }

    struct Malformed: Error, CustomStringConvertible {
        let line: Int
        let reason: String
        var description: String { "line \(line): \(reason)" }
    }

    static let types: Set<String> = ["counter", "gauge", "histogram", "summary", "untyped"]

    /// Families by name, in the order they appeared.
    static func parse(_ text: String) throws -> [Family] {
        guard text.hasSuffix("\n") else { throw Malformed(line: 0, reason: "the exposition must end with a newline") }
        var families: [Family] = []
        var seenSeries: Set<String> = []
        var pendingHelp: (name: String, help: String)?
        for (index, line) in text.dropLast().components(separatedBy: "\n").enumerated() {
            let number = index + 1
            func fail(_ reason: String) -> Malformed { Malformed(line: number, reason: "\(reason): \(line)") }
            if line.hasPrefix("# HELP ") {
                let rest = line.dropFirst("# HELP ".count)
                let name = String(rest.prefix { $0 != " " })
                guard isMetricName(name), rest.count > name.count + 1 else { throw fail("a HELP needs a metric name and text") }
                guard !families.contains(where: { $0.name == name }), pendingHelp == nil else { throw fail("HELP repeated or without TYPE") }
                pendingHelp = (name, try unescape(String(rest.dropFirst(name.count + 1)), quotes: false, line: number))
            } else if line.hasPrefix("# TYPE ") {
                let parts = line.dropFirst("# TYPE ".count).split(separator: " ", omittingEmptySubsequences: false).map(String.init)
                guard parts.count == 2, let help = pendingHelp, help.name == parts[0] else { throw fail("TYPE must follow its family's HELP") }
                guard types.contains(parts[1]) else { throw fail("unknown type") }
                if parts[1] == "counter", !parts[0].hasSuffix("_total") { throw fail("a counter's name must end in _total") }
                families.append(Family(name: parts[0], help: help.help, type: parts[1]))
                pendingHelp = nil
            } else if line.hasPrefix("#") || line.isEmpty {
                throw fail("only HELP and TYPE comments and no empty lines are expected")
            } else {
                guard pendingHelp == nil, var family = families.popLast() else { throw fail("a sample before its family's HELP and TYPE") }
                let sample = try parseSample(line, line: number)
                let allowed = family.type == "histogram" ? ["_bucket", "_sum", "_count"].map { family.name + $0 } : [family.name]
                guard allowed.contains(sample.name) else { throw fail("sample of another family than \(family.name)") }
                let series = sample.name + sample.labels.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ",")
                guard seenSeries.insert(series).inserted else { throw fail("series repeated") }
                if family.type == "counter", !(sample.value >= 0) { throw fail("a counter is never negative") }
                family.samples.append(sample)
                families.append(family)
            }
        }
        guard pendingHelp == nil else { throw Malformed(line: 0, reason: "a HELP without TYPE at the end") }
        for family in families where family.type == "histogram" { try checkHistogram(family) }
        return families
    }

    private static func checkHistogram(_ family: Family) throws {
        func fail(_ reason: String) -> Malformed { Malformed(line: 0, reason: "histogram \(family.name): \(reason)") }
        let groups = Dictionary(grouping: family.samples) { sample in sample.labels.filter { $0.key != "le" } }
        for (labels, samples) in groups {
            let buckets = samples.filter { $0.name == family.name + "_bucket" }
            let bounds = try buckets.map { bucket -> Double in
                guard let le = bucket.labels["le"], let bound = parseValue(le) else { throw fail("bucket without a numeric le") }
                return bound
            }
            guard bounds == bounds.sorted(), bounds.last == .infinity else { throw fail("buckets must ascend and end at +Inf") }
            guard zip(buckets, buckets.dropFirst()).allSatisfy({ $0.value <= $1.value }) else { throw fail("bucket counts must be cumulative") }
            let count = samples.first { $0.name == family.name + "_count" && $0.labels == labels }
            guard let count, count.value == buckets.last?.value else { throw fail("_count must equal the +Inf bucket") }
            guard samples.contains(where: { $0.name == family.name + "_sum" }) else { throw fail("no _sum") }
        }
    }

    private static func parseSample(_ line: String, line number: Int) throws -> Sample {
        func fail(_ reason: String) -> Malformed { Malformed(line: number, reason: "\(reason): \(line)") }
        var rest = Substring(line)
        let name = String(rest.prefix { $0.isLetter || $0.isNumber || $0 == "_" || $0 == ":" })
        guard isMetricName(name) else { throw fail("bad metric name") }
        rest = rest.dropFirst(name.count)
        var labels: [String: String] = [:]
        if rest.first == "{" {
            rest = rest.dropFirst()
            while rest.first != "}" {
                let label = String(rest.prefix { $0 != "=" })
                guard isLabelName(label), !label.hasPrefix("__") else { throw fail("bad label name \(label)") }
                rest = rest.dropFirst(label.count)
                guard rest.hasPrefix("=\"") else { throw fail("a label value must be quoted") }
                rest = rest.dropFirst(2)
                var raw = ""
                while let c = rest.first, c != "\"" {
                    raw.append(c)
                    rest = rest.dropFirst()
                    if c == "\\", let escaped = rest.first { raw.append(escaped); rest = rest.dropFirst() }
                }
                guard rest.first == "\"" else { throw fail("unterminated label value") }
                rest = rest.dropFirst()
                guard labels.updateValue(try unescape(raw, quotes: true, line: number), forKey: label) == nil else { throw fail("label repeated") }
                if rest.first == "," { rest = rest.dropFirst() } else if rest.first != "}" { throw fail("labels are separated by commas") }
            }
            rest = rest.dropFirst()
        }
        guard rest.first == " " else { throw fail("one space before the value") }
        let valueText = String(rest.dropFirst())
        guard !valueText.contains(" ") else { throw fail("timestamps are not expected") }
        guard let value = parseValue(valueText) else { throw fail("bad value") }
        return Sample(name: name, labels: labels, value: value)
    }

    static func parseValue(_ text: String) -> Double? {
        switch text {
        case "+Inf": .infinity
        case "-Inf": -.infinity
        case "NaN": .nan
        default: text.allSatisfy({ $0.isNumber || "+-.eE".contains($0) }) ? Double(text) : nil
        }
    }

    private static func unescape(_ text: String, quotes: Bool, line: Int) throws -> String {
        var out = ""
        var characters = Substring(text)
        while let c = characters.popFirst() {
            guard c == "\\" else {
                if c == "\n" || (quotes && c == "\"") { throw Malformed(line: line, reason: "unescaped \(c)") }
                out.append(c)
                continue
            }
            switch characters.popFirst() {
            case "\\": out.append("\\")
            case "n": out.append("\n")
            case "\"" where quotes: out.append("\"")
            default: throw Malformed(line: line, reason: "unknown escape in \(text)")
            }
        }
        return out
    }

    private static func isMetricName(_ name: String) -> Bool {
        name.range(of: #"^[a-zA-Z_:][a-zA-Z0-9_:]*$"#, options: .regularExpression) != nil
    }

    private static func isLabelName(_ name: String) -> Bool {
        name.range(of: #"^[a-zA-Z_][a-zA-Z0-9_]*$"#, options: .regularExpression) != nil
    }
}

extension Array where Element == PrometheusTextParser.Family {
    /// The value of one series, `name{label="value",…}` given as name and labels.
    func value(_ name: String, _ labels: [String: String] = [:]) -> Double? {
        lazy.flatMap(\.samples).first { $0.name == name && $0.labels == labels }?.value
    }

    /// Every series that may only grow — counters, and a histogram's buckets, sum and count — by name and labels.
    var growing: [String: Double] {
        var out: [String: Double] = [:]
        for family in self where family.type == "counter" || family.type == "histogram" {
            for sample in family.samples {
                out[sample.name + sample.labels.sorted { $0.key < $1.key }.description] = sample.value
            }
        }
        return out
    }
}
