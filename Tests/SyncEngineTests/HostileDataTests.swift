import Foundation
import GitHubSimulator
import Postgres
import Testing
import TestSupport
@testable import SyncEngine

/// What GitHub may send that a terminal or PostgreSQL would choke on, served by the simulator and synced on every
/// database shape: stored faithfully where PostgreSQL can hold it (U+0000 becomes U+FFFD, counted in the run's
/// record), shown only through SafeText.
@Suite struct HostileDataTests {
    /// Escape sequences (CSI colour, OSC title, a clear screen), C1 controls, bidi overrides and isolates, U+0000,
    /// right-to-left and combining text, and emoji wider than one column.
    static let hostileTitle = "\u{1B}[31mred\u{1B}[0m \u{1B}]0;pwned\u{07} \u{9B}2J \u{85}next \u{202E}evil\u{202C} \u{2067}iso\u{2069} "
        + "nul\u{0000}here שלום עולם مرحبا بالعالم e\u{301}\u{302}\u{303} Z\u{337}\u{334}\u{310}a\u{335}\u{350} 👩‍👩‍👧 🇺🇸 ✈️ 漢字"
    static let placeholder = "WSYNC-RAW-SURROGATE"

    @Test(arguments: DatabaseShape.allCases) func hostileIssuesAreStoredFaithfullyAndCounted(shape: DatabaseShape) async throws {
        let fixture = try await SyncFixture.make(shape: shape)
        defer { Task { [simulator = fixture.simulator] in await simulator.stop() } }
        let name = "hostile/data"
        let job = try await fixture.track(name, issueCount: 4, pullRequestEvery: 0, spreadDays: 5)
        let title = Self.hostileTitle
        // 1 MB of body, with controls and three NULs spread through it.
        let chunk = "line \u{1B}[2K\u{0000}\r\n" + String(repeating: "ab🚀 ", count: 20)
        let body = String(repeating: chunk, count: 1_048_576 / chunk.utf8.count + 1)
        let bodyNULs = body.unicodeScalars.filter { $0.value == 0 }.count
        var labels: [SimulatedLabel] = []
        for n in 0..<10_000 {
            let labelName: String = n % 2 == 0 ? "label-\(n) \u{1B}[5m\u{202E}" : "ラベル\(n)🔥"
            let description: String? = n == 0 ? "nul\u{0000}desc" : nil
            labels.append(SimulatedLabel(id: Int64(900_000 + n), name: labelName, color: "ff0000", description: description))
        }
        let allLabels = labels
        let login = "evil\u{1B}[0m\u{0000}"
        try await fixture.simulator.editIssue(in: name, number: 1) { issue in
            issue.title = title
            issue.body = body
            issue.labels = allLabels
            issue.user = SimulatedUser(id: 777_001, login: login)
            issue.assignees = [SimulatedUser(id: 777_002, login: "\u{202E}rtl-login")]
        }
        // JSON no Swift string encodes to: unpaired surrogate escapes, a lone low one and a high one at the end.
        try await fixture.simulator.editIssue(in: name, number: 2) { issue in
            issue.title = "lone \(Self.placeholder) high and WSYNC-RAW-LOW low, a pair \(Self.placeholder)WSYNC-RAW-LOW kept"
            issue.body = "ends with \(Self.placeholder)"
        }
        await fixture.simulator.setRawJSONSubstitution(Self.placeholder, with: "\\ud800")
        await fixture.simulator.setRawJSONSubstitution("WSYNC-RAW-LOW", with: "\\udc00")

        let report = try await fixture.sync(job: job)
        #expect(report.status == "success", "\(String(describing: report.error))")
        let repository = try #require(await fixture.simulator.repository(name))
        let stored = try fixture.connection.query("""
            SELECT i.number, i.title, i.body, jsonb_array_length(i.labels) AS label_count, i.labels::text AS labels, i.assignees
            FROM issues i JOIN repositories r ON r.id = i.repository_id WHERE r.full_name = \(name) ORDER BY i.number
            """)
        #expect(stored.count == repository.issues.count)
        let first = try #require(stored.first { try $0.decode("number", as: Int.self) == 1 })
        #expect(try first.decode("title", as: String.self) == title.replacingOccurrences(of: "\u{0000}", with: "\u{FFFD}"))
        #expect(try first.decode("body", as: String.self) == body.replacingOccurrences(of: "\u{0000}", with: "\u{FFFD}"))
        #expect(try first.decode("label_count", as: Int.self) == 10_000)
        let labelJSON = try first.decode("labels", as: String.self)
        #expect(labelJSON.contains("label-0 \\u001b[5m\u{202E}"), "label names kept as sent")
        #expect(labelJSON.contains("ラベル9999🔥"))
        let second = try #require(stored.first { try $0.decode("number", as: Int.self) == 2 })
        let secondTitle = try second.decode("title", as: String.self)
        #expect(secondTitle == "lone \u{FFFD} high and \u{FFFD} low, a pair \u{10000} kept", "unpaired surrogates become U+FFFD: \(secondTitle.debugDescription)")
        #expect(try second.decode("body", as: String.self) == "ends with \u{FFFD}")

        // The author's login holds U+0000 (stored as U+FFFD) and an escape: production's CHECK refuses such a login
        // (the issue is then stored without an author, and the run counts it); the fresh schema stores it.
        let authors = try fixture.connection.query("SELECT username FROM contributors WHERE github_id = 777001")
        if let author = authors.first {
            #expect(try author.decode("username", as: String.self) == "evil\u{1B}[0m\u{FFFD}")
        }
        let run = try fixture.connection.query("""
            SELECT nul_characters_replaced, authors_skipped, issues_skipped, status FROM wsync.sync_runs
            WHERE job_id = \(job) ORDER BY id DESC LIMIT 1
            """)[0]
        let nulsSent = 1 + bodyNULs + 1 + 1  // title, body, the first label's description, the login
        #expect(try run.decode("nul_characters_replaced", as: Int.self) == nulsSent)
        #expect(try run.decode("issues_skipped", as: Int.self) == 0)
        #expect(try run.decode("authors_skipped", as: Int.self) == (authors.isEmpty ? 1 : 0))
        let recorded = try SyncRun.recent(fixture.connection, job: job, limit: 1).first?.nulCharactersReplaced
        #expect(recorded == nulsSent)

        // Shown anywhere, it goes through SafeText: no byte a terminal acts on survives.
        let shownTexts: [String] = [title, String(body.prefix(2000)), login, labels[0].name]
        for text in shownTexts {
            let shown = SafeText.line(text)
            #expect(!shown.unicodeScalars.contains { $0.value < 0x20 || (0x7F...0x9F).contains($0.value)
                        || (0x202A...0x202E).contains($0.value) || (0x2066...0x2069).contains($0.value) }, "\(shown.debugDescription)")
        }
    }
}
