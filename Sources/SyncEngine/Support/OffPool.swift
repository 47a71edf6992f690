import Foundation

/// Runs blocking work (libpq, initdb, a whole synchronous command) on a thread of its own, never on the cooperative
/// pool, which has only as many threads as cores: blocking it stalls every task of the process, in-process HTTP
/// servers included, until their clients time out.
public func offPool<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        Thread.detachNewThread { continuation.resume(with: Result { try body() }) }
    }
}

public func offPool(_ body: @escaping @Sendable () -> Void) async {
    await withCheckedContinuation { continuation in
        Thread.detachNewThread {
            body()
            continuation.resume()
        }
    }
}
