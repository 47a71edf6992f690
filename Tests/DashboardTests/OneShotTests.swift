import Dashboard
import Foundation
import Testing

/// `wsync dash --once`: the dashboard as text for incident channels and cron mail.
@Suite struct OneShotTests {
    @Test(arguments: [80, 120])
    func goldenAtTwoWidths(width: Int) {
        let text = OneShotScreen.text(Fixture.snapshot, database: "db.internal/app", width: width, timeZone: TimeZone(identifier: "UTC")!)
        expectGolden("once-\(width)", text: text)
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).dropLast()
        #expect(lines.count == OneShotScreen.height)
        #expect(lines.allSatisfy { $0.count <= width })
    }

    @Test func hostileTextFromGitHubNeverReachesTheOutputRaw() {
        let text = OneShotScreen.text(Fixture.snapshot, database: "db.internal/app", width: 200)
        #expect(text.contains("evil/"), "the hostile row is on screen")
        #expect(!text.unicodeScalars.contains { $0.value < 0x20 && $0 != "\n" || $0.value == 0x7F || (0x80..<0xA0).contains($0.value) })
    }

    @Test func asciiUsesNothingButASCII() {
        let text = OneShotScreen.text(Fixture.snapshot, database: "db.internal/app", width: 100, ascii: true)
        #expect(text.unicodeScalars.allSatisfy { $0.isASCII })
    }
}
