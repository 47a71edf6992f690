import Foundation

/// Counts the HTTP requests one run sends, retries and redirects included, so a run that ends in an error still
/// records what it spent (a 404 or a 422 costs budget too).
final class RequestTally: @unchecked Sendable {
    private let lock = NSLock()
    private var sent = 0

    var requests: Int { lock.withLock { sent } }

    func add(_ count: Int = 1) { lock.withLock { sent += count } }
}
