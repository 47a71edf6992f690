import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// A plain HTTP answer, with redirects NOT followed so tests can see 301s.
struct Answer {
    let status: Int
    let headers: [String: String]
    let body: Data

    func header(_ name: String) -> String? {
        headers.first { $0.key.caseInsensitiveCompare(name) == .orderedSame }?.value
    }

    var json: Any? { try? JSONSerialization.jsonObject(with: body) }
    var items: [[String: Any]] { (json as? [[String: Any]]) ?? [] }

    /// The `rel="next"` URL of the Link header.
    var next: URL? {
        guard let link = header("Link") else { return nil }
        for part in link.split(separator: ",") where part.contains("rel=\"next\"") {
            let url = part.split(separator: ";")[0].trimmingCharacters(in: .whitespaces).dropFirst().dropLast()
            return URL(string: String(url))
        }
        return nil
    }
}

private final class NoRedirects: NSObject, URLSessionTaskDelegate {
    func urlSession(
        _ session: URLSession, task: URLSessionTask, willPerformHTTPRedirection response: HTTPURLResponse,
        newRequest request: URLRequest, completionHandler: @escaping @Sendable (URLRequest?) -> Void
    ) {
        completionHandler(nil)
    }
}

private let session: URLSession = {
    let configuration = URLSessionConfiguration.ephemeral
    configuration.urlCache = nil
    configuration.requestCachePolicy = .reloadIgnoringLocalCacheData
    return URLSession(configuration: configuration, delegate: NoRedirects(), delegateQueue: nil)
}()

func get(
    _ url: URL, headers: [String: String] = ["User-Agent": "wsync-tests"], timeout: TimeInterval = 90
) async throws -> Answer {
    var request = URLRequest(url: url)
    request.timeoutInterval = timeout
    for (name, value) in headers { request.setValue(value, forHTTPHeaderField: name) }
    let (body, response) = try await session.data(for: request)
    let http = response as! HTTPURLResponse
    var fields: [String: String] = [:]
    for (key, value) in http.allHeaderFields { fields["\(key)"] = "\(value)" }
    return Answer(status: http.statusCode, headers: fields, body: body)
}

func issuesURL(_ base: URL, _ fullName: String, _ query: String = "state=all&per_page=100") -> URL {
    URL(string: "\(base.absoluteString)/repos/\(fullName)/issues?\(query)")!
}
