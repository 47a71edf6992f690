import Dispatch
import Foundation
import Postgres

/// One PostgreSQL connection whose blocking libpq calls run on its own serial queue, never on the cooperative
/// thread pool (two threads here: one blocked call there would stall every task of the process). The connection
/// is lent only inside `run`'s closure, on that queue, as postgres-nio lends its connections: it never crosses
/// threads (`Connection` is not `Sendable`). A connection that broke (server restarted, network gone) is replaced
/// on the next call, so a long-lived worker or dashboard heals by itself: the call that met the break fails, the
/// ones after it work again.
public final class DatabaseQueue: @unchecked Sendable {
    private let configuration: ConnectionConfiguration
    private let queue: DispatchQueue
    /// Read and written only on `queue`.
    private var connection: Connection?

    /// Connects on first use.
    public init(_ configuration: ConnectionConfiguration, label: String = "wsync.db") {
        self.configuration = configuration
        self.queue = DispatchQueue(label: label)
    }

    /// Connects now, so that a bad configuration fails here.
    public static func connect(_ configuration: ConnectionConfiguration, label: String = "wsync.db") async throws -> DatabaseQueue {
        let database = DatabaseQueue(configuration, label: label)
        try await database.run { _ in }
        return database
    }

    /// Runs `body` on the connection's queue, with the connection lent to it, and awaits its result.
    public func run<T: Sendable>(_ body: @escaping @Sendable (Connection) throws -> T) async throws -> T {
        try await Self.run(on: queue) { [self] in
            let live = try liveConnection()
            do {
                return try body(live)
            } catch {
                if !live.isAlive { connection = nil }
                throw error
            }
        }
    }

    /// The open connection, or a new one when the last one broke. Called on `queue` only.
    private func liveConnection() throws -> Connection {
        if let connection, connection.isAlive { return connection }
        let fresh = try Connection(configuration)
        connection = fresh
        return fresh
    }

    private static func run<T: Sendable>(on queue: DispatchQueue, _ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            queue.async { continuation.resume(with: Result { try body() }) }
        }
    }
}
