import Foundation

/// A workspace tier and the sync defaults `wsync link` gives its new jobs.
public enum Tier: String, Codable, Sendable, CaseIterable {
    case free
    case pro
    case `private`

    /// Parses a tier name given by the user, or explains the valid ones.
    public init(validating text: String) throws {
        guard let tier = Tier(rawValue: text.trimmingCharacters(in: .whitespaces).lowercased()) else {
            throw WSyncError("unknown tier \"\(text)\"; use one of: \(Tier.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        self = tier
    }

    /// Hours between syncs for a newly linked job.
    public var defaultFrequencyHours: Int {
        switch self {
        case .free: 24
        case .pro: 8
        case .private: 4
        }
    }

    /// Priority of a newly linked job (0…100; the worker claims higher first).
    public var defaultPriority: Int {
        switch self {
        case .free: 30
        case .pro: 60
        case .private: 80
        }
    }
}

/// The column limits of `workspace_tracked_repositories`, checked before anything is written.
public enum JobLimits {
    public static let frequencyHours = 1...168
    public static let retentionDays = 7...365

    public static func validateFrequency(_ hours: Int, flag: String = "--hours") throws {
        guard frequencyHours.contains(hours) else {
            throw WSyncError("\(flag) \(hours) is outside the allowed sync frequency of 1 to 168 hours")
        }
    }

    public static func validateRetention(_ days: Int, flag: String = "--days") throws {
        guard retentionDays.contains(days) else {
            throw WSyncError("\(flag) \(days) is outside the allowed retention of 7 to 365 days")
        }
    }
}
