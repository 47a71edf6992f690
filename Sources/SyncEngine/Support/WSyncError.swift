/// A problem the user can fix: bad input, a missing row, an action that cannot be undone. Its message is one line
/// that names the cause and the fix; the CLI prints it and exits 2, the dashboard shows it in the status line.
public struct WSyncError: Error, CustomStringConvertible, Equatable, Sendable {
    public let message: String

    public init(_ message: String) {
        self.message = message
    }

    public var description: String { message }
}
