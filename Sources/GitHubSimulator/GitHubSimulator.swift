import FlyingFox
import Foundation

/// A faithful local stand-in for GitHub's REST API (issue lists, repositories, /rate_limit) on 127.0.0.1.
/// Deterministic data from a seed, per-repository misbehaviour, a primary rate-limit budget, ETags and a request log.
/// Used by tests, `wsync simulate-github` and `wsync demo`; never a default.
public final class GitHubSimulator: Sendable {
    /// `http://127.0.0.1:<port>`: give it to the client as `GITHUB_API_URL`.
    public let baseURL: URL
    public let configuration: Configuration
    private let state: SimulatorState
    private let server: HTTPServer
    private let serverTask: Task<Void, Never>

    private init(baseURL: URL, configuration: Configuration, state: SimulatorState, server: HTTPServer, task: Task<Void, Never>) {
        self.baseURL = baseURL
        self.configuration = configuration
        self.state = state
        self.server = server
        self.serverTask = task
    }

    /// Binds 127.0.0.1 (port 0 = a free one) and serves until `stop()`.
    public static func start(_ configuration: Configuration = Configuration()) async throws -> GitHubSimulator {
        // A server that reported listening and then had no listening address (seen once in a full test run) is
        // replaced by a fresh one, twice at most.
        var attempt = 1
        while true {
            do {
                return try await listen(configuration)
            } catch SimulatorError.notListening where attempt < 3 {
                attempt += 1
            }
        }
    }

    private static func listen(_ configuration: Configuration) async throws -> GitHubSimulator {
        let state = SimulatorState(configuration: configuration)
        let handler = ClosureHTTPHandler { request in
            let plan = await state.plan(for: request)
            let delay = (plan.delay ?? .zero) + configuration.latency
            if delay > .zero { try? await Task.sleep(for: delay) }
            return plan.response
        }
        let server = HTTPServer(
            address: try .inet(ip4: "127.0.0.1", port: configuration.port), timeout: 60, logger: .disabled,
            handler: handler
        )
        let task = Task<Void, Never> { _ = try? await server.run() }
        try await server.waitUntilListening(timeout: 10)
        guard case .ip4(_, let port) = await server.listeningAddress else {
            task.cancel()
            throw SimulatorError.notListening
        }
        let url = URL(string: "http://127.0.0.1:\(port)")!
        await state.setBaseURL(url.absoluteString)
        return GitHubSimulator(baseURL: url, configuration: configuration, state: state, server: server, task: task)
    }

    public func stop() async {
        await server.stop(timeout: 0)
        serverTask.cancel()
    }

    // MARK: data

    /// Adds a repository with `issueCount` generated items (every `pullRequestEvery`-th a pull request), created
    /// within the last `spreadDays` days. Returns the existing one when the name is already served. `id` pins
    /// GitHub's numeric id (to match rows already in a database); by default ids count up from 1000.
    @discardableResult
    public func addRepository(
        _ fullName: String, id: Int64? = nil, issueCount: Int = 50, pullRequestEvery: Int = 5, spreadDays: Int = 30
    ) async -> SimulatedRepository {
        await state.addRepository(fullName, id: id, issueCount: issueCount, pullRequestEvery: pullRequestEvery, spreadDays: spreadDays)
    }

    public func repository(_ fullName: String) async -> SimulatedRepository? {
        await state.repository(named: fullName)
    }

    public func repositories() async -> [SimulatedRepository] {
        await state.allRepositories()
    }

    /// Renames (or transfers) a repository: the old name then answers 301 to `/repositories/{id}/…`.
    public func renameRepository(_ fullName: String, to newName: String) async throws {
        try await state.rename(fullName, to: newName)
    }

    /// Edits one item; its `updated_at` moves forward, so the next incremental sync and ETag see the change.
    @discardableResult
    public func editIssue(
        in fullName: String, number: Int, _ change: @Sendable (inout SimulatedIssue) -> Void
    ) async throws -> SimulatedIssue {
        try await state.edit(fullName, number: number, change)
    }

    /// Opens `count` new items (issues, or pull requests) created and updated now, or at `updatedAt` (whole seconds,
    /// as GitHub's timestamps).
    @discardableResult
    public func addIssues(to fullName: String, count: Int, pullRequests: Bool = false, updatedAt: Date? = nil) async throws -> [SimulatedIssue] {
        try await state.addItems(fullName, count: count, pullRequests: pullRequests, updatedAt: updatedAt)
    }

    /// `edits` seeded random edits (retitle, close, reopen, comment) to existing items.
    public func simulateActivity(in fullName: String, edits: Int) async throws {
        try await state.simulateActivity(fullName, edits: edits)
    }

    // MARK: behaviour

    /// Switches a misbehaviour on for the repository's issue list, for the next `times` requests (nil: until
    /// cleared); passing nil clears it.
    public func setScenario(_ scenario: Scenario?, for fullName: String, times: Int? = nil) async throws {
        try await state.setScenario(scenario, for: fullName, times: times)
    }

    /// Sets what is left of one token's primary budget, or of every token's when `token` is nil (0 exhausts it
    /// now); `exhaustedStatus` switches between 403 and 429.
    public func setRateLimitRemaining(_ remaining: Int, exhaustedStatus: Int? = nil, token: String? = nil) async {
        await state.setRateLimit(remaining: remaining, exhaustedStatus: exhaustedStatus, token: token)
    }

    /// Starts a new rate-limit window now for one token (nil: every token), as if the reset time had passed.
    public func resetRateLimit(token: String? = nil) async {
        await state.resetRateLimit(token: token)
    }

    /// One token's budget (nil: the first accepted token's, or the only one of a simulator that accepts anyone).
    public func rateLimit(token: String? = nil) async -> (limit: Int, remaining: Int, resetAt: Date) {
        await state.rateLimit(token: token)
    }

    /// Sends `raw` in place of `placeholder` wherever the placeholder appears in an issue list's JSON: for JSON that
    /// no Swift string encodes to, such as the unpaired surrogate escape `"\ud800"` GitHub has been seen to send.
    public func setRawJSONSubstitution(_ placeholder: String, with raw: String) async {
        await state.setRawSubstitution(placeholder, with: raw)
    }

    // MARK: request log

    public func requests() async -> [SimulatorRequest] {
        await state.log
    }

    public func clearRequests() async {
        await state.clearLog()
    }
}
