import Foundation
import SyncEngine
import Testing

/// User input parsed before any database work.
@Suite struct InputParsingTests {
    @Test(arguments: [("90s", 90), ("30m", 1800), ("2h", 7200), ("7d", 604_800), ("1w", 604_800), (" 3H ", 10_800)])
    func timeSpansParse(text: String, seconds: Int) {
        #expect(TimeSpan(parsing: text)?.seconds == seconds)
    }

    @Test(arguments: ["", "h", "2", "-1h", "0h", "2x", "1.5h", "99999999999d"])
    func malformedTimeSpansAreRejected(text: String) {
        #expect(TimeSpan(parsing: text) == nil)
    }

    @Test func timeSpansPrintInTheLargestWholeUnit() {
        #expect(TimeSpan.hours(2).description == "2h")
        #expect(TimeSpan(seconds: 86_400 * 3).description == "3d")
        #expect(TimeSpan(seconds: 61).description == "61s")
    }

    @Test func selectorsFromCommandLineFlags() throws {
        let id = UUID()
        #expect(try JobSelector(workspace: nil, repository: nil, allFailed: true) == .allFailed)
        #expect(try JobSelector(workspace: id.uuidString, repository: nil, allFailed: false) == .workspace(id))
        #expect(try JobSelector(workspace: id.uuidString.lowercased(), repository: "o/r", allFailed: false)
                == .workspaceRepository(workspace: id, repository: "o/r"))
        for (workspace, repository, allFailed, input) in [
            (id.uuidString, nil, true, .selection),
            (nil, "o/r", false, .repository),
            (nil, nil, false, .selection),
            ("123", nil, false, .workspace),
            (id.uuidString, "o/r/x", false, .repository),
            (id.uuidString, "/r", false, .repository),
        ] as [(String?, String?, Bool, WSyncError.Input)] {
            let error = #expect(throws: WSyncError.self) { try JobSelector(workspace: workspace, repository: repository, allFailed: allFailed) }
            #expect(error?.input == input, "\(String(describing: error))")
        }
    }

    @Test func tiersAndLimits() throws {
        #expect(throws: Never.self) { try JobLimits.validateFrequency(1); try JobLimits.validateFrequency(168) }
        #expect(throws: Never.self) { try JobLimits.validateRetention(7); try JobLimits.validateRetention(365) }
    }
}
