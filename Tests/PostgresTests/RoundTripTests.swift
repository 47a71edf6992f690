import Foundation
import Postgres
import Testing
import TestSupport

@Suite struct RoundTripTests {
    let connection: Connection

    init() throws {
        connection = try TestDatabase.create(migrated: false).connect()
        try connection.executeScript("""
            CREATE TABLE samples (
                t text, i integer, b bigint, f boolean, d double precision, n numeric, u uuid,
                ts timestamptz, day date, j jsonb, tags text[], ids uuid[]
            )
            """)
    }

    @Test func everySupportedTypeRoundTrips() throws {
        let id = UUID()
        let moment = Date(timeIntervalSince1970: 1_795_911_720.123456)
        let day = CalendarDay(year: 2024, month: 2, day: 29)
        try connection.execute("""
            INSERT INTO samples VALUES (\("hello"), \(42), \(Int64(9_007_199_254_740_993)), \(true), \(3.25), \(12.5), \(id),
                \(moment), \(day), \(JSONText(#"{"a": [1, 2]}"#))::jsonb, \(["x", "y z", "q\"uote"])::text[], \([id])::uuid[])
            """)
        let row = try #require(try connection.query("SELECT * FROM samples").first)
        #expect(try row.decode("t", as: String.self) == "hello")
        #expect(try row.decode("i", as: Int.self) == 42)
        #expect(try row.decode("b", as: Int64.self) == 9_007_199_254_740_993)
        #expect(try row.decode("f", as: Bool.self) == true)
        #expect(try row.decode("d", as: Double.self) == 3.25)
        #expect(try row.decode("n", as: Double.self) == 12.5)
        #expect(try row.decode("u", as: UUID.self) == id)
        let readBack = try row.decode("ts", as: Date.self)
        #expect(abs(readBack.timeIntervalSince1970 - moment.timeIntervalSince1970) < 0.000_001)
        #expect(try row.decode("day", as: CalendarDay.self) == day)
        #expect(try row.decode("j", as: JSONText.self).text == #"{"a": [1, 2]}"#)
        #expect(try row.decode("tags", as: [String].self) == ["x", "y z", "q\"uote"])
        #expect(try row.decode("ids", as: [UUID].self) == [id])
    }

    @Test func nullDecodesOnlyIntoOptionals() throws {
        try connection.execute("INSERT INTO samples (t, i) VALUES (\(String?.none), \(Int?.none))")
        let row = try #require(try connection.query("SELECT t, i, ts FROM samples").first)
        #expect(try row.decode("t", as: String?.self) == nil)
        #expect(try row.decode("ts", as: Date?.self) == nil)
        #expect(throws: PostgresError.self) { try row.decode("i", as: Int.self) }
    }

    @Test func wrongTypeIsATypedErrorNamingTheColumn() throws {
        let row = try #require(try connection.query("SELECT 'abc'::text AS label").first)
        do {
            _ = try row.decode("label", as: Int.self)
            Issue.record("decoding text as Int must fail")
        } catch let error as PostgresError {
            guard case .typeMismatch(let column, _, _) = error else {
                Issue.record("expected typeMismatch, got \(error)")
                return
            }
            #expect(column == "label")
        }
    }

    @Test(arguments: [
        "O'Brien", "'); DROP TABLE samples; --", #"back\slash \\ \n"#, "emoji 🚀👩‍👩‍👧", "漢字かな交じり", "עברית العربية",
        "$1 $2 placeholder-looking", "\u{1B}[31mred\u{1B}[0m", "",
    ])
    func hostileAndUnicodeStringsAreStoredUnchanged(value: String) throws {
        try connection.execute("INSERT INTO samples (t, tags) VALUES (\(value), \([value, "second"])::text[])")
        let row = try #require(try connection.query("SELECT t, tags FROM samples WHERE t = \(value)").first)
        #expect(try row.decode("t", as: String.self) == value)
        #expect(try row.decode("tags", as: [String].self) == [value, "second"])
        #expect(try connection.query("SELECT count(*) AS n FROM samples").first?.decode("n", as: Int.self) == 1)
    }

    @Test func fragmentsComposeWithRenumberedParameters() throws {
        let low: SQL = "i >= \(10)"
        let high: SQL = "i <= \(20)"
        try connection.execute("INSERT INTO samples (i) SELECT generate_series(1, 30)")
        let rows = try connection.query("SELECT count(*) AS n FROM samples WHERE \(SQL.joined([low, high], separator: " AND ")) AND i <> \(15)")
        #expect(try rows.first?.decode("n", as: Int.self) == 10)
    }

    @Test func timestampsParseEveryServerSpelling() {
        #expect(PostgresTimestamp.parse("1970-01-01 00:00:00+00") == Date(timeIntervalSince1970: 0))
        #expect(PostgresTimestamp.parse("2026-11-29T00:22:00Z") == Date(timeIntervalSince1970: 1_795_911_720))
        #expect(PostgresTimestamp.parse("2026-11-29 02:22:00+02:00") == Date(timeIntervalSince1970: 1_795_911_720))
        #expect(PostgresTimestamp.parse("2026-11-28 19:52:00-0430") == Date(timeIntervalSince1970: 1_795_911_720))
        #expect(PostgresTimestamp.parse("1969-12-31 23:59:59.5+00") == Date(timeIntervalSince1970: -0.5))
        #expect(PostgresTimestamp.parse("garbage") == nil)
        #expect(PostgresTimestamp.format(Date(timeIntervalSince1970: -0.5)) == "1969-12-31T23:59:59.500000Z")
    }

    @Test func timestampsFormatAsTheirFieldsSayAndParseBack() {
        #expect(PostgresTimestamp.format(Date(timeIntervalSince1970: 1_795_911_720.000_042)) == "2026-11-29T00:22:00.000042Z")
        #expect(PostgresTimestamp.format(Date(timeIntervalSince1970: 0)) == "1970-01-01T00:00:00.000000Z")
        #expect(PostgresTimestamp.format(.distantPast) == "0000-12-30T00:00:00.000000Z")  // proleptic Gregorian
        #expect(PostgresTimestamp.format(.distantFuture) == "4001-01-01T00:00:00.000000Z")
        #expect(PostgresTimestamp.format(Date(timeIntervalSince1970: 253_402_300_799)) == "9999-12-31T23:59:59.000000Z")
        #expect(PostgresTimestamp.format(Date(timeIntervalSince1970: 253_402_300_800)) == "10000-01-01T00:00:00.000000Z")
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<2_000 {
            let seconds = Double(Int64.random(in: -62_135_596_800...253_402_300_799, using: &generator))
            let date = Date(timeIntervalSince1970: seconds + Double(Int.random(in: 0..<1_000_000, using: &generator)) / 1_000_000)
            let parsed = PostgresTimestamp.parse(PostgresTimestamp.format(date))
            #expect(parsed.map { abs($0.timeIntervalSince(date)) < 0.000_1 } == true, "\(date.timeIntervalSince1970)")
        }
    }
}
