import Foundation
import GitHubSimulator
import Postgres
import SyncEngine
import TestSupport
import Testing

/// Where README's commands run: a fresh, empty database (README's `wsync migrate` creates the schema), a realistic
/// operation seeded right after it as production data would already be there, the GitHub simulator serving every
/// repository of it, a scratch directory for files the commands write, and a `mail` stand-in for the alert.
final class ReadmeWorld: @unchecked Sendable {
    static let token = "readme-token"

    let database: TestDatabase
    let simulator: GitHubSimulator
    let scratch: URL
    /// README's environment so far: exported names are set to this world's values as README exports them.
    private(set) var environment: [String: String?]
    private(set) var seeded = false
    /// Every line the commands printed so far, for ids README says to take from an earlier command's output.
    private(set) var printed: [String] = []

    var mailbox: URL { scratch.appendingPathComponent("mailbox") }

    init() async throws {
        database = try await offPool { try TestDatabase.create(migrated: false) }
        simulator = try await GitHubSimulator.start(.init(token: Self.token))
        scratch = FileManager.default.temporaryDirectory.appendingPathComponent("wsync-readme-\(UUID().uuidString.prefix(8))")
        let bin = scratch.appendingPathComponent("bin")
        try FileManager.default.createDirectory(at: bin, withIntermediateDirectories: true)
        let mail = bin.appendingPathComponent("mail")
        let mailbox = scratch.appendingPathComponent("mailbox")
        try "#!/bin/sh\n# wsync README test: stands in for mail(1); keeps the message\ncat >> '\(mailbox.path)'\n"
            .write(to: mail, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: mail.path)
        environment = [
            // Nothing until README exports it; libpq's defaults point nowhere, so a missing export fails.
            "DATABASE_URL": nil, "GITHUB_TOKEN": nil, "PGHOST": scratch.appendingPathComponent("no-server").path,
            "PGPORT": nil, "PGUSER": nil, "PGDATABASE": nil, "PGSERVICE": nil, "NO_COLOR": nil,
            // README leaves GITHUB_API_URL at its default, api.github.com; tests never leave the machine.
            "GITHUB_API_URL": simulator.baseURL.absoluteString,
            "XDG_CONFIG_HOME": scratch.appendingPathComponent("config").path,
            "PATH": bin.path + ":" + (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"),
        ]
    }

    func stop() async {
        await simulator.stop()
        try? FileManager.default.removeItem(at: scratch)
    }

    /// `export NAME=…`: this world's value for NAME.
    func export(_ name: String) throws {
        let values = ["DATABASE_URL": database.url, "GITHUB_TOKEN": Self.token, "GITHUB_API_URL": simulator.baseURL.absoluteString]
        guard let value = values[name] else { throw Unknown(what: "README exports \(name), which the test has no value for") }
        environment[name] = value
    }

    func record(_ output: String) { printed += output.components(separatedBy: "\n") }

    /// A file README names, kept inside the scratch directory.
    func file(_ path: String) -> URL { scratch.appendingPathComponent((path as NSString).lastPathComponent) }

    struct Unknown: Error, CustomStringConvertible {
        let what: String
        var description: String { what }
    }

    // MARK: - Seeded data

    /// Ten workspaces in every sync state (DemoSeed), eight jobs failing for a day with 5 attempts each (their
    /// repositories are gone from GitHub), and every repository served by the simulator.
    func seed() async throws {
        let (repositories, missing) = try await offPool { [database] in
            let connection = try database.connect()
            try DemoSeed.seed(connection, options: .init(workspaces: 10, includeIssues: false))
            let missing: [String] = try connection.query("""
                WITH picked AS (
                    SELECT wtr.id FROM workspace_tracked_repositories wtr
                    WHERE wtr.is_active AND wtr.last_sync_status = 'success' ORDER BY wtr.id LIMIT 8
                )
                UPDATE workspace_tracked_repositories wtr
                SET last_sync_status = 'failed', sync_attempts = 5, next_sync_at = now() + interval '1 day',
                    last_sync_error = 'GitHub returned 404 Not Found: the repository was deleted or made private'
                FROM picked, tracked_repositories tr, repositories r
                WHERE wtr.id = picked.id AND tr.id = wtr.tracked_repository_id AND r.id = tr.repository_id
                RETURNING r.full_name
                """).map { try $0.decode("full_name") }
            let repositories: [(Int64, String)] = try connection.query("SELECT github_id, full_name FROM repositories")
                .map { (try $0.decode("github_id"), try $0.decode("full_name")) }
            return (repositories, missing)
        }
        for (id, name) in repositories {
            await simulator.addRepository(name, id: id, issueCount: 4, pullRequestEvery: 0)
        }
        for name in missing { try await simulator.setScenario(.notFound, for: name) }
        seeded = true
    }

    func count(_ sql: SQL) async throws -> Int {
        try await offPool { [database] in try database.connect().query(sql)[0].decode("n") }
    }

    // MARK: - Placeholders

    /// README's placeholders, resolved the way README tells the reader to: WORKSPACE_ID and OWNER/NAME from the
    /// first row of `wsync failed --json`, ACTION_ID from the latest `wsync undo ID` hint a command printed.
    func resolve(_ arguments: [String], line: Readme.Line) async throws -> [String] {
        var failedRow: [String: Any]?
        var resolved: [String] = []
        for argument in arguments {
            switch argument {
            case "WORKSPACE_ID", "OWNER/NAME":
                if failedRow == nil { failedRow = try await firstFailedRow(line) }
                resolved.append("\(failedRow![argument == "WORKSPACE_ID" ? "workspace_id" : "repository"]!)")
            case "ACTION_ID":
                let hint = try NSRegularExpression(pattern: #"wsync undo (\d+)"#)
                guard let id = printed.reversed().lazy.compactMap({ text -> String? in
                    guard let match = hint.firstMatch(in: text, range: NSRange(text.startIndex..., in: text)) else { return nil }
                    return Range(match.range(at: 1), in: text).map { String(text[$0]) }
                }).first else { throw Unknown(what: "\(line): no earlier command printed an action id for ACTION_ID") }
                resolved.append(id)
            default:
                resolved.append(argument)
            }
        }
        return resolved
    }

    private func firstFailedRow(_ line: Readme.Line) async throws -> [String: Any] {
        let failed = try WSyncProcess(["failed", "--json"], environment: environment)
        guard await failed.exitStatus() == 0,
              let rows = try? JSONSerialization.jsonObject(with: Data(failed.stdout.utf8)) as? [[String: Any]],
              let first = rows.first, first["workspace_id"] != nil, first["repository"] != nil else {
            throw Unknown(what: "\(line): `wsync failed --json` gave no row to take WORKSPACE_ID and OWNER/NAME from: \(failed.output)")
        }
        return first
    }
}
