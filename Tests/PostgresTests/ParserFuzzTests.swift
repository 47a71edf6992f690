import Foundation
import Testing
import TestSupport
@testable import Postgres

/// Connection strings under random bytes and mutations of valid URLs and conninfo strings, each carrying a known
/// password (seeded, fixed iterations, no timing): classifying, naming the target and scrubbing never crash, and the
/// password never appears in what a message would show. A sample is connected for real (to a socket directory that
/// does not exist, so nothing leaves the machine) to check the failure line too.
@Suite struct ParserFuzzTests {
    static let iterations = 20_000
    static let password = "Fz-pass-7731"

    @Test func connectionStrings() throws {
        let p = Self.password
        let seeds = [
            "postgresql://ops:\(p)@db.internal:5432/app?sslmode=require&connect_timeout=3",
            "postgres://ops:\(p)@[::1]:5432/app", "postgresql://ops:\(p)@/app?host=/var/run/postgresql",
            "host=db.internal port=5432 user=ops password=\(p) dbname=app", "host=h dbname=d password='\(p)' application_name='x y'",
            "postgresql://ops:\(p.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!)@h,h2:1,2/app?target_session_attrs=any",
        ]
        var fuzz = Fuzzer(seed: 0xC0AA, dictionary: ["://", "postgresql://", "@", ":", "/", "?", "&", "=", "'", "\\'", "[", "]", "%",
                                                     "password=", "host=", "port=", " ", "%2F", p])
        var malformed = 0
        for (n, text) in fuzz.inputs(Self.iterations, seeds: seeds).enumerated() {
            let configuration = ConnectionConfiguration(conninfo: text)
            let problem = configuration.malformation
            let passwords = configuration.passwords.filter { $0.count >= 4 }
            // What libpq (or wsync's own reading of a broken URL) takes for the password never shows.
            for line in [configuration.displayTarget, configuration.scrub(text)] {
                for password in passwords where line.contains(password) {
                    Issue.record("iteration \(n): \(text.debugDescription) shows its password in \(line.debugDescription)")
                }
            }
            // A value that is not a connection string is described, never quoted: not even a mangled password shows.
            if let problem {
                malformed += 1
                #expect(!problem.contains(p), "iteration \(n): \(text.debugDescription) → \(problem)")
            }
        }
        #expect(malformed > 1_000 && malformed < Self.iterations, "both kinds are tried: \(malformed) malformed")

        // A sample connected for real, to a socket that is not there: the failure line never has the password either.
        var connected = 0
        for (n, text) in fuzz.inputs(400, seeds: seeds.filter { $0.hasPrefix("host=") }).enumerated() {
            let configuration = ConnectionConfiguration(conninfo: text + " host=/nonexistent-wsync-fuzz port=1", connectTimeout: 1)
            do {
                _ = try Connection(configuration)
                Issue.record("iteration \(n): \(text.debugDescription) connected")
            } catch {
                connected += 1
                for password in configuration.passwords.filter({ $0.count >= 4 }) + [p] where "\(error)".contains(password) {
                    Issue.record("iteration \(n): \(text.debugDescription) → \(error)")
                }
                #expect(!"\(error)".contains("\n"), "one line")
            }
        }
        #expect(connected == 400)
    }
}
