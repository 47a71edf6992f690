import ArgumentParser
import Foundation
import SyncEngine

struct Sync: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Manual sync: with --workspace/--repo, sync those rows now (due or not); without, the due rows by priority.",
        discussion: """
            Uses GITHUB_TOKEN (or the pool in GITHUB_TOKENS) and GITHUB_API_URL. --dry-run fetches and reports but \
            writes nothing. Exit codes: 0 every run succeeded, 1 some run ended partial or failed (see the results; \
            the JSON's "success" is false), 2 usage or connection error, or GitHub refused every token.
            """
    )

    @OptionGroup var database: DatabaseOptions
    @OptionGroup var mutation: MutationOptions

    @Option(help: ArgumentHelp("Only this workspace's rows.", valueName: "id")) var workspace: String?
    @Option(help: ArgumentHelp("Only this repository's rows.", valueName: "owner/name")) var repo: String?
    @Option(help: "Fetch issues updated in the last H hours instead of since each row's last sync.") var hoursBack: Int?
    @Option(help: "At most N rows.") var limit: Int?
    @Option(help: "At most N pages per repository; the run ends partial and the next run resumes.") var maxPages: Int?
    @Option(help: "Repositories synced at once.") var concurrency: Int = 2
    @Flag(help: "Fetch and report; write nothing.") var dryRun = false
    @Flag(help: "Print the result as JSON.") var json = false
    @OptionGroup var gone: GoneOptions

    func validate() throws {
        if let workspace, UUID(uuidString: workspace) == nil { throw ValidationError("--workspace must be a workspace id (a UUID)") }
        if let repo, repo.split(separator: "/", omittingEmptySubsequences: false).count != 2 || repo.contains(" ") {
            throw ValidationError("--repo must be OWNER/NAME")
        }
        if let hoursBack, !(1...8760).contains(hoursBack) { throw ValidationError("--hours-back must be between 1 and 8760") }
        if let limit, limit < 1 { throw ValidationError("--limit must be at least 1") }
        if let maxPages, maxPages < 1 { throw ValidationError("--max-pages must be at least 1") }
        guard (1...32).contains(concurrency) else { throw ValidationError("--concurrency must be between 1 and 32") }
    }

    func run() async throws {
        let selection = SyncSelection(workspaceID: workspace.flatMap(UUID.init(uuidString:)), repository: repo, limit: limit)
        if !dryRun {
            let target = [workspace.map { "workspace \($0)" }, repo].compactMap { $0 }.joined(separator: ", ")
            let database = database
            let estimate = mutation.asks ? try await offPool { try SyncEstimate.forSync(selection, try database.connect()) } : nil
            try mutation.confirm("Sync \(target.isEmpty ? "the due rows" : target) now?") { estimate.map(CostLines.sync) ?? [] }
        }
        let sync = ManualSync(database: database.configuration, github: try GitHubEnvironment.configuration(),
                              log: GitHubEnvironment.notice)
        let options = SyncNowOptions(hoursBack: hoursBack, dryRun: dryRun, maxPages: maxPages, concurrency: concurrency,
                                     gone: gone.policy)
        let result = try await sync.syncNow(selection, options: options, actor: mutation.actor)
        try SyncResultOutput.print(result, json: json)
        if !result.success { throw ExitCode(1) }
    }
}

/// How `wsync sync` and `wsync retry` print a manual sync's result.
enum SyncResultOutput {
    static func print(_ result: SyncNowResult, json: Bool) throws {
        if json {
            try Output.json(result)
            return
        }
        Output.table(
            ["REPOSITORY", "STATUS", "FOUND", "SYNCED", "API CALLS", "ERROR"],
            result.results.map {
                [$0.repository, $0.status, String($0.issuesFound), String($0.issuesSynced), String($0.apiCalls), $0.error ?? ""]
            }
        )
        if !result.skippedBusy.isEmpty {
            Swift.print("\(result.skippedBusy.count) matching rows were being synced by a worker and were left to it")
        }
        let verb = result.dryRun ? "found (dry run, nothing written)" : "stored"
        Swift.print("\(result.repositoriesProcessed) repositories, \(result.dryRun ? result.totalIssuesFound : result.totalIssuesSynced) issues \(verb), \(result.apiCalls) API calls"
                    + (result.auditID.map { "; audit #\($0)" } ?? ""))
    }
}
