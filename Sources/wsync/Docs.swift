import ArgumentParser
import Dashboard
import Foundation
import SyncEngine

/// Documentation generated from the commands themselves, so it cannot drift: the README's command reference and
/// the dashboard's key table (both checked by a test) and a man page. Shell completions come from `--generate-completion-script`.
struct Docs: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Print documentation generated from the CLI: the command reference or a man page.",
        shouldDisplay: false,
        subcommands: [Reference.self, Keys.self, Manual.self]
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
            let commands = Docs.commands()
            let index = commands.map { path, type in
                "| [`\(path)`](#\(anchor(path))) | \(type.configuration.abstract.replacingOccurrences(of: "|", with: "\\|")) |\n"
            }.joined()
            let sections = commands.map { path, type in
                "### `\(path)`\n\n```text\n\(WSync.helpMessage(for: type, columns: 100).trimmingCharacters(in: .whitespacesAndNewlines))\n```\n\n"
            }.joined()
            return "| command | what it does |\n|---|---|\n" + index + "\n" + sections
        }

        /// The anchor GitHub gives a heading: lower case, spaces to hyphens, other punctuation dropped.
        static func anchor(_ heading: String) -> String {
            String(heading.lowercased().compactMap { $0 == " " ? "-" : ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") ? $0 : nil })
        }
    }

    struct Keys: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "The dashboard's key table in Markdown (README.md embeds it), from the binding table the dashboard reads.")

        func run() {
            print(KeyTable.markdown(), terminator: "")
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
            page += """
                .SH ENVIRONMENT
                .TP
                .B DATABASE_URL
                PostgreSQL URL or conninfo, unless --database-url is given; without either, libpq's PGHOST, PGPORT,
                PGUSER, PGDATABASE, PGPASSWORD, PGSERVICE and ~/.pgpass apply.
                .TP
                .B GITHUB_TOKEN
                The token sent to GitHub. Without it and GITHUB_TOKENS, requests are unauthenticated (60 an hour) and
                wsync warns.
                .TP
                .B GITHUB_TOKENS
                More tokens for the pool: comma-separated, or @FILE with one per line; label=TOKEN names one. Tokens are
                shown and stored only by label or fingerprint.
                .TP
                .B GITHUB_API_URL
                GitHub's REST API (default https://api.github.com).
                .TP
                .B NO_COLOR
                When set and not empty, the dashboard draws without colours.
                .TP
                .B XDG_CONFIG_HOME
                User themes are read from $XDG_CONFIG_HOME/wsync/themes (default ~/.config/wsync/themes).
                .SH EXIT STATUS
                0 success; 1 a check found a problem, a sync or retry ended partial or failed for some repository, or a
                confirmation was declined; 2 usage, input or connection error, or GitHub refused every token (the
                message on standard error names the cause).
                .SH FILES
                .TP
                .I themes/*.theme
                Bundled themes: the first themes/ or share/wsync/themes/ directory holding default.theme, looked for in
                the executable's directory and then each directory above it.
                .TP
                .I ~/.config/wsync/themes/NAME.theme
                User themes; one with a bundled name replaces it.

                """
            print(page, terminator: "")
        }
    }
}
