import Dispatch
import Foundation

/// SIGINT/SIGTERM as an awaitable event, so commands can finish cleanly instead of dying mid-write.
enum ShutdownSignal {
    private static let queue = DispatchQueue(label: "wsync.signals")

    /// Returns when the process receives SIGINT or SIGTERM.
    static func wait() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            onSignal { continuation.resume() }
        }
    }

    /// Calls `handler` once, on the first SIGINT or SIGTERM.
    static func onSignal(_ handler: @escaping @Sendable () -> Void) {
        let fired = Once()
        for signalNumber in [SIGINT, SIGTERM] {
            signal(signalNumber, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: signalNumber, queue: queue)
            source.setEventHandler { if fired.first() { handler() } }
            source.resume()
            sources.append(source)
        }
    }

    nonisolated(unsafe) private static var sources: [any DispatchSourceSignal] = []

    private final class Once: @unchecked Sendable {
        private var done = false
        private let lock = NSLock()
        func first() -> Bool { lock.withLock { defer { done = true }; return !done } }
    }
}
