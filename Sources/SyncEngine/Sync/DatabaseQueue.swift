import Dispatch
import Foundation
import Postgres

/// One PostgreSQL connection whose blocking libpq calls run on its own serial queue, never on the cooperative
/// thread pool (two threads here: one blocked call there would stall every task of the process).
public final class DatabaseQueue: Sendable {
    private let connection: Connection
    private let queue: DispatchQueue

    private init(connection: Connection, queue: DispatchQueue) {
        self.connection = connection
        self.queue = queue
    }

    public static func connect(_ configuration: ConnectionConfiguration, label: String = "wsync.db") async throws -> DatabaseQueue {
        let queue = DispatchQueue(label: label)
        let connection = try await run(on: queue) { try Connection(configuration) }
        return DatabaseQueue(connection: connection, queue: queue)
    }

    /// Runs `body` on the connection's queue and awaits its result.
    public func run<T: Sendable>(_ body: @escaping @Sendable (Connection) throws -> T) async throws -> T {
        let connection = connection
        return try await Self.run(on: queue) { try body(connection) }
    }

    private static func run<T: Sendable>(on queue: DispatchQueue, _ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            queue.async { continuation.resume(with: Result { try body() }) }
        }
    }
}
