import Foundation

/// RFC 8288 `Link` header parsing: `<url>; rel="next", <url>; rel="last"`; rel matched case-insensitively.
enum LinkHeader {
    /// The URL with relation `rel`, taken verbatim.
    static func url(rel wanted: String, in header: String?) -> URL? {
        guard let header else { return nil }
        var rest = Substring(header)
        while let open = rest.firstIndex(of: "<"), let close = rest[open...].firstIndex(of: ">") {
            let target = rest[rest.index(after: open)..<close]
            let paramsEnd = rest[close...].firstIndex(of: "<") ?? rest.endIndex
            let params = rest[rest.index(after: close)..<paramsEnd]
            for param in params.split(separator: ";") {
                let pair = param.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
                guard pair.count == 2, pair[0].lowercased() == "rel" else { continue }
                let values = pair[1].trimmingCharacters(in: CharacterSet(charactersIn: "\",")).lowercased().split(separator: " ")
                // A URI reference holds no space, control or non-ASCII character: such a target is not one (and is
                // never "repaired" into a URL the header did not say).
                if values.contains(Substring(wanted.lowercased())) {
                    guard !target.isEmpty, target.unicodeScalars.allSatisfy({ (0x21...0x7E).contains($0.value) && $0 != "<" }) else {
                        return nil
                    }
                    return URL(string: String(target), encodingInvalidCharacters: false)
                }
            }
            rest = rest[paramsEnd...]
        }
        return nil
    }
}
