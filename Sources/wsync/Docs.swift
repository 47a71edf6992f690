import ArgumentParser
import Foundation
import SyncEngine

/// Documentation generated from the commands themselves, so it cannot drift: the README's command reference
/// (checked by a test) and a man page. Shell completions come from `--generate-completion-script`.
struct Docs: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Print documentation generated from the CLI: the command reference or a man page.",
        shouldDisplay: false,
        subcommands: [Reference.self, Manual.self]
    )

    /// Every command below the root, depth first, with its path of names.
    static func commands() -> [(path: String, type: ParsableCommand.Type)] {
        func walk(_ type: ParsableCommand.Type, _ prefix: String) -> [(String, ParsableCommand.Type)] {
            type.configuration.subcommands.filter { $0.configuration.shouldDisplay }.flatMap { sub -> [(String, ParsableCommand.Type)] in
                let path = "\(prefix) \(sub._commandName)"
                return [(path, sub)] + walk(sub, path)
            }
        }
        return walk(WSync.self, "wsync")
    }

    struct Reference: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "The command reference in Markdown (README.md embeds it).")

        func run() {
            print(Self.markdown(), terminator: "")
        }

        static func markdown() -> String {
            Docs.commands().map { path, type in
                "### `\(path)`\n\n```text\n\(WSync.helpMessage(for: type, columns: 100).trimmingCharacters(in: .whitespacesAndNewlines))\n```\n\n"
            }.joined()
        }
    }

    struct Manual: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "A man page in roff: wsync docs manual > wsync.1")

        func run() {
            var page = """
                .TH WSYNC 1 "" "wsync \(WSyncVersion.current)" "User Commands"
                .SH NAME
                wsync \\- \(WSync.configuration.abstract)
                .SH SYNOPSIS
                .B wsync
                .I command
                [options]
                .SH DESCRIPTION
                \(WSync.configuration.discussion)
                .SH COMMANDS

                """
            for (path, type) in Docs.commands() {
                page += ".SS \(path)\n.nf\n"
                page += WSync.helpMessage(for: type, columns: 80)
                    .replacingOccurrences(of: "\\", with: "\\\\")
                    .split(separator: "\n", omittingEmptySubsequences: false)
                    .map { $0.hasPrefix(".") || $0.hasPrefix("'") ? "\\&" + $0 : String($0) }
                    .joined(separator: "\n")
                page += "\n.fi\n"
            }
            print(page, terminator: "")
        }
    }
}
