/// Where things go on a screen of a given size.
struct Layout {
    /// Below this the dashboard shows only "terminal too small".
    static let minimum = Size(width: 40, height: 10)
    /// From this size up all five panes are on screen; below it, the focused pane fills the body.
    static let full = Size(width: 80, height: 24)

    var header: Rect
    var banner: Rect?
    var body: Rect
    /// The live event feed under the panes (nil when the screen has no line to spare).
    var events: Rect?
    var message: Rect
    var footer: Rect
    /// Pane rectangles; in compact mode only the focused pane has one.
    var panes: [Pane: Rect]
    var compact: Bool

    init(size: Size, hasBanner: Bool, focus: Pane) {
        let w = size.width, h = size.height
        header = Rect(x: 0, y: 0, width: w, height: 1)
        banner = hasBanner ? Rect(x: 0, y: 1, width: w, height: 1) : nil
        let top = hasBanner ? 2 : 1
        message = Rect(x: 0, y: h - 2, width: w, height: 1)
        footer = Rect(x: 0, y: h - 1, width: w, height: 1)
        body = Rect(x: 0, y: top, width: w, height: h - 2 - top)
        compact = w < Self.full.width || h < Self.full.height
        // The event feed takes the bottom of the body; overlays still cover all of it.
        let feed = Self.eventFeedHeight(body: body, compact: compact)
        events = feed > 0 ? Rect(x: 0, y: body.y + body.height - feed, width: w, height: feed) : nil
        let body = Rect(x: 0, y: top, width: w, height: body.height - feed)
        if compact {
            panes = [focus: body]
            return
        }
        // Top row: status and rate limit; then failed syncs across; bottom row: stuck and tiers.
        let topHeight = body.height >= 30 ? 9 : 8
        let rest = body.height - topHeight
        let failedHeight = (rest + 1) / 2
        let left = w / 2
        let midY = body.y + topHeight, bottomY = midY + failedHeight
        let bottomHeight = body.y + body.height - bottomY
        panes = [
            .status: Rect(x: 0, y: body.y, width: left, height: topHeight),
            .rateLimit: Rect(x: left, y: body.y, width: w - left, height: topHeight),
            .failed: Rect(x: 0, y: midY, width: w, height: failedHeight),
            .stuck: Rect(x: 0, y: bottomY, width: left, height: bottomHeight),
            .tiers: Rect(x: left, y: bottomY, width: w - left, height: bottomHeight),
        ]
    }

    /// Rows of the event feed: a boxed strip of 8 events on tall screens, 4 on a 40-row one, else a single line
    /// (also in the one-pane layout when it has 9 rows to spare); none on the smallest screens.
    static func eventFeedHeight(body: Rect, compact: Bool) -> Int {
        if compact { return body.height >= 10 ? 1 : 0 }
        if body.height >= 50 { return 10 }
        if body.height >= 34 { return 6 }
        return 1
    }
}
