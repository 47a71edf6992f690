import Foundation
import Postgres
@testable import SyncEngine
import Testing
import TestSupport

/// The page's JSON is written by hand; PostgreSQL must read back exactly what the issues hold.
@Suite struct PageJSONTests {
    static let awkward = "quote \" back\\slash /slash\n\r\t\u{01}\u{1F}\u{7F} é 漢字 🧪 \u{2028}\u{2029} end"

    static let issues = [
        GitHubIssue(id: 9_007_199_254_740_993, number: 1, title: awkward, body: awkward, state: "closed", stateReason: "not_planned",
                    user: GitHubUser(id: 42, login: "dependabot[bot]", avatarURL: "https://a.example/u/42?v=4", type: "Bot"),
                    labels: .array([.object(["name": .string(awkward), "id": .number(208_045_946), "default": .bool(true),
                                             "weight": .number(-1.25), "big": .number(1e20), "none": .null])]),
                    assignees: .array([]), milestone: .object(["title": .string("v1 \"final\""), "number": .number(3)]),
                    comments: 7, createdAt: Date(timeIntervalSince1970: 1_600_000_000),
                    updatedAt: Date(timeIntervalSince1970: 1_700_000_000.123456),
                    closedAt: Date(timeIntervalSince1970: -86_401), isPullRequest: false),
        GitHubIssue(id: 2, number: 2, title: "", body: nil, state: "open", stateReason: nil, user: nil,
                    labels: .array([]), assignees: .array([]), milestone: .null, comments: 0,
                    createdAt: Date(timeIntervalSince1970: 0), updatedAt: Date(timeIntervalSince1970: 0), closedAt: nil,
                    isPullRequest: false),
    ]

    @Test func isJSONThatFoundationReadsAsTheSameValues() throws {
        let parsed = try #require(JSONSerialization.jsonObject(with: Data(PageJSON.text(Self.issues).text.utf8)) as? [[String: Any]])
        #expect(parsed.count == 2)
        #expect(parsed[0]["title"] as? String == Self.awkward)
        #expect(parsed[0]["github_id"] as? Int64 == 9_007_199_254_740_993)
        #expect(parsed[1]["body"] is NSNull && parsed[1]["author_login"] is NSNull && parsed[1]["milestone"] is NSNull)
        let labels = try #require(parsed[0]["labels"] as? [[String: Any]])
        #expect(labels.first?["name"] as? String == Self.awkward)
        #expect(labels.first?["weight"] as? Double == -1.25)
    }

    @Test func postgreSQLReadsEveryColumnAsTheIssueHoldsIt() throws {
        let connection = try TestDatabase.create(migrated: false).connect()
        let rows = try connection.query("""
            SELECT github_id, number, title, body, state, state_reason, author_github_id, author_login, author_avatar_url,
                   author_is_bot, created_at, updated_at, closed_at, labels::text, assignees::text, milestone::text,
                   comments_count, labels -> 0 ->> 'name' AS label_name, (labels -> 0 ->> 'big')::numeric::text AS big
            FROM jsonb_to_recordset(\(PageJSON.text(Self.issues))::jsonb) AS p(\(PageStore.rowColumns))
            ORDER BY number
            """)
        #expect(rows.count == 2)
        let first = rows[0], second = rows[1]
        #expect(try first.decode("github_id", as: Int64.self) == 9_007_199_254_740_993)
        #expect(try first.decode("title", as: String.self) == Self.awkward)
        #expect(try first.decode("body", as: String.self) == Self.awkward)
        #expect(try first.decode("state_reason", as: String?.self) == "not_planned")
        #expect(try first.decode("author_login", as: String.self) == "dependabot[bot]")
        #expect(try first.decode("author_avatar_url", as: String.self) == "https://a.example/u/42?v=4")
        #expect(try first.decode("author_is_bot", as: Bool.self))
        #expect(try first.decode("created_at", as: Date.self) == Self.issues[0].createdAt)
        #expect(abs(try first.decode("updated_at", as: Date.self).timeIntervalSince(Self.issues[0].updatedAt)) < 0.000_001)
        #expect(try first.decode("closed_at", as: Date?.self) == Self.issues[0].closedAt)
        #expect(try first.decode("label_name", as: String.self) == Self.awkward)
        #expect(try first.decode("big", as: String.self) == "100000000000000000000")
        #expect(try first.decode("milestone", as: String.self) == #"{"title": "v1 \"final\"", "number": 3}"#)
        #expect(try first.decode("comments_count", as: Int.self) == 7)
        #expect(try second.decode("body", as: String?.self) == nil)
        #expect(try second.decode("author_github_id", as: Int64?.self) == nil)
        #expect(try second.decode("closed_at", as: Date?.self) == nil)
        #expect(try second.decode("milestone", as: String?.self) == nil)  // jsonb_to_recordset reads a JSON null as NULL
        #expect(try second.decode("labels", as: String.self) == "[]")
    }
}
