import ArgumentParser
import SyncEngine

struct Audit: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "The operator action log, newest first.")

    @OptionGroup var database: DatabaseOptions

    @Option(help: "At most this many entries.")
    var limit = 50

    @OptionGroup var format: JSONFlag

    func validate() throws {
        guard limit >= 1 else { throw ValidationError("--limit must be at least 1") }
    }

    func run() throws {
        let entries = try AuditLog.entries(database.connect(readOnly: true), limit: limit)
        if format.json { return try Output.json(entries) }
        Output.table(["id", "at", "actor", "action", "result", "rows", "undo", "summary"], entries.map { entry in
            let undo = entry.undoneAt != nil ? "undone by #\(entry.undoActionId.map(String.init) ?? "?")"
                : entry.isUndoable ? "undoable" : ""
            let summary = entry.error.map { "\(entry.summary): \($0)" } ?? entry.summary
            return [String(entry.id), Output.timestamp(entry.at), entry.actor, entry.action, entry.result, String(entry.affectedRows),
                    undo, summary]
        })
    }
}
