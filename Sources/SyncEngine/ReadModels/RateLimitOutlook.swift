import Foundation

extension RateLimitGauge {
    /// Where the budget is heading, judged at `now` from the last reading: the dashboard words it, and a reading
    /// whose projection has passed is never shown as if it were still ahead.
    public enum Outlook: Equatable, Sendable {
        /// No reading yet.
        case unknown
        /// Nothing is burning: the budget stays.
        case idle
        /// At the current burn rate the budget lasts until the reset.
        case lastsUntilReset
        /// At the current burn rate it runs out at this time, before the reset.
        case runsOut(at: Date)
        /// The last reading projected it to run out at this time, which has passed with no newer reading.
        case projectionPassed(at: Date)
        /// Nothing is left until the reset.
        case exhausted(until: Date?)
    }

    public func outlook(at now: Date) -> Outlook {
        guard let remaining, limit != nil else { return .unknown }
        let resetPassed = resetAt.map { $0 <= now } ?? false
        if remaining <= 0, !resetPassed { return .exhausted(until: resetAt) }
        guard let burn = burnPerMinute, burn > 0, let exhaustion = projectedExhaustionAt else { return .idle }
        guard exhaustsBeforeReset, !resetPassed else { return .lastsUntilReset }
        return exhaustion > now ? .runsOut(at: exhaustion) : .projectionPassed(at: exhaustion)
    }

    /// When the budget comes down to `reserve` at the current burn rate, if that is still ahead and before the reset.
    public func reserveReached(_ reserve: Int, at now: Date) -> Date? {
        guard let remaining, let observedAt, let burn = burnPerMinute, burn > 0, remaining > reserve else { return nil }
        let at = observedAt.addingTimeInterval(Double(remaining - reserve) / burn * 60)
        guard at > now, resetAt.map({ at < $0 }) ?? true else { return nil }
        return at
    }
}

extension SyncStatus {
    /// The reserve the live workers keep for everything else: they stop claiming at this many requests left (the
    /// smallest of theirs, as `ClaimBlocker` judges it); nil without a live worker.
    public var claimReserve: Int? {
        workers.filter { $0.state == .alive }.map(\.rateLimitReserve).min()
    }

    /// Why workers are not claiming because of the rate limit, when they are not.
    public var reserveBlocker: ClaimBlocker? {
        claimBlockers.first { $0.reason == .rateLimitReserve }
    }
}
