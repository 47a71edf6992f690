/// The five panes, in the order keys 1–5 focus them.
public enum Pane: Int, CaseIterable, Sendable {
    case status = 1, failed, stuck, rateLimit, tiers

    public var title: String {
        switch self {
        case .status: "Sync status"
        case .failed: "Failed syncs"
        case .stuck: "Stuck repos"
        case .rateLimit: "Rate limit"
        case .tiers: "Tier usage"
        }
    }

    /// Panes whose rows can be selected and acted on.
    public var isList: Bool { self == .failed || self == .stuck }

    public var next: Pane { Pane(rawValue: rawValue % 5 + 1)! }
    public var previous: Pane { Pane(rawValue: (rawValue + 3) % 5 + 1)! }
}
