import FlyingFox
import Foundation

/// What the HTTP handler should do: answer, after an optional delay.
struct ResponsePlan: Sendable {
    var response: HTTPResponse
    var delay: Duration?
}

/// All mutable state of the simulator: repositories, scenarios, the rate-limit budget and the request log.
actor SimulatorState {
    let configuration: GitHubSimulator.Configuration
    private(set) var baseURL = ""
    private var repositories: [Int64: SimulatedRepository] = [:]
    private var generators: [Int64: IssueGenerator] = [:]
    /// Lower-cased full names → id; old names of renamed repositories stay here and answer 301.
    private var idsByName: [String: Int64] = [:]
    private var scenarios: [Int64: (scenario: GitHubSimulator.Scenario, remaining: Int?)] = [:]
    private var nextRepositoryID: Int64 = 1_000
    /// One primary budget per accepted token, as GitHub keeps one per token; "" is the one budget of an open
    /// simulator (no tokens configured), shared by every caller.
    private var budgets: [String: Budget] = [:]
    /// The budget the request being served is charged to (set at the start of `plan(for:)`; the actor serves one
    /// request at a time without suspending).
    private var budgetKey = ""
    private var rateLimitStatus: Int
    private(set) var log: [SimulatorRequest] = []

    private struct Budget {
        var remaining: Int
        var resetAt: Date
    }

    init(configuration: GitHubSimulator.Configuration) {
        self.configuration = configuration
        let fresh = Budget(remaining: configuration.rateLimit.limit, resetAt: Self.now().addingTimeInterval(configuration.rateLimit.window))
        let keys = configuration.acceptedTokens.isEmpty ? [""] : configuration.acceptedTokens
        budgets = Dictionary(keys.map { ($0, fresh) }, uniquingKeysWith: { first, _ in first })
        budgetKey = keys[0]
        rateLimitStatus = configuration.rateLimit.exhaustedStatus
    }

    private var remaining: Int {
        get { budgets[budgetKey]?.remaining ?? 0 }
        set { budgets[budgetKey]?.remaining = newValue }
    }

    private var resetAt: Date { budgets[budgetKey]?.resetAt ?? Self.now() }

    static func now() -> Date { Date(timeIntervalSince1970: Date().timeIntervalSince1970.rounded(.down)) }

    func setBaseURL(_ url: String) { baseURL = url }

    // MARK: data

    /// Text replaced in the issue lists' JSON as sent: JSON no Swift string can produce (an unpaired surrogate
    /// escape such as `\ud800`), written where a placeholder stands in an item's text.
    var rawSubstitutions: [(String, String)] = []

    func setRawSubstitution(_ placeholder: String, with raw: String) {
        rawSubstitutions.append((placeholder, raw))
    }

    func addRepository(_ fullName: String, id requestedID: Int64?, issueCount: Int, pullRequestEvery: Int, spreadDays: Int) -> SimulatedRepository {
        precondition(fullName.split(separator: "/").count == 2, "repository names are owner/name")
        if let existing = idsByName[fullName.lowercased()], let repository = repositories[existing],
           repository.fullName == fullName {
            return repository
        }
        let id = requestedID ?? nextRepositoryID
        precondition(repositories[id] == nil, "repository id \(id) is taken")
        nextRepositoryID = max(nextRepositoryID, id + 1)
        var generator = IssueGenerator(
            random: SeededRandom(seed: SeededRandom.seed(configuration.seed, fullName)),
            repositoryID: id, anchor: configuration.anchor, spreadSeconds: spreadDays * 86_400
        )
        let repository = SimulatedRepository(
            id: id, fullName: fullName, items: generator.items(count: issueCount, pullRequestEvery: pullRequestEvery)
        )
        repositories[id] = repository
        generators[id] = generator
        idsByName[fullName.lowercased()] = id
        return repository
    }

    func repository(named fullName: String) -> SimulatedRepository? {
        idsByName[fullName.lowercased()].flatMap { repositories[$0] }.flatMap { $0.fullName.lowercased() == fullName.lowercased() ? $0 : nil }
    }

    func allRepositories() -> [SimulatedRepository] { repositories.values.sorted { $0.id < $1.id } }

    func rename(_ fullName: String, to newName: String) throws {
        guard let repository = repository(named: fullName) else { throw SimulatorError.unknownRepository(fullName) }
        repositories[repository.id]?.fullName = newName
        idsByName[newName.lowercased()] = repository.id
    }

    /// Applies `change` to one item and bumps `updated_at` past its previous value, as any edit on GitHub does.
    func edit(_ fullName: String, number: Int, _ change: (inout SimulatedIssue) -> Void) throws -> SimulatedIssue {
        guard let repository = repository(named: fullName),
              let index = repository.items.firstIndex(where: { $0.number == number })
        else { throw SimulatorError.unknownIssue(fullName, number) }
        var item = repository.items[index]
        let previous = item.updatedAt
        change(&item)
        item.updatedAt = max(Self.now(), previous.addingTimeInterval(1))
        if item.state == .closed, item.closedAt == nil { item.closedAt = item.updatedAt }
        repositories[repository.id]?.items[index] = item
        return item
    }

    func addItems(_ fullName: String, count: Int, pullRequests: Bool, updatedAt: Date?) throws -> [SimulatedIssue] {
        guard let repository = repository(named: fullName), var generator = generators[repository.id] else {
            throw SimulatorError.unknownRepository(fullName)
        }
        let first = (repository.items.map(\.number).max() ?? 0) + 1
        let now = updatedAt ?? Self.now()
        let added = (first..<(first + count)).map { number in
            var item = generator.item(number: number, isPullRequest: pullRequests, createdAt: now)
            item.updatedAt = now
            if item.state == .closed { item.closedAt = now }
            return item
        }
        generators[repository.id] = generator
        repositories[repository.id]?.items.append(contentsOf: added)
        return added
    }

    /// Random edits (retitle, close, reopen, comment) to existing items: background activity for demos.
    func simulateActivity(_ fullName: String, edits: Int) throws {
        guard let repository = repository(named: fullName), var generator = generators[repository.id],
              !repository.items.isEmpty else { return }
        let numbers = (0..<edits).map { _ in repository.items.randomElement(using: &generator.random)!.number }
        let actions = (0..<edits).map { _ in Int.random(in: 0..<4, using: &generator.random) }
        generators[repository.id] = generator
        let now = Self.now()
        for (number, action) in zip(numbers, actions) {
            _ = try edit(fullName, number: number) { item in
                switch action {
                case 0: item.title += " (edited)"
                case 1: item.close(at: now)
                case 2: if item.state == .closed { item.reopen() } else { item.comments += 1 }
                default: item.comments += 1
                }
            }
        }
    }

    func setScenario(_ scenario: GitHubSimulator.Scenario?, for fullName: String, times: Int?) throws {
        guard let repository = repository(named: fullName) else { throw SimulatorError.unknownRepository(fullName) }
        scenarios[repository.id] = scenario.map { ($0, times) }
    }

    // MARK: rate limit and log

    /// Sets what is left of one token's budget, or of every budget when `token` is nil.
    func setRateLimit(remaining newRemaining: Int, exhaustedStatus: Int?, token: String?) {
        for key in budgetKeys(token) {
            budgetKey = key
            refillIfDue()
            remaining = max(0, min(newRemaining, configuration.rateLimit.limit))
        }
        if let exhaustedStatus { rateLimitStatus = exhaustedStatus }
    }

    func resetRateLimit(token: String?) {
        for key in budgetKeys(token) {
            budgets[key] = Budget(remaining: configuration.rateLimit.limit, resetAt: Self.now().addingTimeInterval(configuration.rateLimit.window))
        }
    }

    /// One token's budget (nil: the first accepted token's, or the open simulator's only one).
    func rateLimit(token: String?) -> (limit: Int, remaining: Int, resetAt: Date) {
        budgetKey = budgetKeys(token).first ?? ""
        refillIfDue()
        return (configuration.rateLimit.limit, remaining, resetAt)
    }

    private func budgetKeys(_ token: String?) -> [String] {
        guard let token else { return budgets.keys.sorted() }
        return budgets[token] == nil ? [] : [token]
    }

    func clearLog() { log.removeAll() }

    // MARK: serving

    func plan(for request: HTTPRequest) -> ResponsePlan {
        budgetKey = configuration.acceptedTokens.isEmpty ? "" : Self.presentedToken(request) ?? ""
        var charged = false
        var repositoryID: Int64?
        let plan = route(request, charged: &charged, repositoryID: &repositoryID)
        log.append(SimulatorRequest(
            method: request.method.rawValue,
            path: request.path,
            query: Dictionary(request.query.map { ($0.name, $0.value) }, uniquingKeysWith: { _, last in last }),
            ifNoneMatch: request.headers[.ifNoneMatch],
            authorization: request.headers[.authorization],
            userAgent: request.headers[HTTPHeader("User-Agent")],
            accept: request.headers[HTTPHeader("Accept")],
            apiVersion: request.headers[HTTPHeader("X-GitHub-Api-Version")],
            status: plan.response.statusCode.code,
            charged: charged,
            repositoryID: repositoryID
        ))
        return plan
    }

    private func route(_ request: HTTPRequest, charged: inout Bool, repositoryID: inout Int64?) -> ResponsePlan {
        if request.headers[HTTPHeader("User-Agent")]?.isEmpty ?? true {
            return ResponsePlan(response: Responses.missingUserAgent())
        }
        if !configuration.acceptedTokens.isEmpty {
            guard let token = Self.presentedToken(request), budgets[token] != nil else {
                // GitHub sends no x-ratelimit-* with a refused token: there is no budget to report.
                return ResponsePlan(response: Responses.error(401, "Bad credentials", documentation: "rest"))
            }
        }
        let parts = request.path.split(separator: "/").map(String.init)
        if parts == ["rate_limit"] {
            refillIfDue()
            return plan(Responses.rateLimitBody(limit: configuration.rateLimit.limit, remaining: remaining, resetAt: resetAt))
        }
        let target: (id: Int64, rest: [String])?
        switch parts.first {
        case "repos" where parts.count >= 3:
            let name = "\(parts[1])/\(parts[2])"
            guard let id = idsByName[name.lowercased()], let repository = repositories[id] else {
                target = nil
                break
            }
            if repository.fullName.lowercased() != name.lowercased() {
                return movedPermanently(request, to: id, rest: Array(parts.dropFirst(3)), charged: &charged)
            }
            target = (id, Array(parts.dropFirst(3)))
        case "repositories" where parts.count >= 2:
            target = Int64(parts[1]).flatMap { repositories[$0] != nil ? ($0, Array(parts.dropFirst(2))) : nil }
        default:
            target = nil
        }
        guard let target, target.rest.count <= 1, target.rest.first.map({ $0 == "issues" }) ?? true else {
            return charge(&charged) ?? plan(Responses.error(404, "Not Found", documentation: "issues/issues#list-repository-issues"))
        }
        repositoryID = target.id
        let isIssueList = target.rest == ["issues"]
        var delay: Duration?
        if isIssueList {
            switch applyScenario(for: target.id, charged: &charged) {
            case .answer(let answer): return answer
            case .normalAfter(let wait): delay = wait
            case nil: break
            }
        }
        if let exhausted = charge(&charged) { return exhausted }
        let repository = repositories[target.id]!
        guard isIssueList else { return plan(Responses.json(WireFormat.repository(repository, baseURL: baseURL))) }
        var answer = listIssues(request, repository: repository, charged: &charged)
        answer.delay = delay
        return answer
    }

    private func listIssues(_ request: HTTPRequest, repository: SimulatedRepository, charged: inout Bool) -> ResponsePlan {
        let queryItems = request.query.map { (name: $0.name, value: $0.value) }
        let query: IssueListQuery
        do {
            query = try IssueListQuery(queryItems)
        } catch let invalid as IssueListQuery.Invalid {
            return plan(Responses.validationFailed(field: invalid.field))
        } catch {
            return plan(Responses.validationFailed(field: "query"))
        }
        let selected = query.select(repository.items, sinceIsExclusive: configuration.sinceIsExclusive)
        var body = WireFormat.issues(
            Array(query.pageSlice(selected)), repository: repository, baseURL: baseURL,
            legacyPullRequestStubs: configuration.legacyPullRequestStubs
        )
        for (placeholder, raw) in rawSubstitutions {
            body = Data(String(decoding: body, as: UTF8.self).replacingOccurrences(of: placeholder, with: raw).utf8)
        }
        let etag = Responses.etag(for: body, token: request.headers[.authorization] ?? "")
        if request.headers[.ifNoneMatch] == etag {
            refund(&charged)
            return plan(Responses.notModified(etag: etag))
        }
        let link = LinkHeader.value(
            baseURL: baseURL, repositoryID: repository.id, query: queryItems, page: query.page,
            lastPage: query.lastPage(total: selected.count)
        )
        return plan(Responses.json(body, etag: etag, link: link))
    }

    private func movedPermanently(_ request: HTTPRequest, to id: Int64, rest: [String], charged: inout Bool) -> ResponsePlan {
        if let exhausted = charge(&charged) { return exhausted }
        var location = "\(baseURL)/repositories/\(id)" + rest.map { "/\($0)" }.joined()
        let query = request.target.query(percentEncoded: true)
        if !query.isEmpty { location += "?\(query)" }
        return plan(Responses.moved(to: location))
    }

    private enum ScenarioOutcome {
        case answer(ResponsePlan)
        case normalAfter(Duration)
    }

    /// Consumes one use of the repository's scenario; nil when no scenario is active.
    private func applyScenario(for id: Int64, charged: inout Bool) -> ScenarioOutcome? {
        guard let (scenario, left) = scenarios[id] else { return nil }
        if let left { scenarios[id] = left > 1 ? (scenario, left - 1) : nil }
        switch scenario {
        case .notFound:
            return .answer(charge(&charged) ?? plan(Responses.error(404, "Not Found", documentation: "issues/issues#list-repository-issues")))
        case .issuesDisabled:
            return .answer(charge(&charged) ?? plan(Responses.error(410, "Issues are disabled for this repo", documentation: "issues/issues#list-repository-issues")))
        case .badCredentials:
            return .answer(ResponsePlan(response: Responses.error(401, "Bad credentials", documentation: "rest")))
        case .serverError(let delay):
            return .answer(ResponsePlan(response: withRateHeaders(Responses.error(502, "Server Error", documentation: "")), delay: delay))
        case .secondaryRateLimit(let retryAfter, let status):
            var response = Responses.error(
                status,
                "You have exceeded a secondary rate limit. Please wait a few minutes before you try again.",
                documentation: "overview/rate-limits-for-the-rest-api#about-secondary-rate-limits"
            )
            if let retryAfter { response.headers[HTTPHeader("Retry-After")] = String(retryAfter) }
            // GitHub's secondary-limit answers carry no x-ratelimit-* headers (the primary budget is not the issue).
            return .answer(ResponsePlan(response: response))
        case .slow(let delay):
            return .normalAfter(delay)
        case .hungSocket:
            return .answer(ResponsePlan(response: withRateHeaders(Responses.error(504, "Gateway Timeout", documentation: "")), delay: configuration.hangDuration))
        case .malformedJSON:
            return .answer(charge(&charged) ?? plan(Responses.json(Data("[{\"id\": 1, \"number\": 1, \"title\": \"cut".utf8))))
        case .validationFailed:
            // A refused request still spends the budget.
            return .answer(charge(&charged) ?? plan(Responses.validationFailed(field: "since")))
        case .primaryLimitWithoutReset:
            var response = Responses.error(
                403, "API rate limit exceeded for user ID 1.",
                documentation: "overview/rate-limits-for-the-rest-api#about-primary-rate-limits"
            )
            response.headers[HTTPHeader("x-ratelimit-limit")] = String(configuration.rateLimit.limit)
            response.headers[HTTPHeader("x-ratelimit-remaining")] = "0"
            return .answer(ResponsePlan(response: response))
        }
    }

    // MARK: budget

    /// The token of `Authorization: Bearer …` (or the older `token …`).
    private static func presentedToken(_ request: HTTPRequest) -> String? {
        let sent = request.headers[.authorization] ?? ""
        for scheme in ["Bearer ", "token "] where sent.hasPrefix(scheme) { return String(sent.dropFirst(scheme.count)) }
        return nil
    }

    private func refillIfDue() {
        if Self.now() >= resetAt { resetRateLimit(token: budgetKey) }
    }

    /// Charges one request to the primary limit; answers with the exhaustion error when nothing is left.
    private func charge(_ charged: inout Bool) -> ResponsePlan? {
        refillIfDue()
        guard remaining > 0 else {
            return plan(Responses.error(
                rateLimitStatus,
                "API rate limit exceeded for user ID 1. If you reach out to GitHub Support for help, please include the request ID.",
                documentation: "overview/rate-limits-for-the-rest-api#about-primary-rate-limits"
            ))
        }
        remaining -= 1
        charged = true
        return nil
    }

    /// A 304 turns out free after all (it was charged before the ETag comparison).
    private func refund(_ charged: inout Bool) {
        if charged { remaining += 1 }
        charged = false
    }

    private func withRateHeaders(_ response: HTTPResponse) -> HTTPResponse {
        var response = response
        let limit = configuration.rateLimit.limit
        response.headers[HTTPHeader("x-ratelimit-limit")] = String(limit)
        response.headers[HTTPHeader("x-ratelimit-remaining")] = String(remaining)
        response.headers[HTTPHeader("x-ratelimit-used")] = String(limit - remaining)
        response.headers[HTTPHeader("x-ratelimit-reset")] = String(Int(resetAt.timeIntervalSince1970))
        response.headers[HTTPHeader("x-ratelimit-resource")] = "core"
        return response
    }

    private func plan(_ response: HTTPResponse) -> ResponsePlan {
        ResponsePlan(response: withRateHeaders(response))
    }
}

enum SimulatorError: Error, CustomStringConvertible {
    case unknownRepository(String)
    case unknownIssue(String, Int)
    case notListening

    var description: String {
        switch self {
        case .unknownRepository(let name): "the simulator has no repository \(name)"
        case .unknownIssue(let name, let number): "the simulator has no item #\(number) in \(name)"
        case .notListening: "the simulator could not bind 127.0.0.1"
        }
    }
}
