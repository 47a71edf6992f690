import Foundation

/// Prometheus' text exposition format (version 0.0.4): each family's `# HELP` and `# TYPE` lines, then its samples.
public struct MetricFamily: Sendable, Equatable {
    public enum Kind: String, Sendable { case gauge, counter, histogram }

    public struct Sample: Sendable, Equatable {
        /// Appended to the family's name: `_bucket`, `_sum`, `_count` for histograms, else empty.
        public var suffix: String
        public var labels: [(String, String)]
        public var value: Double

        public init(suffix: String = "", labels: [(String, String)] = [], value: Double) {
            self.suffix = suffix
            self.labels = labels
            self.value = value
        }

        public static func == (a: Sample, b: Sample) -> Bool {
            a.suffix == b.suffix && a.labels.elementsEqual(b.labels, by: ==) && a.value == b.value
        }
    }

    public var name: String
    public var help: String
    public var kind: Kind
    public var samples: [Sample]

    public init(_ name: String, _ kind: Kind, _ help: String, _ samples: [Sample]) {
        self.name = name
        self.help = help
        self.kind = kind
        self.samples = samples
    }

    /// A family of one unlabelled sample.
    public init(_ name: String, _ kind: Kind, _ help: String, value: Double) {
        self.init(name, kind, help, [Sample(value: value)])
    }

    /// A cumulative histogram from per-bucket counts: `counts[i]` observations fell in (bounds[i-1], bounds[i]], and
    /// the last count (one more than the bounds) above every bound.
    public static func histogram(_ name: String, _ help: String, bounds: [Double], counts: [Int], sum: Double) -> MetricFamily {
        var running = 0
        var samples: [Sample] = []
        for (index, bound) in (bounds + [.infinity]).enumerated() {
            running += index < counts.count ? counts[index] : 0
            samples.append(Sample(suffix: "_bucket", labels: [("le", PrometheusText.number(bound))], value: Double(running)))
        }
        samples.append(Sample(suffix: "_sum", value: sum))
        samples.append(Sample(suffix: "_count", value: Double(running)))
        return MetricFamily(name, .histogram, help, samples)
    }
}

public enum PrometheusText {
    public static let contentType = "text/plain; version=0.0.4; charset=utf-8"

    public static func render(_ families: [MetricFamily]) -> String {
        var out = ""
        for family in families {
            out += "# HELP \(family.name) \(escape(family.help, quotes: false))\n# TYPE \(family.name) \(family.kind.rawValue)\n"
            for sample in family.samples {
                out += family.name + sample.suffix
                if !sample.labels.isEmpty {
                    out += "{" + sample.labels.map { "\($0.0)=\"\(escape($0.1, quotes: true))\"" }.joined(separator: ",") + "}"
                }
                out += " \(number(sample.value))\n"
            }
        }
        return out
    }

    /// Whole numbers without a fraction; the format's spellings of infinity and NaN.
    static func number(_ value: Double) -> String {
        if value.isNaN { return "NaN" }
        if value.isInfinite { return value > 0 ? "+Inf" : "-Inf" }
        if value == value.rounded(), abs(value) < 1e15 { return String(Int64(value)) }
        return String(value)
    }

    /// HELP text escapes backslash and newline; label values also the double quote.
    private static func escape(_ text: String, quotes: Bool) -> String {
        var out = ""
        for character in text {
            switch character {
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\"" where quotes: out += "\\\""
            default: out.append(character)
            }
        }
        return out
    }
}
