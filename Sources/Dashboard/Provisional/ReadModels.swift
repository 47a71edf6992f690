import Foundation

// PROVISIONAL: the shapes of the engine read models on their way to main (Sources/SyncEngine/ReadModels/).
// Same names and fields, so this file is simply deleted when they land.

public struct SyncStatus: Codable, Sendable, Equatable {
    public struct Health: Codable, Sendable, Equatable {
        public var totalWorkspaces: Int
        public var successful: Int
        public var failed: Int
        public var avgHoursSinceSync: Int?
    }

    public struct ThroughputBucket: Codable, Sendable, Equatable {
        public var bucketStart: Date
        public var runs: Int
        public var failedRuns: Int
        public var issues: Int
    }

    public var health: Health
    public var partial: Int
    public var neverSynced: Int
    public var dueNow: Int
    public var syncingNow: Int
    public var inactive: Int
    public var freshness: Double?
    public var runsLastHour: Int
    public var failedRunsLastHour: Int
    public var issuesLastHour: Int
    public var throughput: [ThroughputBucket]
    public var pause: PauseState
}

public struct PauseState: Codable, Sendable, Equatable {
    public var isPaused: Bool
    public var reason: String?
    public var pausedAt: Date?
    public var pausedBy: String?
    public var actionId: Int64?
}

public struct FailedSync: Codable, Sendable, Equatable {
    public var jobId: UUID
    public var workspaceId: UUID
    public var trackedRepositoryId: UUID
    public var workspace: String
    public var repository: String
    public var lastSyncError: String?
    public var syncAttempts: Int
    public var lastAttemptAt: Date?
    public var lastSyncAt: Date?
    public var nextSyncAt: Date?
    public var isActive: Bool
}

public struct StuckSync: Codable, Sendable, Equatable {
    public enum Reason: String, Codable, Sendable {
        case overdue
        case leaseExpired = "lease_expired"
    }

    public var jobId: UUID
    public var workspaceId: UUID
    public var trackedRepositoryId: UUID
    public var workspace: String
    public var fullName: String
    public var lastSyncAt: Date?
    public var nextSyncAt: Date?
    public var syncAttempts: Int
    public var overdueHours: Double?
    public var leaseOwner: String?
    public var leaseExpiresAt: Date?
    public var reason: Reason
}

public struct RateLimitGauge: Codable, Sendable, Equatable {
    public var limit: Int?
    public var remaining: Int?
    public var used: Int?
    public var resetAt: Date?
    public var observedAt: Date?
    public var observationAgeSeconds: Double?
    public var burnPerMinute: Double?
    public var projectedExhaustionAt: Date?
    public var exhaustsBeforeReset: Bool
}

public struct TierUsage: Codable, Sendable, Equatable {
    public var tier: String
    public var workspaces: Int
    public var repositoriesTracked: Int
    public var repositoriesAllowed: Int
    public var activeJobs: Int
    public var issuesSynced: Int
    public var estimatedMonthlySyncs: Double
    public var estimatedMonthlyApiCalls: Double
}

public struct DashboardSnapshot: Codable, Sendable, Equatable {
    public var takenAt: Date
    public var status: SyncStatus
    public var failed: [FailedSync]
    public var stuck: [StuckSync]
    public var rateLimit: RateLimitGauge
    public var tiers: [TierUsage]
}

public struct SyncRun: Codable, Sendable, Equatable {
    public var id: Int64
    public var jobId: UUID
    public var workerId: String
    public var trigger: String
    public var startedAt: Date
    public var finishedAt: Date?
    public var durationMs: Int?
    public var apiCalls: Int
    public var notModified: Int
    public var pages: Int
    public var issuesFetched: Int
    public var issuesStored: Int
    public var status: String
    public var error: String?
}

public struct AuditEntry: Codable, Sendable, Equatable {
    public var id: Int64
    public var at: Date
    public var actor: String
    public var action: String
    public var parameters: [String: String]
    public var summary: String
    public var affectedRows: Int
    public var undoable: Bool
    public var undoneAt: Date?
    public var undoneBy: String?
    public var undoActionId: Int64?
    public var undoesActionId: Int64?
}
