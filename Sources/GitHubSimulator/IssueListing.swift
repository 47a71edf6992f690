import Foundation

/// The query of `GET …/issues`, validated as GitHub does (bad values → 422, per_page silently capped at 100).
struct IssueListQuery {
    var state = "open"
    var sort = "created"
    var direction = "desc"
    var since: Date?
    var perPage = 30
    var page = 1

    /// The parameter that failed validation, if any.
    struct Invalid: Error { let field: String }

    init(_ items: [(name: String, value: String)]) throws {
        for (name, value) in items {
            switch name {
            case "state":
                guard ["open", "closed", "all"].contains(value) else { throw Invalid(field: name) }
                state = value
            case "sort":
                guard ["created", "updated", "comments"].contains(value) else { throw Invalid(field: name) }
                sort = value
            case "direction":
                guard ["asc", "desc"].contains(value) else { throw Invalid(field: name) }
                direction = value
            case "since":
                guard let date = try? Date(value, strategy: .iso8601) else { throw Invalid(field: name) }
                since = date
            case "per_page":
                guard let number = Int(value), number > 0 else { throw Invalid(field: name) }
                perPage = min(number, 100)
            case "page":
                guard let number = Int(value), number > 0 else { throw Invalid(field: name) }
                page = number
            default:
                continue
            }
        }
    }

    /// Filters and orders the items; ties broken by number so pages are stable. `sinceIsExclusive`: "updated after".
    func select(_ items: [SimulatedIssue], sinceIsExclusive: Bool = false) -> [SimulatedIssue] {
        let filtered = items.filter { item in
            (state == "all" || item.state.rawValue == state)
                && (since.map { sinceIsExclusive ? item.updatedAt > $0 : item.updatedAt >= $0 } ?? true)
        }
        let ascending = direction == "asc"
        return filtered.sorted { a, b in
            let (ka, kb): (Double, Double)
            switch sort {
            case "updated": (ka, kb) = (a.updatedAt.timeIntervalSince1970, b.updatedAt.timeIntervalSince1970)
            case "comments": (ka, kb) = (Double(a.comments), Double(b.comments))
            default: (ka, kb) = (a.createdAt.timeIntervalSince1970, b.createdAt.timeIntervalSince1970)
            }
            if ka != kb { return ascending ? ka < kb : ka > kb }
            return ascending ? a.number < b.number : a.number > b.number
        }
    }

    func pageSlice(_ selected: [SimulatedIssue]) -> ArraySlice<SimulatedIssue> {
        let start = min((page - 1) * perPage, selected.count)
        return selected[start..<min(start + perPage, selected.count)]
    }

    func lastPage(total: Int) -> Int { max(1, (total + perPage - 1) / perPage) }
}

/// Builds GitHub's `Link` header: absolute, numeric-id URLs keeping every query parameter; none when one page holds all.
enum LinkHeader {
    static func value(
        baseURL: String, repositoryID: Int64, query: [(name: String, value: String)], page: Int, lastPage: Int
    ) -> String? {
        guard lastPage > 1 || page > 1 else { return nil }
        func url(_ target: Int) -> String {
            var components = URLComponents(string: "\(baseURL)/repositories/\(repositoryID)/issues")!
            var items = query.filter { $0.name != "page" }.map { URLQueryItem(name: $0.name, value: $0.value) }
            items.append(URLQueryItem(name: "page", value: String(target)))
            components.queryItems = items
            // `+` in an ISO date offset and `:` stay intact; only what must be encoded is.
            return components.url!.absoluteString
        }
        var links: [String] = []
        if page > 1 {
            links.append("<\(url(page - 1))>; rel=\"prev\"")
        }
        if page < lastPage {
            links.append("<\(url(page + 1))>; rel=\"next\"")
            links.append("<\(url(lastPage))>; rel=\"last\"")
        }
        if page > 1 {
            links.append("<\(url(1))>; rel=\"first\"")
        }
        return links.isEmpty ? nil : links.joined(separator: ", ")
    }
}
