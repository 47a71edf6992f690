import ArgumentParser
import Foundation
import GitHubSimulator

struct SimulateGitHub: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "simulate-github",
        abstract: "Serve a local stand-in for GitHub's REST API on 127.0.0.1 (for trying wsync without GitHub).",
        discussion: "Prints the URL to use as GITHUB_API_URL, then serves until interrupted."
    )

    @Option(help: "Port on 127.0.0.1 (0 picks a free one).") var port: UInt16 = 0
    @Option(help: "Seed of the generated data.") var seed: UInt64 = 42
    @Option(help: "Repositories to serve, named sim-org/repo-1 … repo-N.") var repositories: Int = 5
    @Option(help: "Items (issues and pull requests) per repository.") var issues: Int = 120
    @Option(help: "Primary rate limit per hour.") var rateLimit: Int = 5000
    @Option(help: "Accept this token (repeatable; each has a budget of its own; without any, every request is accepted).")
    var token: [String] = []
    @Option(help: "Milliseconds added to every answer.") var latencyMs: Int = 0
    @Option(
        help: ArgumentHelp(
            "Misbehaviour for one repository, as OWNER/NAME=KIND (repeatable).",
            discussion: "KIND: not-found, issues-disabled, bad-credentials, server-error, secondary-limit, slow, hung, malformed-json, validation-failed, limit-without-reset."
        )
    )
    var scenario: [String] = []

    func validate() throws {
        guard repositories >= 0, issues >= 0, latencyMs >= 0, rateLimit > 0 else {
            throw ValidationError("--repositories, --issues and --latency-ms must be 0 or more, --rate-limit above 0")
        }
        for entry in scenario where Self.parse(entry) == nil {
            throw ValidationError("--scenario \(entry): expected OWNER/NAME=KIND with a KIND from --help")
        }
    }

    func run() async throws {
        let simulator = try await GitHubSimulator.start(.init(
            seed: seed, port: port, tokens: token, rateLimit: .init(limit: rateLimit), latency: .milliseconds(latencyMs)
        ))
        for index in 0..<repositories {
            await simulator.addRepository("sim-org/repo-\(index + 1)", issueCount: issues)
        }
        for (name, kind) in scenario.compactMap(Self.parse) {
            await simulator.addRepository(name, issueCount: issues)
            try await simulator.setScenario(kind, for: name)
        }
        var lines = ["GITHUB_API_URL=\(simulator.baseURL.absoluteString)"]
        for repository in await simulator.repositories() {
            let pulls = repository.items.count - repository.issues.count
            lines.append("  \(repository.fullName)  id \(repository.id)  \(repository.issues.count) issues, \(pulls) pull requests")
        }
        // Written unbuffered: scripts read the URL while the server keeps running.
        FileHandle.standardOutput.write(Data((lines.joined(separator: "\n") + "\n").utf8))
        await ShutdownSignal.wait()
        await simulator.stop()
    }

    static func parse(_ entry: String) -> (String, GitHubSimulator.Scenario)? {
        let parts = entry.split(separator: "=", maxSplits: 1).map(String.init)
        guard parts.count == 2, parts[0].split(separator: "/").count == 2 else { return nil }
        let kinds: [String: GitHubSimulator.Scenario] = [
            "not-found": .notFound, "issues-disabled": .issuesDisabled, "bad-credentials": .badCredentials,
            "server-error": .serverError(delay: .milliseconds(500)),
            "secondary-limit": .secondaryRateLimit(retryAfter: 30, status: 403),
            "slow": .slow(delay: .seconds(2)), "hung": .hungSocket, "malformed-json": .malformedJSON,
            "validation-failed": .validationFailed, "limit-without-reset": .primaryLimitWithoutReset,
        ]
        return kinds[parts[1]].map { (parts[0], $0) }
    }
}
