import Foundation
import Testing
import TestSupport
@testable import Dashboard

/// The theme parser under random bytes and mutations of the bundled themes (seeded, fixed iterations, no timing):
/// it never crashes; it returns a theme with a normal style or an error naming a line of the file.
@Suite struct ParserFuzzTests {
    static let iterations = 5_000

    @Test func themeFiles() throws {
        let bundled = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("themes")
        let seeds = try FileManager.default.contentsOfDirectory(atPath: bundled.path).filter { $0.hasSuffix(".theme") }.sorted()
            .map { try String(contentsOf: bundled.appendingPathComponent($0), encoding: .utf8) }
        #expect(seeds.count >= 5)
        var fuzz = Fuzzer(seed: 0x7E3E, dictionary: ["normal = ", "ok = ", " on ", "bright-", "#ff00ff", "#zzzzzz", "255", "256",
                                                     "bold", "default", "\n", "# comment", "=", "error = red on"])
        var parsed = 0
        for (n, text) in fuzz.inputs(Self.iterations, seeds: seeds, maxRandomLength: 400).enumerated() {
            do {
                let theme = try ThemeParser.parse(text, name: "fuzz", file: "fuzz.theme")
                parsed += 1
                #expect(theme.styles[.normal] != nil, "iteration \(n)")
                for style in theme.styles.values {
                    for color in [style.foreground, style.background] {
                        if case .indexed(let index) = color { #expect((0...255).contains(index), "iteration \(n): colour \(index)") }
                    }
                }
            } catch {
                let lines = text.split(separator: "\n", omittingEmptySubsequences: false).count
                if let line = error.line { #expect((1...lines).contains(line), "iteration \(n): line \(line) of \(lines)") }
                #expect(error.description.count < 600, "iteration \(n): the message quotes at most a short piece")
            }
        }
        #expect(parsed > 50, "mutations keep enough themes valid: \(parsed)")
    }
}
