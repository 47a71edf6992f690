import Foundation

/// SplitMix64: a tiny, fast, deterministic generator so the same seed always yields the same data.
struct SeededRandom: RandomNumberGenerator {
    private var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// Mixes a string into a seed (FNV-1a), so each repository gets its own stream independent of creation order.
    static func seed(_ seed: UInt64, _ text: String) -> UInt64 {
        var hash: UInt64 = 0xCBF2_9CE4_8422_2325 ^ seed
        for byte in text.utf8 {
            hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01B3
        }
        return hash
    }
}

/// Generates plausible issue lists: PRs mixed in, closed items with reasons, labels, bots, and hostile text
/// (control characters, escape sequences, right-to-left marks, emoji, and U+0000 in some bodies).
struct IssueGenerator {
    static let users: [SimulatedUser] = (0..<40).map { index in
        let names = ["octocat", "mona", "hubot", "ada", "linus", "grace", "ken", "barbara", "dennis", "margaret"]
        let login = "\(names[index % names.count])-\(index)"
        return SimulatedUser(id: Int64(10_000 + index), login: login)
    } + [
        SimulatedUser(id: 49_699_333, login: "dependabot[bot]", isBot: true),
        SimulatedUser(id: 41_898_282, login: "github-actions[bot]", isBot: true),
    ]

    static let labels: [SimulatedLabel] = [
        SimulatedLabel(id: 1, name: "bug", color: "d73a4a", description: "Something isn't working"),
        SimulatedLabel(id: 2, name: "enhancement", color: "a2eeef", description: "New feature or request"),
        SimulatedLabel(id: 3, name: "documentation", color: "0075ca", description: nil),
        SimulatedLabel(id: 4, name: "good first issue", color: "7057ff", description: "Good for newcomers"),
        SimulatedLabel(id: 5, name: "🔥 hot", color: "ff0000", description: "Üñíçødé label"),
    ]

    private static let subjects = ["Crash", "Typo", "Timeout", "Memory leak", "Wrong total", "Flaky test",
                                   "Slow query", "Broken link", "Dark mode", "Login loop"]
    private static let places = ["in the parser", "on startup", "when offline", "in the dashboard", "with large repos",
                                 "after upgrade", "in CI", "on Linux", "for bots", "in the exporter"]
    /// Titles a terminal must never render raw and a database must store faithfully.
    private static let hostileTitles = [
        "Escape \u{1B}[31mred\u{1B}[0m and bell \u{07} in title",
        "RTL \u{202E}txet desrever\u{202C} and zero\u{200B}width",
        "Emoji 🚀🔥 and CJK 漢字 and combining é",
        "Tab\tand\r\nnewlines in the title",
    ]

    var random: SeededRandom
    let repositoryID: Int64
    let anchor: Date
    let spreadSeconds: Int

    func itemID(number: Int) -> Int64 { repositoryID * 1_000_000 + Int64(number) }

    /// The repository's one milestone, open since before its first item and due after the anchor.
    var milestone: SimulatedMilestone {
        SimulatedMilestone(
            id: repositoryID * 100 + 1, number: 1, title: "v1.0",
            createdAt: anchor.addingTimeInterval(-Double(spreadSeconds + 86_400)), dueOn: anchor.addingTimeInterval(14 * 86_400)
        )
    }

    mutating func items(count: Int, pullRequestEvery: Int) -> [SimulatedIssue] {
        (0..<count).map { index in
            let number = index + 1
            return item(number: number, isPullRequest: pullRequestEvery > 0 && number % pullRequestEvery == 0)
        }
    }

    mutating func item(number: Int, isPullRequest: Bool, createdAt fixedCreation: Date? = nil) -> SimulatedIssue {
        let created = fixedCreation ?? anchor.addingTimeInterval(-Double(Int.random(in: 3600...max(3600, spreadSeconds), using: &random)))
        let age = max(1, Int(anchor.timeIntervalSince(created)))
        let updated = created.addingTimeInterval(Double(Int.random(in: 0...age, using: &random)))
        var item = SimulatedIssue(
            id: itemID(number: number),
            number: number,
            title: title(number: number),
            body: body(number: number),
            user: Self.users.randomElement(using: &random),
            labels: Array(Self.labels.shuffled(using: &random).prefix(Int.random(in: 0...2, using: &random))),
            assignees: Array(Self.users.shuffled(using: &random).prefix(Int.random(in: 0...1, using: &random))),
            milestone: number % 7 == 0 ? milestone : nil,
            comments: Int.random(in: 0...25, using: &random),
            createdAt: created,
            updatedAt: updated,
            isPullRequest: isPullRequest
        )
        if number % 13 == 0 { item.user = nil }  // a deleted account ("ghost") arrives as null
        if Int.random(in: 0..<3, using: &random) == 0 {
            let reasons = ["completed", "completed", "not_planned", "duplicate"]
            item.close(reason: reasons.randomElement(using: &random)!, at: updated)
        }
        return item
    }

    private mutating func title(number: Int) -> String {
        if number % 11 == 0 { return Self.hostileTitles[(number / 11) % Self.hostileTitles.count] }
        return "\(Self.subjects.randomElement(using: &random)!) \(Self.places.randomElement(using: &random)!) (#\(number))"
    }

    private mutating func body(number: Int) -> String? {
        if number % 9 == 0 { return nil }
        if number % 25 == 0 { return "Log excerpt with a NUL byte: before\u{0000}after" }
        return "Steps to reproduce issue \(number):\n1. Open it\n2. Observe `\(Int.random(in: 100...999, using: &random))`"
    }
}
