import Dispatch

/// Runs blocking work (creating a database, starting a cluster) on a Dispatch thread instead of the cooperative
/// pool, which has only as many threads as cores: blocking it stalls every task in the test process, including
/// in-process HTTP servers, until their clients time out.
public func offPool<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        DispatchQueue.global().async { continuation.resume(with: Result { try body() }) }
    }
}
