import Foundation
import Postgres
import Testing
import TestSupport

@Suite struct CopyTests {
    let connection: Connection

    init() throws {
        connection = try TestDatabase.create(migrated: false).connect()
        try connection.executeScript("CREATE TABLE notes (id integer PRIMARY KEY, body text)")
    }

    @Test func copiesTextRowsWithTheirEscapesAndNulls() throws {
        let input = "1\ttab\\there\n2\t\\N\n3\tline\\nbreak, back\\\\slash ✓\n"
        #expect(try connection.copy("COPY notes (id, body) FROM STDIN", from: Data(input.utf8)) == 3)
        let bodies = try connection.query("SELECT body FROM notes ORDER BY id").map { try $0.decode("body", as: String?.self) }
        #expect(bodies == ["tab\there", nil, "line\nbreak, back\\slash ✓"])
    }

    @Test func aRefusedRowFailsTheWholeCopyAndTheConnectionGoesOn() throws {
        let failure = #expect(throws: PostgresError.self) {
            try connection.copy("COPY notes (id, body) FROM STDIN", from: Data("1\tone\nnot a number\ttwo\n".utf8))
        }
        #expect(failure?.sqlState == .invalidTextRepresentation)
        #expect(try connection.query("SELECT count(*) AS n FROM notes").first?.decode("n", as: Int.self) == 0)
    }
}
