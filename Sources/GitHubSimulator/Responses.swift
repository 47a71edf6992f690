import FlyingFox
import Foundation

/// The HTTP answers GitHub gives, with its headers (rate-limit headers are added by the state).
enum Responses {
    private static let phrases: [Int: String] = [
        200: "OK", 301: "Moved Permanently", 304: "Not Modified", 401: "Unauthorized", 403: "Forbidden",
        404: "Not Found", 410: "Gone", 422: "Unprocessable Entity", 429: "Too Many Requests",
        502: "Bad Gateway", 504: "Gateway Timeout",
    ]

    static func status(_ code: Int) -> HTTPStatusCode { HTTPStatusCode(code, phrase: phrases[code] ?? "Status") }

    private static func jsonHeaders() -> HTTPHeaders {
        var headers = HTTPHeaders()
        headers[.contentType] = "application/json; charset=utf-8"
        headers[HTTPHeader("X-GitHub-Media-Type")] = "github.v3; format=json"
        headers[HTTPHeader("Vary")] = "Accept, Authorization, Cookie, X-GitHub-OTP"
        return headers
    }

    static func json(_ body: Data, etag: String? = nil, link: String? = nil) -> HTTPResponse {
        var headers = jsonHeaders()
        headers[.cacheControl] = "private, max-age=60, s-maxage=60"
        if let etag { headers[.eTag] = etag }
        if let link { headers[HTTPHeader("Link")] = link }
        return HTTPResponse(statusCode: .ok, headers: headers, body: body)
    }

    static func notModified(etag: String) -> HTTPResponse {
        var headers = HTTPHeaders()
        headers[.eTag] = etag
        headers[.cacheControl] = "private, max-age=60, s-maxage=60"
        return HTTPResponse(statusCode: .notModified, headers: headers)
    }

    static func error(_ code: Int, _ message: String, documentation: String) -> HTTPResponse {
        HTTPResponse(
            statusCode: status(code), headers: jsonHeaders(),
            body: WireFormat.error(message, documentation: documentation, status: code)
        )
    }

    static func validationFailed(field: String) -> HTTPResponse {
        HTTPResponse(
            statusCode: status(422), headers: jsonHeaders(),
            body: WireFormat.error(
                "Validation Failed", documentation: "issues/issues#list-repository-issues", status: 422,
                errors: [["resource": "Issue", "field": field, "code": "invalid"]]
            )
        )
    }

    static func moved(to location: String) -> HTTPResponse {
        var headers = jsonHeaders()
        headers[.location] = location
        let body = "{\"message\":\"Moved Permanently\",\"url\":\"\(location)\",\"documentation_url\":\"https://docs.github.com/v3/#http-redirects\"}"
        return HTTPResponse(statusCode: status(301), headers: headers, body: Data(body.utf8))
    }

    /// GitHub's answer to a request without User-Agent: 403 with an HTML body, not JSON.
    static func missingUserAgent() -> HTTPResponse {
        var headers = HTTPHeaders()
        headers[.contentType] = "text/html"
        let body = "Request forbidden by administrative rules. Please make sure your request has a User-Agent header (https://docs.github.com/en/rest/overview/resources-in-the-rest-api#user-agent-required). Check https://developer.github.com for other possible causes.\n"
        return HTTPResponse(statusCode: status(403), headers: headers, body: Data(body.utf8))
    }

    static func rateLimitBody(limit: Int, remaining: Int, resetAt: Date) -> HTTPResponse {
        let reset = Int(resetAt.timeIntervalSince1970)
        func resource(_ limit: Int, _ remaining: Int) -> String {
            "{\"limit\":\(limit),\"used\":\(limit - remaining),\"remaining\":\(remaining),\"reset\":\(reset)}"
        }
        let core = resource(limit, remaining)
        let body = "{\"resources\":{\"core\":\(core),\"search\":\(resource(30, 30)),\"graphql\":\(resource(5000, 5000))},\"rate\":\(core)}"
        return HTTPResponse(statusCode: .ok, headers: jsonHeaders(), body: Data(body.utf8))
    }

    /// A weak ETag over the body and the caller's credentials (GitHub's ETags vary by token).
    static func etag(for body: Data, token: String) -> String {
        var hash: UInt64 = 0xCBF2_9CE4_8422_2325
        for byte in Data(token.utf8) + body {
            hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01B3
        }
        return "W/\"\(String(hash, radix: 16))\""
    }
}
