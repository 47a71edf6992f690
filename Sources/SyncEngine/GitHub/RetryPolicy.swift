import Foundation

/// How long to wait and how often to retry inside one run. `sleep` is injectable so tests never wait for real.
public struct RetryPolicy: Sendable {
    /// Retries of 5xx answers, timeouts and transport failures.
    public var maxServerRetries: Int
    /// First backoff after a 5xx/timeout; doubles each retry, capped by `maxServerBackoff`.
    public var serverBackoff: Duration
    public var maxServerBackoff: Duration
    /// Retries of secondary-limit answers before giving up.
    public var maxSecondaryRetries: Int
    /// Wait when a secondary limit gives no `retry-after` (GitHub says at least 60 s); the floor of every repeat's wait.
    public var secondaryDefaultWait: Duration
    /// Longer waits are not slept inside a run: the run ends and the job is rescheduled instead.
    public var maxInlineWait: Duration
    public var sleep: @Sendable (Duration) async throws -> Void

    public init(
        maxServerRetries: Int = 3, serverBackoff: Duration = .seconds(1), maxServerBackoff: Duration = .seconds(30),
        maxSecondaryRetries: Int = 3, secondaryDefaultWait: Duration = .seconds(60), maxInlineWait: Duration = .seconds(300),
        sleep: @escaping @Sendable (Duration) async throws -> Void = { try await Task.sleep(for: $0) }
    ) {
        self.maxServerRetries = maxServerRetries
        self.serverBackoff = serverBackoff
        self.maxServerBackoff = maxServerBackoff
        self.maxSecondaryRetries = maxSecondaryRetries
        self.secondaryDefaultWait = secondaryDefaultWait
        self.maxInlineWait = maxInlineWait
        self.sleep = sleep
    }

    /// Wait before server-error retry `attempt` (1-based).
    func serverWait(attempt: Int) -> Duration {
        min(serverBackoff * (1 << min(attempt - 1, 20)), maxServerBackoff)
    }

    /// Wait before secondary-limit retry `attempt` (1-based): first `retry-after` when given (else the default), then
    /// growing, as GitHub asks: the larger of the two, doubled per repeat.
    func secondaryWait(attempt: Int, retryAfter: TimeInterval?) -> Duration {
        let told = retryAfter.map { Duration.seconds($0) }
        guard attempt > 1 else { return told ?? secondaryDefaultWait }
        return max(told ?? .zero, secondaryDefaultWait) * (1 << min(attempt - 1, 20))
    }
}
