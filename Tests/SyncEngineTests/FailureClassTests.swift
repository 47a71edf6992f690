import Foundation
import Testing
@testable import SyncEngine

/// The error classes `/metrics` labels failed jobs with, from the texts the engine itself writes.
@Suite struct FailureClassTests {
    @Test func everyGitHubErrorHasItsOwnClass() {
        let cases: [(GitHubError, FailureClass)] = [
            (.badCredentials(message: "Bad credentials"), .badCredentials),
            (.notFound, .notFound),
            (.issuesDisabled, .issuesDisabled),
            (.primaryRateLimit(resetAt: Date()), .rateLimit),
            (.secondaryRateLimit(retryAfter: 60), .rateLimit),
            (.serverError(status: 502), .serverError),
            (.timedOut, .timeout),
            (.transport("connection refused"), .network),
            (.malformedResponse("unexpected end of input"), .malformedResponse),
            (.rejected(status: 422, message: "Validation Failed"), .rejected),
        ]
        for (error, expected) in cases {
            #expect(FailureClass(error: error.description) == expected, "\(error.description)")
        }
    }

    @Test func runFailuresAndOlderWordingAreClassedAndTheRestIsOther() {
        #expect(FailureClass(error: "the worker stopped responding; the job was released") == .workerLost)
        #expect(FailureClass(error: "GitHub returned 404 Not Found: the repository was deleted or made private") == .notFound)
        #expect(FailureClass(error: "GitHub returned 502 Bad Gateway after 3 retries") == .serverError)
        #expect(FailureClass(error: "timed out after 30 s waiting for api.github.com") == .timeout)
        #expect(FailureClass(error: "something nobody foresaw") == .other)
        #expect(FailureClass(error: nil) == .other)
    }
}
