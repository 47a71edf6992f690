import ArgumentParser
import Foundation
import Postgres
import SyncEngine

@main
struct WSync: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "wsync",
        abstract: "Run and operate the workspace sync system: schema, workers, operations and a live dashboard.",
        discussion: """
            Connection: --database-url or DATABASE_URL (else libpq's PG* defaults). GitHub: GITHUB_TOKEN (and a pool \
            in GITHUB_TOKENS) and GITHUB_API_URL. Exit codes: 0 success, 1 a check found a problem (or a sync ended \
            partial or failed), 2 usage or connection error (or GitHub refused every token).
            """,
        version: WSyncVersion.current,
        subcommands: [
            Migrate.self,
            Link.self,
            Status.self,
            Stuck.self,
            Failed.self,
            Reset.self,
            Retry.self,
            Sync.self,
            Worker.self,
            Workers.self,
            RateLimit.self,
            StopAll.self,
            Resume.self,
            SlowDown.self,
            PauseTier.self,
            Undo.self,
            Check.self,
            Report.self,
            Cleanup.self,
            Export.self,
            SetCommand.self,
            DB.self,
            Audit.self,
            Rollback.self,
            Dash.self,
            Metrics.self,
            Demo.self,
            SimulateGitHub.self,
            Docs.self,
        ]
    )

    /// Runs the command; every failure becomes one line on stderr and exit code 2 (usage, connection, bad input).
    static func main() async {
        // A closed pipe (`wsync export | head`, a notify command that ignores stdin) is an error of the write, not a
        // reason to die by signal.
        signal(SIGPIPE, SIG_IGN)
        do {
            let command = try parseAsRoot()
            if var asyncCommand = command as? AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                // A synchronous command blocks in libpq: on a thread of its own, never on the cooperative pool.
                let handed = HandedOver(command)
                try await offPool { try handed.run() }
            }
        } catch let exit as ExitCode {
            Self.exit(withError: exit)
        } catch let error as WSyncError {
            fail(error.commandLineMessage)
        } catch let error as PostgresError where error.sqlState == .undefinedTable {
            fail(WSyncError.databaseNotMigrated("\(error.description): this database lacks wsync's tables").commandLineMessage)
        } catch let error as PostgresError where error.sqlState == .undefinedColumn {
            fail(WSyncError.databaseNotMigrated("\(error.description): this database's wsync schema is older than this wsync").commandLineMessage)
        } catch let error as PostgresError {
            fail(error.description)
        } catch let error as MigrationError {
            fail(error.description)
        } catch {
            switch exitCode(for: error) {
            case .success:
                Self.exit(withError: error)
            case .validationFailure:
                fail("\(message(for: error)) (see `\(helpCommand)`)")
            default:
                // An error thrown while validating arrives wrapped: its own message, not the wrapper's dump.
                let text = message(for: error)
                fail(text.isEmpty ? "\(error)" : text)
            }
        }
    }

    /// `wsync <command> [<subcommand>] --help` for what the user typed, else `wsync --help`.
    private static var helpCommand: String {
        var path = ["wsync"]
        var commands = configuration.subcommands
        for argument in CommandLine.arguments.dropFirst() {
            guard let command = commands.first(where: { $0._commandName == argument }) else { break }
            path.append(argument)
            commands = command.configuration.subcommands
        }
        return (path + ["--help"]).joined(separator: " ")
    }

    private static func fail(_ message: String) -> Never {
        // Errors carry GitHub's and the database's text: escaped like every other line that reaches a terminal.
        let line = SafeText.line(message.replacingOccurrences(of: "\n", with: " "))
        FileHandle.standardError.write(Data("wsync: \(line)\n".utf8))
        Self.exit(withError: ExitCode(2))
    }
}

/// A parsed command handed to the one thread that runs it; `main` only waits for it, so nothing shares it.
private struct HandedOver: @unchecked Sendable {
    var command: ParsableCommand

    init(_ command: ParsableCommand) { self.command = command }

    func run() throws {
        var command = command
        try command.run()
    }
}
