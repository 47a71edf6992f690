/// A failed job's last error, reduced to a handful of classes: a label of low cardinality for metrics and alerts
/// (the text itself names repositories and varies without end).
public enum FailureClass: String, CaseIterable, Sendable {
    case notFound = "not_found"
    case issuesDisabled = "issues_disabled"
    case badCredentials = "bad_credentials"
    case rateLimit = "rate_limit"
    case serverError = "server_error"
    case timeout
    case network
    case malformedResponse = "malformed_response"
    case rejected
    case workerLost = "worker_lost"
    case other

    /// Recognises the engine's own error texts (GitHubError, the lease and bookkeeping failures) and the wording of
    /// older installs; anything else is `other`.
    public init(error: String?) {
        let text = (error ?? "").lowercased()
        func has(_ words: String...) -> Bool { words.contains { text.contains($0) } }
        self = if has("rejected the token", "bad credentials", "401") { .badCredentials }
            else if has("issues are disabled", "410") { .issuesDisabled }
            else if has("not found", "404") { .notFound }
            else if has("rate limit") { .rateLimit }
            else if has("timed out", "did not answer in time") { .timeout }
            else if has("server error", "bad gateway", "500", "502", "503", "504") { .serverError }
            else if has("cannot reach", "connection refused", "network") { .network }
            else if has("malformed", "bad json") { .malformedResponse }
            else if has("refused the request", "422", "validation") { .rejected }
            else if has("stopped responding", "lease") { .workerLost }
            else { .other }
    }
}
