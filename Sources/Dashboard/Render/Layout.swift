/// How many lines each pane's content wants, so the layout gives room where it is used.
struct LayoutContent {
    var status = 6
    var rateLimit = 6
    var failedRows = 0
    var stuckRows = 0
    var tierRows = 0
}

/// Where things go on a screen of a given size.
struct Layout {
    /// Below this the dashboard shows only "terminal too small".
    static let minimum = Size(width: 40, height: 10)
    /// From this size up all five panes are on screen; below it, the focused pane fills the body.
    static let full = Size(width: 80, height: 24)
    /// From this width the tier pane joins the top row and the two lists stand side by side, each the full height.
    static let wide = 160

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

    init(size: Size, hasBanner: Bool, focus: Pane, content: LayoutContent = LayoutContent()) {
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
        let wide = w >= Self.wide
        // The top row is as tall as the taller of its panes needs: 6 lines inside on a short screen, up to 10 on a
        // tall one (30 rows of body or more), the rest going to the lists.
        let wanted = max(content.status, content.rateLimit, wide ? content.tierRows + 1 : 0)
        let topHeight = 2 + max(6, min(wanted, body.height >= 30 ? 10 : 6))
        let midY = body.y + topHeight
        let rest = body.height - topHeight
        if wide {
            let third = w / 3
            let failedWidth = w * 3 / 5
            panes = [
                .status: Rect(x: 0, y: body.y, width: third, height: topHeight),
                .rateLimit: Rect(x: third, y: body.y, width: third, height: topHeight),
                .tiers: Rect(x: 2 * third, y: body.y, width: w - 2 * third, height: topHeight),
                .failed: Rect(x: 0, y: midY, width: failedWidth, height: rest),
                .stuck: Rect(x: failedWidth, y: midY, width: w - failedWidth, height: rest),
            ]
            return
        }
        // Failed syncs across; under it the stuck list and the tiers, as tall as they need (at most half), so a tall
        // screen gives the failed list its rows.
        let bottomWanted = max(content.stuckRows, content.tierRows) + 3
        let bottomHeight = max(min(6, rest / 2), min(bottomWanted, rest / 2))
        let failedHeight = rest - bottomHeight
        let left = w / 2
        let bottomY = midY + failedHeight
        panes = [
            .status: Rect(x: 0, y: body.y, width: left, height: topHeight),
            .rateLimit: Rect(x: left, y: body.y, width: w - left, height: topHeight),
            .failed: Rect(x: 0, y: midY, width: w, height: failedHeight),
            .stuck: Rect(x: 0, y: bottomY, width: left, height: bottomHeight),
            .tiers: Rect(x: left, y: bottomY, width: w - left, height: bottomHeight),
        ]
    }

    /// The layout of `state` on a screen of `size`, sized by its content.
    init(size: Size, state: DashboardState) {
        var content = LayoutContent()
        if let snapshot = state.snapshot {
            let half = size.width >= Self.wide ? size.width / 3 : size.width / 2
            content.status = Canvas.statusLines(snapshot, width: half - 2)
            content.rateLimit = 1 + Canvas.rateLimitLines(snapshot.rateLimit, state: state).count
            content.failedRows = state.itemCount(in: .failed)
            content.stuckRows = state.itemCount(in: .stuck)
            content.tierRows = snapshot.tiers.count
        }
        self.init(size: size, hasBanner: state.banner != nil, focus: state.focus, content: content)
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

extension DashboardState {
    /// How far the open view can scroll on the current screen (its last first line) and how many lines a page is;
    /// nil without a view or before the screen's size is known.
    func viewScrollLimits() -> (max: Int, page: Int)? {
        guard let size = screenSize, let overlay, size.width >= Layout.minimum.width, size.height >= Layout.minimum.height else { return nil }
        let body = Layout(size: size, state: self).body
        let canvas = Canvas(size: Size(width: 1, height: 1), glyphs: glyphs)
        guard let lines = canvas.viewContent(overlay, state: self, width: body.width - 4)?.lines else { return nil }
        let visible = max(1, body.height - 2)
        return (max(0, lines.count - visible), visible)
    }
}
