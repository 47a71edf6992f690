import Foundation
import Testing
import TestSupport
@testable import SyncEngine

/// Random bytes and mutations of valid inputs for each parser of what GitHub sends and what the operator types:
/// seeded (the seed and iteration of a failure reproduce it), a fixed number of iterations, no timing. Each input
/// must neither crash nor misbehave: what a parser accepts obeys its rule. docs/reliability.md quotes the counts.
@Suite struct ParserFuzzTests {
    static let iterations = 20_000

    @Test func linkHeader() {
        var fuzz = Fuzzer(seed: 0x11AC, dictionary: ["<", ">", "; ", "rel=", "rel=\"next\"", "rel=\"last\"", "rel=next", ", ", "http://",
                                                    "https://api.github.com/repositories/1/issues?page=2", "REL=\"NEXT\"", "<>"])
        let seeds = [
            "<https://api.github.com/repositories/1/issues?page=2&per_page=100>; rel=\"next\", <https://api.github.com/repositories/1/issues?page=9>; rel=\"last\"",
            "<https://api.github.com/x?page=1>; rel=\"prev\", <https://api.github.com/x?page=3>; rel=\"next\"",
            "<http://127.0.0.1:8080/repositories/5/issues?since=2024-01-01T00%3A00%3A00Z&page=2>; rel=\"next\"",
            "<https://a/b>; rel=\"first prev\"",
        ]
        var found = 0
        for (n, header) in fuzz.inputs(Self.iterations, seeds: seeds).enumerated() {
            guard let url = LinkHeader.url(rel: "next", in: header) else { continue }
            found += 1
            // A URL it returns was written between < and > in the header, verbatim, and is printable ASCII.
            #expect(header.contains("<\(url.absoluteString)>"), "iteration \(n): \(header.debugDescription) gave \(url)")
            #expect(url.absoluteString.unicodeScalars.allSatisfy { (0x21...0x7E).contains($0.value) })
        }
        #expect(found > Self.iterations / 20, "mutations keep enough headers valid: \(found)")
        // Built headers: the next link is always found, whatever the other links and the order.
        var random = SeededGenerator(seed: 0x11AD)
        for n in 0..<2_000 {
            let next = "https://api.github.com/repositories/\(Int.random(in: 1...999_999, using: &random))/issues?page=\(n)"
            var links = ["<\(next)>; rel=\"next\""]
            for m in 0..<Int.random(in: 0...3, using: &random) { links.append("<https://x/\(m)?q=a;b,c>; rel=\"\(["last", "prev", "first"][m])\"") }
            links.shuffle(using: &random)
            #expect(LinkHeader.url(rel: "next", in: links.joined(separator: ", "))?.absoluteString == next, "\(links)")
        }
    }

    /// The token goes with every request, so a next page on another origin is not followed.
    @Test func nextPagesStayOnTheConfiguredOrigin() {
        let base = URL(string: "https://api.github.com")!
        #expect(GitHubClient.sameOrigin(URL(string: "https://api.github.com/repositories/1/issues?page=2")!, base))
        #expect(GitHubClient.sameOrigin(URL(string: "https://API.GITHUB.COM:443/x")!, base))
        for elsewhere in ["https://evil.example/x", "http://api.github.com/x", "https://api.github.com:8443/x",
                          "https://api.github.com.evil.example/x", "https://evil.example@api.github.com.evil/x"] {
            #expect(!GitHubClient.sameOrigin(URL(string: elsewhere)!, base), "\(elsewhere)")
        }
        let enterprise = URL(string: "http://127.0.0.1:8080/api/v3")!
        #expect(GitHubClient.sameOrigin(URL(string: "http://127.0.0.1:8080/api/v3/repositories/1/issues?page=2")!, enterprise))
    }

    @Test func rateLimitHeaders() {
        var fuzz = Fuzzer(seed: 0x2A7E, dictionary: ["5000", "4999", "1700000000", "60", "+1", " 7 ", "0x10", "1_000", "٣"])
        let seeds = ["5000", "4999", "1", "0", "1735689600", "60"]
        let names = ["x-ratelimit-limit", "x-ratelimit-remaining", "x-ratelimit-reset", "x-ratelimit-used", "x-ratelimit-resource"]
        var parsed = 0
        for n in 0..<Self.iterations {
            var headers: [String: String] = [:]
            for name in names where fuzz.int(0...9) > 0 {
                let seed = seeds[fuzz.int(0...(seeds.count - 1))]
                switch fuzz.int(0...5) {
                case 0: headers[name] = fuzz.randomText(maxLength: 24)
                case 1, 2: headers[name] = fuzz.mutate(seed)
                default: headers[name] = seed
                }
            }
            guard let snapshot = RateLimitSnapshot(headers: headers, token: "t") else { continue }
            parsed += 1
            let counts = 0...Int(Int32.max)
            #expect(counts.contains(snapshot.limit) && counts.contains(snapshot.remaining) && counts.contains(snapshot.used),
                    "iteration \(n): \(headers) gave \(snapshot)")
            #expect(snapshot.resetAt.timeIntervalSince1970 >= 0 && snapshot.resetAt.timeIntervalSince1970 <= 253_402_300_799)
            #expect(!snapshot.resource.isEmpty && snapshot.resource.count <= 64 && !snapshot.resource.contains("\u{0}"))
        }
        #expect(parsed > 100, "\(parsed) readings parsed")
        // The values that once trapped: a limit below any remaining.
        #expect(RateLimitSnapshot(headers: ["x-ratelimit-limit": "-9223372036854775808", "x-ratelimit-remaining": "1",
                                            "x-ratelimit-reset": "0"], token: "t") == nil)
    }

    @Test func durations() {
        var fuzz = Fuzzer(seed: 0xD0A7, dictionary: ["s", "m", "h", "d", "w", "H", "7d", "90s", "2147483647", "+"])
        let seeds = ["90s", "30m", "2h", "7d", "1w", " 3H "]
        var accepted = 0
        for (n, text) in fuzz.inputs(Self.iterations, seeds: seeds, maxRandomLength: 12).enumerated() {
            guard let span = TimeSpan(parsing: text) else { continue }
            accepted += 1
            #expect(span.seconds > 0 && span.seconds <= Int(Int32.max), "iteration \(n): \(text.debugDescription) gave \(span.seconds)")
            #expect(TimeSpan(parsing: span.description)?.seconds == span.seconds, "\(span) round-trips")
        }
        #expect(accepted > 100, "\(accepted)")
    }

    @Test func unpairedSurrogateRepair() throws {
        var fuzz = Fuzzer(seed: 0x5A66, dictionary: ["\\ud800", "\\udc00", "\\uD83D\\uDE80", "\\u00e9", "\\\\", "\\\"", "\\u", "\\uzzzz", "\"x\""])
        let seeds = ["[{\"title\":\"a\\ud83d\\ude80b\",\"body\":null}]", "{\"t\":\"\\ud800\"}", "[\"\\\\ud800\", \"\\udc00x\"]", "\"plain\""]
        for (n, text) in fuzz.inputs(Self.iterations, seeds: seeds).enumerated() {
            let data = Data(text.utf8)
            let repaired = UnpairedSurrogates.repaired(data)
            // Nothing to repair: the very same bytes. Valid JSON stays valid and decodes to the same value.
            if let before = try? JSONSerialization.jsonObject(with: data, options: .fragmentsAllowed) {
                let after = try? JSONSerialization.jsonObject(with: repaired, options: .fragmentsAllowed)
                #expect(after != nil, "iteration \(n): \(text.debugDescription)")
                if !text.lowercased().contains("\\ud") { #expect("\(before)" == "\(after ?? "")") }
            }
            #expect(UnpairedSurrogates.repaired(repaired) == repaired, "iteration \(n): repairing twice changes nothing")
        }
        // Every document of strings with random escapes decodes after the repair.
        var random = SeededGenerator(seed: 0x5A67)
        for _ in 0..<2_000 {
            let parts = (0..<Int.random(in: 1...6, using: &random)).map { _ in
                ["\\ud800", "\\udbff", "\\udc00", "\\udfff", "\\ud83d\\ude80", "a", "\\\\ud800", "\\n"].randomElement(using: &random)!
            }
            let json = Data("[\"\(parts.joined())\"]".utf8)
            #expect((try? JSONDecoder().decode([String].self, from: UnpairedSurrogates.repaired(json))) != nil, "\(parts)")
        }
    }

    @Test func safeTextLeavesNothingATerminalActsOn() {
        var fuzz = Fuzzer(seed: 0x5AFE, dictionary: ["\u{1B}]0;x\u{07}", "\u{200D}", "\u{301}", "\u{2066}", "\u{85}", "\u{2028}"])
        for (n, text) in fuzz.inputs(Self.iterations, seeds: ["plain", "e\u{301}", "👩‍👩‍👧"]).enumerated() {
            let shown = SafeText.line(text)
            let bad = shown.unicodeScalars.first { $0.value < 0x20 || (0x7F...0x9F).contains($0.value) || (0x202A...0x202E).contains($0.value)
                || (0x2066...0x2069).contains($0.value) || $0.value == 0x2028 || $0.value == 0x2029 }
            #expect(bad == nil, "iteration \(n): \(text.debugDescription) → \(shown.debugDescription)")
            #expect(SafeText.line(shown) == shown, "iteration \(n): escaping is idempotent")
        }
    }

    @Test func tokenPools() {
        var fuzz = Fuzzer(seed: 0x70CE, dictionary: ["=", ",", "@", "#", "ghp_abc", "label=ghp_x"])
        for (n, text) in fuzz.inputs(5_000, seeds: ["ghp_a,ghp_b", "one=ghp_a, two=ghp_b", ""]).enumerated() {
            let environment = ["GITHUB_TOKENS": text, "GITHUB_TOKEN": fuzz.mutate("ghp_token")]
            guard let configuration = try? GitHubConfiguration.fromEnvironment(environment, readFile: { _ in "ghp_file\n# c\n" }) else { continue }
            for token in configuration.tokens {
                #expect(!token.secret.isEmpty && token.secret.unicodeScalars.allSatisfy { (0x21...0x7E).contains($0.value) },
                        "iteration \(n): \(text.debugDescription) gave a token that would be a broken header")
                #expect(!token.description.contains(token.secret) || (token.label ?? "").contains(token.secret)
                        || token.fingerprint.contains(token.secret) || "token ()".contains(token.secret), "\(token.secret.debugDescription)")
            }
        }
    }
}
