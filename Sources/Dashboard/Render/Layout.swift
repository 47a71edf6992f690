/// Where things go on a screen of a given size.
struct Layout {
    /// Below this the dashboard shows only "terminal too small".
    static let minimum = Size(width: 40, height: 10)
    /// From this size up all five panes are on screen; below it, the focused pane fills the body.
    static let full = Size(width: 80, height: 24)

    var header: Rect
    var banner: Rect?
    var body: Rect
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
}
