import Foundation
import SyncEngine

/// The dashboard rendered once as plain text (`wsync dash --once`): the same pure renderer into a cell grid, read
/// back as characters — no escapes, no colours, nothing a terminal must interpret — for incident channels and cron
/// mail. The footer names the moment instead of keys nobody can press.
public enum OneShotScreen {
    /// Tall enough for every pane to show rows at once; the width is the caller's.
    public static let height = 40

    public static func text(_ snapshot: DashboardSnapshot, database: String, width: Int, ascii: Bool = false,
                            timeZone: TimeZone = .current) -> String {
        var state = DashboardState(database: database, readOnly: true, interval: 0, now: snapshot.takenAt,
                                   themeNames: [], themeName: "")
        state.snapshot = snapshot
        state.connection = .live
        state.timeZone = timeZone
        state.glyphs = ascii ? .ascii : .unicode
        state.oneShot = true
        return render(state, size: Size(width: width, height: height)).text + "\n"
    }
}
