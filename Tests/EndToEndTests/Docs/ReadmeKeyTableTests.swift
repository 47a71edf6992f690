import Foundation
import Testing

/// README's key table is the dashboard's binding table, as `wsync docs keys` prints it: the table the dashboard
/// dispatches by and draws its footer and help from, so none of the three can say something the others do not.
@Suite struct ReadmeKeyTableTests {
    static let begin = "<!-- BEGIN KEY TABLE -->\n"
    static let end = "<!-- END KEY TABLE -->"

    @Test func readmeEmbedsTheGeneratedKeyTableExactly() async throws {
        let generated = try WSyncProcess(["docs", "keys"], environment: ["DATABASE_URL": nil])
        #expect(await generated.exitStatus() == 0, "\(generated.stderr)")
        let embedded = try #require(try Readme.section(between: Self.begin, and: Self.end), "README.md lacks the key table markers")
        let table = generated.stdout
        #expect(table.hasPrefix("| key | does | where | asks first |\n"))
        for key in ["`X`", "`PgUp` / `PgDn`", "`Home`", "`S`", "type STOP to confirm", "asks first"] {
            #expect(table.contains(key), "the key table lacks \(key)")
        }
        #expect(embedded == table, """
            README's key table differs from `wsync docs keys` \(ReadmeReferenceTests.firstDifference(embedded, table)); \
            paste the command's output between the markers
            """)
    }
}
