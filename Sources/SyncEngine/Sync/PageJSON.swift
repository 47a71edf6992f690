import Foundation
import Postgres

/// A page of issues as the JSON the page statement reads (`jsonb_to_recordset` with `PageStore.rowColumns`), written
/// byte by byte: Foundation's JSONEncoder took 6–9 ms for a 100-issue page of 2 KB bodies, a third of storing it.
enum PageJSON {
    static func text(_ issues: [GitHubIssue]) -> JSONText {
        var writer = Writer()
        writer.bytes.reserveCapacity(issues.reduce(2) { $0 + 600 + ($1.body?.utf8.count ?? 0) + $1.title.utf8.count })
        writer.raw("[")
        for (index, issue) in issues.enumerated() {
            if index > 0 { writer.raw(",") }
            writer.record(issue)
        }
        writer.raw("]")
        return JSONText(String(decoding: writer.bytes, as: UTF8.self))
    }

    private struct Writer {
        var bytes: [UInt8] = []

        mutating func record(_ issue: GitHubIssue) {
            raw("{\"github_id\":"); raw(String(issue.id))
            raw(",\"number\":"); raw(String(issue.number))
            raw(",\"title\":"); string(issue.title)
            raw(",\"body\":"); string(issue.body)
            raw(",\"state\":"); string(issue.state)
            raw(",\"state_reason\":"); string(issue.stateReason)
            raw(",\"author_github_id\":"); raw(issue.user.map { String($0.id) } ?? "null")
            raw(",\"author_login\":"); string(issue.user?.login)
            raw(",\"author_avatar_url\":"); string(issue.user?.avatarURL)
            raw(",\"author_is_bot\":"); raw(issue.user.map { $0.isBot ? "true" : "false" } ?? "null")
            raw(",\"created_at\":"); string(PostgresTimestamp.format(issue.createdAt))
            raw(",\"updated_at\":"); string(PostgresTimestamp.format(issue.updatedAt))
            raw(",\"closed_at\":"); string(issue.closedAt.map(PostgresTimestamp.format))
            raw(",\"labels\":"); value(issue.labels)
            raw(",\"assignees\":"); value(issue.assignees)
            raw(",\"milestone\":"); value(issue.milestone)
            raw(",\"comments_count\":"); raw(String(issue.comments))
            raw("}")
        }

        mutating func raw(_ text: String) { bytes.append(contentsOf: text.utf8) }

        /// Runs of bytes that need no escape (nearly all of a body) are copied whole.
        mutating func string(_ text: String?) {
            guard var text else { return raw("null") }
            bytes.append(0x22)
            text.withUTF8 { utf8 in
                var start = 0
                for index in utf8.indices where utf8[index] < 0x20 || utf8[index] == 0x22 || utf8[index] == 0x5C {
                    bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[start..<index]))
                    escape(utf8[index])
                    start = index + 1
                }
                bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[start...]))
            }
            bytes.append(0x22)
        }

        private mutating func escape(_ byte: UInt8) {
            switch byte {
            case 0x22: raw("\\\"")
            case 0x5C: raw("\\\\")
            case 0x0A: raw("\\n")
            case 0x0D: raw("\\r")
            case 0x09: raw("\\t")
            default:
                raw("\\u00")
                bytes.append(Self.hex[Int(byte >> 4)])
                bytes.append(Self.hex[Int(byte & 0xF)])
            }
        }

        mutating func value(_ json: JSONValue) {
            switch json {
            case .null: raw("null")
            case .bool(let flag): raw(flag ? "true" : "false")
            case .number(let number):
                // Whole numbers as integers (ids); others in Swift's shortest exact form, which JSON reads.
                raw(number == number.rounded() && abs(number) < 9e15 ? String(Int64(number)) : String(number))
            case .string(let text): string(text)
            case .array(let values):
                raw("[")
                for (index, element) in values.enumerated() {
                    if index > 0 { raw(",") }
                    value(element)
                }
                raw("]")
            case .object(let fields):
                raw("{")
                for (index, key) in fields.keys.sorted().enumerated() {
                    if index > 0 { raw(",") }
                    string(key)
                    raw(":")
                    value(fields[key]!)
                }
                raw("}")
            }
        }

        private static let hex = Array("0123456789abcdef".utf8)
    }
}
