import Dashboard
import Foundation
import Testing

/// Compares a rendered screen with `Goldens/NAME.txt`. Run with WSYNC_UPDATE_GOLDENS=1 to (re)write them;
/// a missing golden fails the test otherwise.
func expectGolden(_ name: String, _ grid: CellGrid, sourceLocation: SourceLocation = #_sourceLocation) {
    expectGolden(name, text: grid.text + "\n", sourceLocation: sourceLocation)
}

/// Compares text (a whole screen, newline-terminated) with `Goldens/NAME.txt`.
func expectGolden(_ name: String, text actual: String, sourceLocation: SourceLocation = #_sourceLocation) {
    let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("Goldens").appendingPathComponent("\(name).txt")
    if ProcessInfo.processInfo.environment["WSYNC_UPDATE_GOLDENS"] == "1" {
        try? FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try? actual.write(to: url, atomically: true, encoding: .utf8)
        return
    }
    guard let expected = try? String(contentsOf: url, encoding: .utf8) else {
        Issue.record("missing golden \(url.path); run with WSYNC_UPDATE_GOLDENS=1 and review it", sourceLocation: sourceLocation)
        return
    }
    #expect(actual == expected, "screen differs from golden \(name).txt:\n\(actual)", sourceLocation: sourceLocation)
}
