import Foundation

/// README.md as the documentation tests read it: the text, a section between markers, the fenced blocks in order.
enum Readme {
    /// The checkout's root: this file is Tests/EndToEndTests/Docs/Readme.swift.
    static let root = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    static func text() throws -> String {
        try String(contentsOf: root.appendingPathComponent("README.md"), encoding: .utf8)
    }

    /// The text strictly between the first `begin` and the next `end`, or nil when either is missing.
    static func section(between begin: String, and end: String) throws -> String? {
        let text = try text()
        guard let start = text.range(of: begin), let stop = text.range(of: end, range: start.upperBound..<text.endIndex) else {
            return nil
        }
        return String(text[start.upperBound..<stop.lowerBound])
    }

    struct Line: Sendable, CustomStringConvertible {
        let number: Int
        let text: String
        var description: String { "README.md:\(number): \(text)" }
    }

    struct Block: Sendable {
        /// The fence's info string: `sh`, `cron`, `ini`, `text`…
        let language: String
        let lines: [Line]
    }

    /// Every fenced block, in order.
    static func blocks() throws -> [Block] {
        var blocks: [Block] = []
        var open: (language: String, lines: [Line])?
        for (index, line) in try text().components(separatedBy: "\n").enumerated() {
            if line.hasPrefix("```") {
                if let current = open {
                    blocks.append(Block(language: current.language, lines: current.lines))
                    open = nil
                } else {
                    open = (line.dropFirst(3).trimmingCharacters(in: .whitespaces), [])
                }
            } else if open != nil {
                open?.lines.append(Line(number: index + 1, text: line))
            }
        }
        return blocks
    }
}
