import Foundation

/// The environment variables that hold secrets wsync reads — GitHub tokens and the database's password (which a
/// DATABASE_URL may carry) — and the environment every program wsync starts gets instead of its own: the same
/// without them. No child (a notify command, initdb, pg_ctl, the demo's PostgreSQL) needs them, so none can show
/// them in /proc/PID/environ or pass them on.
public enum SecretEnvironment {
    public static let names: Set<String> = ["GITHUB_TOKEN", "GITHUB_TOKENS", "PGPASSWORD", "DATABASE_URL"]

    /// `environment` without the secret variables.
    public static func scrubbed(_ environment: [String: String] = ProcessInfo.processInfo.environment) -> [String: String] {
        environment.filter { !names.contains($0.key) }
    }

    /// The current environment without the secret variables, as `NAME=value` C strings for posix_spawn (caller frees).
    static func scrubbedCStrings() -> [UnsafeMutablePointer<CChar>?] {
        scrubbed().map { strdup("\($0.key)=\($0.value)") } + [nil]
    }
}
