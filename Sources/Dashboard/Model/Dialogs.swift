import Foundation
import SyncEngine

/// What a dialog says. The title and the way to answer always show; the rest as room allows, cut in this order:
/// notes, details, then targets down to "… and N more", then facts from the end. Whatever is cut says so.
public struct DialogText: Equatable, Sendable {
    public var title: String
    /// What the action does, in words (after the facts; cut early: the title says it short).
    public var details: [String] = []
    /// What decides: the count, the cost.
    public var facts: [String]
    /// What to mind (past the workers' reserve); drawn as warnings.
    public var warnings: [String] = []
    /// The first of `targetTotal` rows it acts on ("• acme/api (acme)").
    public var targets: [String] = []
    public var targetTotal: Int = 0
    /// Afterthoughts, cut first (how to undo).
    public var notes: [String] = []

    public init(title: String, details: [String] = [], facts: [String], warnings: [String] = [], targets: [String] = [],
                targetTotal: Int? = nil, notes: [String] = []) {
        self.title = title
        self.details = details
        self.facts = facts
        self.warnings = warnings
        self.targets = targets
        self.targetTotal = targetTotal ?? targets.count
        self.notes = notes
    }

    /// "… and 2 more" when not every target is listed.
    public var moreTargets: String? {
        targetTotal > targets.count ? "… and \(targetTotal - targets.count) more" : nil
    }

    /// Every line in full, as a screen with room enough shows them.
    public var lines: [String] {
        var lines = facts + warnings + details
        if !targets.isEmpty || moreTargets != nil { lines += [""] + targets + (moreTargets.map { [$0] } ?? []) }
        if !notes.isEmpty { lines += [""] + notes }
        return lines
    }
}

/// The engine's count and API cost for a dialog whose action syncs rows, or makes them due.
public enum EstimateState: Equatable, Sendable {
    /// The action syncs nothing.
    case notNeeded
    case loading
    case loaded(SyncEstimate)
    case failed(String)
}

/// How an estimate reads in a dialog: around the engine's numbers (`SyncEstimate.costText`, `budgetText`), the
/// words of the action.
public enum EstimateWording: Equatable, Sendable {
    /// The action syncs the rows now.
    case sync
    /// The action makes them due; the workers then sync them.
    case reset
}

/// A yes/no dialog; anything but `y` answers No.
public struct Confirmation: Equatable, Sendable {
    /// The dialog without the estimate.
    public var base: DialogText
    public var operation: Operation
    public var estimate: EstimateState = .notNeeded
    public var wording: EstimateWording = .sync
    /// The rows come with the estimate (a workspace's rows, which only the engine counts).
    public var targetsFromEstimate = false

    public init(_ base: DialogText, operation: Operation, estimate: EstimateState = .notNeeded, wording: EstimateWording = .sync,
                targetsFromEstimate: Bool = false) {
        self.base = base
        self.operation = operation
        self.estimate = estimate
        self.wording = wording
        self.targetsFromEstimate = targetsFromEstimate
    }

    public var title: String { base.title }

    /// The dialog as shown now, the estimate folded in.
    public var text: DialogText {
        var text = base
        switch estimate {
        case .notNeeded: break
        case .loading: text.facts.append("Estimating the API cost…")
        case .failed(let message): text.warnings.append("API cost unknown: \(message)")
        case .loaded(let e):
            if targetsFromEstimate { text.facts.append("\(e.rows == 1 ? "1 active row" : "\(e.rows) active rows") to sync.") }
            let cost = "Cost: \(e.costText)."
            if e.verdict == .pastReserve || e.verdict == .pastBudget { text.warnings.append(cost) } else { text.facts.append(cost) }
            text.details.append((wording == .reset ? "The workers then sync them; the cost is estimated " : "The cost is estimated ")
                                + e.basisText + ".")
            if e.alreadyReset > 0 {
                text.facts.append("\(e.alreadyReset) already queued for retry \(e.alreadyReset == 1 ? "is" : "are") left alone.")
            }
            if targetsFromEstimate {
                text.targets = e.names.map { "• " + SafeText.line($0) }
                text.targetTotal = e.rows
            }
        }
        return text
    }

    public var lines: [String] { text.lines }
}

/// A dialog that only proceeds when the operator types `word` exactly.
public struct TypedConfirmation: Equatable, Sendable {
    public var text: DialogText
    public var word: String
    public var typed: String = ""
    public var operation: Operation

    public init(_ text: DialogText, word: String, operation: Operation) {
        self.text = text
        self.word = word
        self.operation = operation
    }

    public var title: String { text.title }
    public var lines: [String] { text.lines }
    /// The one line that must always show.
    public var instruction: String { "Type \(word), then Enter · Esc cancels" }
}

/// What a confirmed action acts on: rows given (an error group; marked or filtered rows, `BulkTarget`), or a set the
/// engine resolves (every failed row, a workspace's rows).
public enum ConfirmTarget: Equatable, Sendable {
    case rows([RowRef])
    /// Every failed row a reset would change: `total` of them; the snapshot lists the first (`listed`).
    case allFailed(listed: [RowRef], total: Int)
    /// A workspace's active rows, which only the engine counts.
    case workspace(id: UUID, name: String)
}

/// The actions that ask with the count and the estimated API cost.
public enum BulkAction: Equatable, Sendable {
    case reset
    case sync
}

/// What an estimate asked for when a dialog opened came back with.
public enum EstimateOutcome: Equatable, Sendable {
    case loaded(SyncEstimate)
    case failed(String)
}

extension DashboardState {
    /// How many targets a dialog lists at most (the screen may show fewer, and says how many it cut).
    static let dialogTargetsListed = 8

    /// Opens the yes/no dialog of `action` on `target`: what changes, the count, the first targets, and the API cost,
    /// which the engine estimates (`Command.estimate`) while the dialog is open. `facts` go first (an error group's
    /// error). This is the one way bulk keys ask; whoever picks the rows (a group, marks, a filter) passes them here.
    mutating func confirm(_ action: BulkAction, on target: ConfirmTarget, facts extra: [String] = [], title named: String? = nil) -> [Command] {
        let operation: Operation
        var title: String
        let facts = extra
        var targets: [RowRef] = []
        var total = 0
        switch (action, target) {
        case (.reset, .rows(let rows)):
            operation = .reset(rows)
            title = rows.count == 1 ? "Reset \(Self.name(rows[0]))?" : "Reset \(rows.count) rows?"
            (targets, total) = (rows, rows.count)
        case (.reset, .allFailed(let listed, let all)):
            operation = .resetAllFailed
            title = "Reset all \(all) failed rows?"
            (targets, total) = (listed, all)
        case (.sync, .rows(let rows)):
            operation = rows.count == 1 ? .syncRow(rows[0]) : .syncRows(rows)
            title = rows.count == 1 ? "Sync \(Self.name(rows[0])) now?" : "Sync \(rows.count) rows now?"
            (targets, total) = (rows.count == 1 ? [] : rows, rows.count == 1 ? 0 : rows.count)
        case (.sync, .workspace(let id, let name)):
            operation = .syncWorkspace(workspaceId: id, name: name)
            title = "Sync every active row of workspace \(SafeText.line(name)) now?"
        case (.sync, .allFailed), (.reset, .workspace):
            say("that action does not apply to those rows", .failure)
            return []
        }
        if let named { title = named }
        let details = action == .reset
            ? ["Attempts go to 0, errors are cleared, each row is due now, and a lease a dead worker left is released."]
            : ["Fetches from GitHub now, beside the workers; the result comes back as a message."]
        var text = DialogText(title: title, details: details, facts: facts, targetTotal: total)
        text.targets = targets.prefix(Self.dialogTargetsListed).map { "• " + Self.name($0) }
        text.notes = action == .reset ? ["Undo with u (this session) or wsync undo."] : []
        overlay = .confirm(Confirmation(text, operation: operation, estimate: .loading, wording: action == .reset ? .reset : .sync,
                                        targetsFromEstimate: { if case .workspace = target { true } else { false } }()))
        return [.estimate(operation)]
    }

    /// "acme/api (acme)", safe for the screen.
    static func name(_ row: RowRef) -> String {
        "\(SafeText.line(row.repository)) (\(SafeText.line(row.workspace)))"
    }

    /// An estimate for the open dialog, if it is still the one that asked.
    mutating func estimateArrived(for operation: Operation, _ outcome: EstimateOutcome) {
        guard case .confirm(var dialog) = overlay, dialog.operation == operation else { return }
        switch outcome {
        case .loaded(let estimate): dialog.estimate = .loaded(estimate)
        case .failed(let message): dialog.estimate = .failed(message)
        }
        overlay = .confirm(dialog)
    }
}
