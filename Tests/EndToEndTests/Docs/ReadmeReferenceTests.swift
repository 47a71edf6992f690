import Foundation
import Testing

/// README's command reference is the command line's own help, verbatim, whoever generates it; its key table is the
/// dashboard's binding table (`wsync docs keys`), which the dashboard dispatches by and draws its footer and help from.
@Suite struct ReadmeReferenceTests {
    static let begin = "<!-- BEGIN COMMAND REFERENCE -->\n"
    static let end = "<!-- END COMMAND REFERENCE -->"

    @Test func readmeEmbedsTheGeneratedReferenceExactly() async throws {
        let reference = try await Self.expectReadmeEmbeds(["docs", "reference"], between: Self.begin, and: Self.end)
        #expect(reference.contains("### `wsync migrate`") && reference.contains("### `wsync report weekly`"))
    }

    @Test func readmeEmbedsTheGeneratedKeyTableExactly() async throws {
        let table = try await Self.expectReadmeEmbeds(["docs", "keys"], between: "<!-- BEGIN KEY TABLE -->\n", and: "<!-- END KEY TABLE -->")
        #expect(table.hasPrefix("| key | does | where | asks first |\n"))
        for key in ["`X`", "`PgUp` / `PgDn`", "`Home` / `End`", "`S`", "type STOP to confirm", "asks first"] {
            #expect(table.contains(key), "the key table lacks \(key)")
        }
    }

    /// Runs `wsync arguments` and expects README to hold its output exactly between the markers; returns the output.
    static func expectReadmeEmbeds(_ arguments: [String], between begin: String, and end: String) async throws -> String {
        let generated = try WSyncProcess(arguments, environment: ["DATABASE_URL": nil])
        #expect(await generated.exitStatus() == 0, "\(generated.stderr)")
        let embedded = try #require(try Readme.section(between: begin, and: end), "README.md lacks the markers \(begin)")
        let output = generated.stdout
        let same = embedded == output
        #expect(same, """
            README differs from `wsync \(arguments.joined(separator: " "))` \(Self.firstDifference(embedded, output)); \
            paste the command's output between the markers
            """)
        return output
    }

    /// The reference must not depend on who runs it (an option default from $USER would).
    @Test func theReferenceIsTheSameForAnotherUser() async throws {
        let mine = try WSyncProcess(["docs", "reference"], environment: [:])
        let theirs = try WSyncProcess(["docs", "reference"], environment: ["USER": "someone-else-\(UUID().uuidString.prefix(4))"])
        #expect(await mine.exitStatus() == 0)
        #expect(await theirs.exitStatus() == 0)
        let same = mine.stdout == theirs.stdout
        #expect(same, "\(Self.firstDifference(mine.stdout, theirs.stdout))")
    }

    @Test func theManPageHasASectionForEveryCommandOfTheReference() async throws {
        let manual = try WSyncProcess(["docs", "manual"], environment: [:])
        #expect(await manual.exitStatus() == 0, "\(manual.stderr)")
        #expect(manual.stdout.hasPrefix(".TH WSYNC 1 "))
        for heading in ["NAME", "SYNOPSIS", "DESCRIPTION", "COMMANDS", "ENVIRONMENT", "EXIT STATUS", "FILES"] {
            #expect(manual.stdout.contains("\n.SH \(heading)\n"), "no \(heading) section")
        }
        let reference = try #require(try Readme.section(between: Self.begin, and: Self.end))
        let commands = reference.components(separatedBy: "\n").filter { $0.hasPrefix("### `") }
            .map { $0.dropFirst(5).dropLast() }
        #expect(commands.count > 20)
        for command in commands {
            #expect(manual.stdout.contains("\n.SS \(command)\n"), "the man page has no section for \(command)")
        }
    }

    /// "at line N: README has … but the command prints …", for a failure message that points at the drift.
    static func firstDifference(_ left: String, _ right: String) -> String {
        let a = left.components(separatedBy: "\n"), b = right.components(separatedBy: "\n")
        for index in 0..<max(a.count, b.count) where index >= a.count || index >= b.count || a[index] != b[index] {
            let l = index < a.count ? a[index] : "(end)", r = index < b.count ? b[index] : "(end)"
            return "at reference line \(index + 1): README has \"\(l)\" but the command prints \"\(r)\""
        }
        return "(no difference)"
    }
}
