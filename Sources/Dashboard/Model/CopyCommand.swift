import Foundation

extension DashboardState {
    /// The `wsync` command line that does for one row what its key does: `wsync reset` for a failed row (r),
    /// `wsync sync` for a stuck one (s), naming the workspace by id and the repository by name, and the database as
    /// the dashboard was pointed at it (without a password). Nil for a group of rows.
    public func commandLine(for item: ListItem) -> String? {
        let verb: String
        switch item {
        case .failed: verb = "reset"
        case .stuck: verb = "sync"
        case .group: return nil
        }
        guard let row = item.rows.first else { return nil }
        var words = ["wsync", verb, "--workspace", row.workspaceId.uuidString.lowercased(), "--repo", shellQuoted(row.repository)]
        if let commandDatabaseArgument { words.append(commandDatabaseArgument) }
        return words.joined(separator: " ")
    }

    /// `y`: copies the selected row's command line (OSC 52) and shows it in the status line, where it can be
    /// copied by hand on terminals without OSC 52.
    mutating func copyCommand(of item: ListItem?) -> [Command] {
        guard let item else { say(noSelection(), .failure); return [] }
        guard let command = commandLine(for: item) else {
            say("y copies the command for one row: open the group (Enter) or ungroup (e) first", .info)
            return []
        }
        say("copied: \(command)", .success)
        message?.command = command
        return [.copyToClipboard(command)]
    }
}

/// A word for a POSIX shell: as it is when it is plainly safe, else single-quoted.
public func shellQuoted(_ word: String) -> String {
    let safe = !word.isEmpty && word.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || "-_./:=@,+%".contains($0)) }
    return safe ? word : "'" + word.replacingOccurrences(of: "'", with: "'\\''") + "'"
}
