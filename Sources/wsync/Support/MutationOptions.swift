import ArgumentParser
import Foundation
import SyncEngine

/// Options every mutating command takes: confirmation and the actor recorded in the audit log.
struct MutationOptions: ParsableArguments {
    @Flag(name: [.short, .long], help: "Do not ask for confirmation.")
    var yes = false

    @Option(name: .customLong("actor"), help: ArgumentHelp("Who is acting, for the audit log (default: the OS user).", valueName: "name"))
    var actorName: String?

    /// `--actor`, else the OS user. (Not an option default: help and the generated docs must not vary by user.)
    var actor: String { actorName ?? osUserName }

    /// Whether `confirm` will ask (a terminal, no --yes).
    var asks: Bool { !yes && isatty(STDIN_FILENO) == 1 }

    /// On a terminal, asks `question [y/N]` unless --yes; anything but y/yes cancels with exit 1. `details` (lines
    /// shown before the question, such as the count and the estimated API cost) are worked out only when it asks.
    func confirm(_ question: String, details: () throws -> [String] = { [] }) throws {
        guard !yes, isatty(STDIN_FILENO) == 1 else { return }
        let lines = try details().map { SafeText.line($0) + "\n" }.joined()
        FileHandle.standardError.write(Data("\(lines)\(question) [y/N] ".utf8))
        let answer = readLine()?.trimmingCharacters(in: .whitespaces).lowercased()
        guard answer == "y" || answer == "yes" else {
            FileHandle.standardError.write(Data("cancelled: nothing was changed\n".utf8))
            throw ExitCode.failure
        }
    }
}

/// Who runs wsync: $USER, else the account name.
var osUserName: String { ProcessInfo.processInfo.environment["USER"] ?? NSUserName() }
