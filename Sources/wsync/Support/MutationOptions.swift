import ArgumentParser
import Foundation

/// Options every mutating command takes: confirmation and the actor recorded in the audit log.
struct MutationOptions: ParsableArguments {
    @Flag(name: [.short, .long], help: "Do not ask for confirmation.")
    var yes = false

    @Option(name: .customLong("actor"), help: ArgumentHelp("Who is acting, for the audit log (default: the OS user).", valueName: "name"))
    var actorName: String?

    /// `--actor`, else the OS user. (Not an option default: help and the generated docs must not vary by user.)
    var actor: String { actorName ?? osUserName }

    /// On a terminal, asks `question [y/N]` unless --yes; anything but y/yes cancels with exit 1.
    func confirm(_ question: String) throws {
        guard !yes, isatty(STDIN_FILENO) == 1 else { return }
        FileHandle.standardError.write(Data("\(question) [y/N] ".utf8))
        let answer = readLine()?.trimmingCharacters(in: .whitespaces).lowercased()
        guard answer == "y" || answer == "yes" else {
            FileHandle.standardError.write(Data("cancelled: nothing was changed\n".utf8))
            throw ExitCode.failure
        }
    }
}

/// Who runs wsync: $USER, else the account name.
var osUserName: String { ProcessInfo.processInfo.environment["USER"] ?? NSUserName() }
