import ArgumentParser
import SyncEngine

struct StopAll: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Emergency stop: deactivate every active sync and pause workers; prints the action id for resume.")

    @OptionGroup var database: DatabaseOptions

    @Option(help: "Why, for the audit log and the dashboard header.")
    var reason: String

    @OptionGroup var mutation: MutationOptions

    func run() throws {
        let connection = try database.connect()
        try mutation.confirm("Stop every active sync on \(connection.displayTarget)?")
        Output.outcome(try Operations(connection: connection, actor: mutation.actor).stopAll(reason: reason))
    }
}

struct Resume: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Undo a stop-all: reactivate exactly the syncs it stopped and clear the pause.")

    @OptionGroup var database: DatabaseOptions

    @Option(help: ArgumentHelp("The stop-all to undo (default: the latest in effect).", valueName: "id"))
    var action: Int64?

    @OptionGroup var mutation: MutationOptions

    func run() throws {
        try mutation.confirm(action.map { "Resume the syncs stopped by action \($0)?" } ?? "Resume the syncs of the latest stop-all?")
        Output.outcome(try Operations(connection: database.connect(), actor: mutation.actor).resume(actionID: action))
    }
}

struct SlowDown: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Rate-limit emergency: multiply active sync intervals, at least --min-hours, at most 168 (undoable).")

    @OptionGroup var database: DatabaseOptions

    @Option(help: "Multiply each active sync's hours by this.")
    var factor: Double = 2

    @Option(help: "Hours between syncs at least.")
    var minHours = 48

    @OptionGroup var mutation: MutationOptions

    func run() throws {
        try mutation.confirm("Slow down every active sync (× \(factor), at least \(minHours) h)?")
        Output.outcome(try Operations(connection: database.connect(), actor: mutation.actor).slowDown(factor: factor, minHours: minHours))
    }
}

struct PauseTier: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Rate-limit emergency: deactivate the syncs of up to --limit workspaces of a tier (undoable).")

    @OptionGroup var database: DatabaseOptions

    @Argument(help: "A tier the database allows (production: free, pro, team).")
    var tier: String

    @Option(help: "At most this many workspaces (those with the most active syncs first).")
    var limit = 50

    @OptionGroup var mutation: MutationOptions

    func validate() throws {
        guard limit >= 1 else { throw ValidationError("--limit must be at least 1") }
    }

    func run() throws {
        let connection = try database.connect()
        let tier = try Tier.validated(tier, on: connection)
        try mutation.confirm("Pause the syncs of up to \(limit) \(tier.rawValue) workspaces?")
        Output.outcome(try Operations(connection: connection, actor: mutation.actor).pauseTier(tier, limit: limit))
    }
}

struct Undo: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Undo an action: restore the values it recorded (see wsync audit).")

    @OptionGroup var database: DatabaseOptions

    @Argument(help: "The action's id.")
    var actionID: Int64

    @OptionGroup var mutation: MutationOptions

    func run() throws {
        let connection = try database.connect()
        guard let entry = try AuditLog.entry(connection, id: actionID) else {
            throw WSyncError.notFound("no action has id \(actionID)", hint: .seeAuditLog)
        }
        try mutation.confirm("Undo action \(actionID) by \(entry.actor): \(SafeText.line(entry.summary))?")
        Output.outcome(try Operations(connection: connection, actor: mutation.actor).undo(actionID: actionID))
    }
}
