/// A theme file that cannot be used, named by file and line so the fix is obvious.
public struct ThemeError: Error, CustomStringConvertible, Equatable {
    public var file: String
    public var line: Int?
    public var problem: String

    public var description: String {
        "theme \(file)\(line.map { " line \($0)" } ?? ""): \(problem)"
    }
}

/// Reads the theme format:
///
///     # comment
///     role = foreground [on background] [bold] [underline] [reverse] [dim]
///
/// Colours are `default`, the eight names (`red`…, with `bright-` variants), a number 0–255 of the
/// xterm palette, or `#rrggbb` (mapped to the nearest palette entry).
public enum ThemeParser {
    public static func parse(_ text: String, name: String, file: String) throws(ThemeError) -> Theme {
        var styles: [StyleRole: Style] = [:]
        for (index, rawLine) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let lineNumber = index + 1
            func fail(_ problem: String) -> ThemeError { ThemeError(file: file, line: lineNumber, problem: problem) }
            let content = stripComment(String(rawLine))
            guard !content.trimmingWhitespace.isEmpty else { continue }
            let parts = content.split(separator: "=", maxSplits: 1).map { String($0).trimmingWhitespace }
            guard parts.count == 2 else { throw fail("expected `role = colour …`, found \"\(quoted(content.trimmingWhitespace))\"") }
            guard let role = StyleRole(rawValue: parts[0]) else {
                throw fail("unknown role \"\(quoted(parts[0]))\"; roles are \(StyleRole.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            guard styles[role] == nil else { throw fail("role \"\(quoted(parts[0]))\" is set twice") }
            styles[role] = try parseStyle(parts[1], fail: fail)
        }
        guard styles[.normal] != nil else {
            throw ThemeError(file: file, line: nil, problem: "no `normal = …` line; every theme sets the normal style")
        }
        return Theme(name: name, styles: styles)
    }

    /// Drops a comment: from a word starting with '#' that is not a `#rrggbb` colour.
    private static func stripComment(_ line: String) -> String {
        var words: [Substring] = []
        for word in line.split(whereSeparator: { $0 == " " || $0 == "\t" }) {
            if word.hasPrefix("#"), !(word.count == 7 && word.dropFirst().allSatisfy(\.isHexDigit)) { break }
            words.append(word)
        }
        return words.joined(separator: " ")
    }

    private static func parseStyle(_ spec: String, fail: (String) -> ThemeError) throws(ThemeError) -> Style {
        var style = Style()
        var words = spec.split(whereSeparator: { $0 == " " || $0 == "\t" }).map { $0.lowercased() }
        guard let first = words.first else { throw fail("no colour given") }
        words.removeFirst()
        style.foreground = try color(first, fail: fail)
        while let word = words.first {
            words.removeFirst()
            switch word {
            case "on":
                guard let background = words.first else { throw fail("`on` needs a background colour after it") }
                words.removeFirst()
                style.background = try color(background, fail: fail)
            case "bold": style.bold = true
            case "underline": style.underline = true
            case "reverse": style.reverse = true
            case "dim": style.dim = true
            default: throw fail("unknown word \"\(quoted(word))\"; use `on COLOUR`, bold, underline, reverse or dim")
            }
        }
        return style
    }

    private static let names = ["black", "red", "green", "yellow", "blue", "magenta", "cyan", "white"]

    static func color(_ word: String, fail: (String) -> ThemeError) throws(ThemeError) -> ThemeColor {
        if word == "default" { return .terminalDefault }
        if let index = names.firstIndex(of: word) { return .indexed(index) }
        if word.hasPrefix("bright-"), let index = names.firstIndex(of: String(word.dropFirst(7))) { return .indexed(index + 8) }
        if let n = Int(word), (0...255).contains(n) { return .indexed(n) }
        if word.hasPrefix("#"), word.count == 7, let rgb = Int(word.dropFirst(), radix: 16) {
            return .indexed(nearestPaletteIndex(r: rgb >> 16 & 0xFF, g: rgb >> 8 & 0xFF, b: rgb & 0xFF))
        }
        throw fail("unknown colour \"\(quoted(word))\"; use default, a name like green or bright-red, a number 0-255, or #rrggbb")
    }

    /// Nearest entry of the xterm 6×6×6 cube or grey ramp.
    static func nearestPaletteIndex(r: Int, g: Int, b: Int) -> Int {
        let levels = [0, 95, 135, 175, 215, 255]
        func nearestLevel(_ v: Int) -> Int { levels.indices.min { abs(levels[$0] - v) < abs(levels[$1] - v) }! }
        let (cr, cg, cb) = (nearestLevel(r), nearestLevel(g), nearestLevel(b))
        let cubeDistance = sq(levels[cr] - r) + sq(levels[cg] - g) + sq(levels[cb] - b)
        let greyStep = max(0, min(23, ((r + g + b) / 3 - 8 + 5) / 10))
        let grey = 8 + greyStep * 10
        let greyDistance = sq(grey - r) + sq(grey - g) + sq(grey - b)
        return greyDistance < cubeDistance ? 232 + greyStep : 16 + 36 * cr + 6 * cg + cb
    }

    private static func sq(_ x: Int) -> Int { x * x }

    /// A piece of the file as a message quotes it: at most 40 characters (the face escapes what it shows).
    static func quoted(_ text: String) -> String {
        text.count > 40 ? String(text.prefix(40)) + "…" : text
    }
}

extension String {
    var trimmingWhitespace: String {
        var s = Substring(self)
        while let c = s.first, c.isWhitespace { s.removeFirst() }
        while let c = s.last, c.isWhitespace { s.removeLast() }
        return String(s)
    }
}
