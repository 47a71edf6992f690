import Foundation

/// A small seeded generator (SplitMix64): fuzz and hostile-input tests are reproducible from their seed.
public struct SeededGenerator: RandomNumberGenerator {
    private var state: UInt64
    public init(seed: UInt64) { state = seed }
    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// Inputs for the parsers' fuzz tests: random bytes, and mutations of valid inputs (byte flips, insertions,
/// deletions, duplicated ranges, splices, and tokens the parser gives meaning to). Seeded, a fixed number of
/// iterations, no clock: a failure names its seed and iteration, and running it again gives the same input.
public struct Fuzzer {
    public var random: SeededGenerator
    /// Text each mutation may insert: the parser's own punctuation and the values that break naive code.
    public var dictionary: [String]

    public init(seed: UInt64, dictionary: [String] = []) {
        random = SeededGenerator(seed: seed)
        self.dictionary = dictionary + ["\u{0}", "\u{1B}[31m", "\u{9B}", "\u{202E}", "\u{FFFD}", "🚀", "\n", "\r\n", "\t", " ", "\"",
                                        "'", "\\", "%", "%00", "%zz", "-1", "0", "99999999999999999999", "-9223372036854775808",
                                        "9223372036854775807", "1e309", "nan", ";", ",", "=", "#"]
    }

    public mutating func int(_ range: ClosedRange<Int>) -> Int { Int.random(in: range, using: &random) }

    public mutating func bytes(maxLength: Int) -> [UInt8] {
        (0..<int(0...maxLength)).map { _ in UInt8.random(in: 0...255, using: &random) }
    }

    /// Random bytes, decoded as UTF-8 with repair (what a String from the wire holds).
    public mutating func randomText(maxLength: Int) -> String {
        String(decoding: bytes(maxLength: maxLength), as: UTF8.self)
    }

    /// `seed` changed by one to eight mutations.
    public mutating func mutate(_ seed: String, splicing others: [String] = []) -> String {
        var bytes = Array(seed.utf8)
        for _ in 0..<int(1...8) {
            let position = bytes.isEmpty ? 0 : int(0...bytes.count)
            switch int(0...6) {
            case 0 where !bytes.isEmpty:
                bytes[min(position, bytes.count - 1)] ^= UInt8(1 << int(0...7))
            case 1:
                bytes.insert(UInt8.random(in: 0...255, using: &random), at: position)
            case 2 where !bytes.isEmpty:
                let end = min(bytes.count, position + int(1...16))
                bytes.removeSubrange(min(position, end)..<end)
            case 3 where !bytes.isEmpty:
                let start = int(0...(bytes.count - 1))
                let end = min(bytes.count, start + int(1...32))
                bytes.insert(contentsOf: bytes[start..<end], at: position)
            case 4 where !others.isEmpty:
                let other = Array(others[int(0...(others.count - 1))].utf8)
                let cut = other.isEmpty ? 0 : int(0...other.count)
                bytes = Array(bytes.prefix(position)) + other.suffix(from: cut)
            default:
                bytes.insert(contentsOf: Array(dictionary[int(0...(dictionary.count - 1))].utf8), at: position)
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// `count` inputs: a third random bytes, the rest mutations of `seeds`.
    public mutating func inputs(_ count: Int, seeds: [String], maxRandomLength: Int = 200) -> [String] {
        (0..<count).map { n in
            n % 3 == 0 || seeds.isEmpty ? randomText(maxLength: maxRandomLength) : mutate(seeds[n % seeds.count], splicing: seeds)
        }
    }
}
