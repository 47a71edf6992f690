import Foundation

/// Events posted from the poller and operation threads, drained by the UI thread between key reads.
public final class EventInbox: @unchecked Sendable {
    private let lock = NSLock()
    private var events: [Event] = []

    public init() {}

    public func post(_ event: Event) {
        lock.lock()
        events.append(event)
        lock.unlock()
    }

    func drain() -> [Event] {
        lock.lock()
        defer { lock.unlock() }
        let drained = events
        events.removeAll()
        return drained
    }
}

/// The effects the UI loop hands off: polling, engine operations and loads, all answered through the inbox.
/// The one implementation talks to PostgreSQL on its own threads; the UI thread never waits on it.
public protocol DashboardEffects: Sendable {
    func start(posting inbox: EventInbox)
    func handle(_ command: Command)
    func stop()
}
