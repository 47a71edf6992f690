import Foundation

// PROVISIONAL: stand-ins for the engine read models the lead is landing in Sources/SyncEngine/ReadModels/.
// This file is deleted when they land on main; the dashboard then uses the engine's own types.

public struct SyncStatusCounts: Sendable, Equatable {
    public var active, success, failed, partial, neverSynced, dueNow, syncingNow: Int
    public var averageHoursSinceSync: Double?
    public var freshness: Double?
    public var runsLastHour, issuesLastHour: Int
    public var runsPerFiveMinutes: [Int]
    public var globalPause: Bool

    public init(active: Int = 0, success: Int = 0, failed: Int = 0, partial: Int = 0, neverSynced: Int = 0,
                dueNow: Int = 0, syncingNow: Int = 0, averageHoursSinceSync: Double? = nil, freshness: Double? = nil,
                runsLastHour: Int = 0, issuesLastHour: Int = 0, runsPerFiveMinutes: [Int] = [], globalPause: Bool = false) {
        self.active = active; self.success = success; self.failed = failed; self.partial = partial
        self.neverSynced = neverSynced; self.dueNow = dueNow; self.syncingNow = syncingNow
        self.averageHoursSinceSync = averageHoursSinceSync; self.freshness = freshness
        self.runsLastHour = runsLastHour; self.issuesLastHour = issuesLastHour
        self.runsPerFiveMinutes = runsPerFiveMinutes; self.globalPause = globalPause
    }
}

public struct FailedSync: Sendable, Equatable {
    public var rowID: UUID
    public var workspaceID: UUID
    public var workspace: String
    public var repository: String
    public var lastSyncError: String?
    public var syncAttempts: Int
    public var lastAttemptAt: Date?

    public init(rowID: UUID, workspaceID: UUID, workspace: String, repository: String, lastSyncError: String?,
                syncAttempts: Int, lastAttemptAt: Date?) {
        self.rowID = rowID; self.workspaceID = workspaceID; self.workspace = workspace; self.repository = repository
        self.lastSyncError = lastSyncError; self.syncAttempts = syncAttempts; self.lastAttemptAt = lastAttemptAt
    }
}

public struct StuckSync: Sendable, Equatable {
    public var rowID: UUID
    public var workspaceID: UUID
    public var workspace: String
    public var repository: String
    public var lastSyncAt: Date?
    public var nextSyncAt: Date?
    public var syncAttempts: Int
    public var leasedBy: String?
    public var leaseExpiresAt: Date?

    public init(rowID: UUID, workspaceID: UUID, workspace: String, repository: String, lastSyncAt: Date?,
                nextSyncAt: Date?, syncAttempts: Int, leasedBy: String?, leaseExpiresAt: Date?) {
        self.rowID = rowID; self.workspaceID = workspaceID; self.workspace = workspace; self.repository = repository
        self.lastSyncAt = lastSyncAt; self.nextSyncAt = nextSyncAt; self.syncAttempts = syncAttempts
        self.leasedBy = leasedBy; self.leaseExpiresAt = leaseExpiresAt
    }
}

public struct RateLimitGauge: Sendable, Equatable {
    public var limit, remaining: Int
    public var resetAt: Date
    public var observedAt: Date
    public var usedLastFifteenMinutes: Int

    public init(limit: Int, remaining: Int, resetAt: Date, observedAt: Date, usedLastFifteenMinutes: Int) {
        self.limit = limit; self.remaining = remaining; self.resetAt = resetAt; self.observedAt = observedAt
        self.usedLastFifteenMinutes = usedLastFifteenMinutes
    }
}

public struct TierUsage: Sendable, Equatable {
    public var tier: String
    public var workspaces, repositoriesUsed, repositoriesAllowed, issuesSynced: Int
    public var estimatedMonthlyAPICalls: Double

    public init(tier: String, workspaces: Int, repositoriesUsed: Int, repositoriesAllowed: Int, issuesSynced: Int,
                estimatedMonthlyAPICalls: Double) {
        self.tier = tier; self.workspaces = workspaces; self.repositoriesUsed = repositoriesUsed
        self.repositoriesAllowed = repositoriesAllowed; self.issuesSynced = issuesSynced
        self.estimatedMonthlyAPICalls = estimatedMonthlyAPICalls
    }
}

public struct DashboardSnapshot: Sendable, Equatable {
    public var readAt: Date
    public var status: SyncStatusCounts
    public var failed: [FailedSync]
    public var stuck: [StuckSync]
    public var rateLimit: RateLimitGauge?
    public var tiers: [TierUsage]

    public init(readAt: Date, status: SyncStatusCounts, failed: [FailedSync], stuck: [StuckSync],
                rateLimit: RateLimitGauge?, tiers: [TierUsage]) {
        self.readAt = readAt; self.status = status; self.failed = failed; self.stuck = stuck
        self.rateLimit = rateLimit; self.tiers = tiers
    }
}

public struct SyncRunRecord: Sendable, Equatable {
    public var startedAt: Date
    public var durationSeconds: Double?
    public var status: String
    public var issuesFetched: Int
    public var apiCalls: Int
    public var error: String?
    public var worker: String?

    public init(startedAt: Date, durationSeconds: Double?, status: String, issuesFetched: Int, apiCalls: Int,
                error: String?, worker: String?) {
        self.startedAt = startedAt; self.durationSeconds = durationSeconds; self.status = status
        self.issuesFetched = issuesFetched; self.apiCalls = apiCalls; self.error = error; self.worker = worker
    }
}

public struct AuditEntry: Sendable, Equatable {
    public var id: Int64
    public var at: Date
    public var actor: String
    public var action: String
    public var summary: String
    public var undone: Bool

    public init(id: Int64, at: Date, actor: String, action: String, summary: String, undone: Bool) {
        self.id = id; self.at = at; self.actor = actor; self.action = action; self.summary = summary; self.undone = undone
    }
}
