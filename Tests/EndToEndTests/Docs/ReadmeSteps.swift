import Foundation

/// What README tells a reader to type, in order, from its `sh`, `cron` and `ini` (systemd) blocks. Every line is
/// classified; a line the test does not know how to honour is an error, never silently skipped.
enum ReadmeStep: Sendable, CustomStringConvertible {
    /// `wsync …` (also `/usr/local/bin/wsync …`, `swift run wsync …`), with stdout redirected to a file when `> file`.
    case wsync(arguments: [String], redirect: String?, line: Readme.Line)
    /// `export NAME=…` or a crontab `NAME=…` line: the test sets NAME to its own database or simulator.
    case environment(name: String, line: Readme.Line)
    /// Setup the test environment already provides (building, installing), with the reason.
    case provided(reason: String, line: Readme.Line)
    /// `swift test …`: the command CI must run.
    case testCommand(Readme.Line)
    /// `man FILE`: reads a page an earlier command wrote.
    case manual(file: String, line: Readme.Line)

    var line: Readme.Line {
        switch self {
        case .wsync(_, _, let line), .environment(_, let line), .provided(_, let line), .manual(_, let line): line
        case .testCommand(let line): line
        }
    }

    var description: String { line.description }

    /// Lines that set up what the test already has.
    static let provided: [(prefix: String, reason: String)] = [
        ("swift build", "the test runs the binary `swift build --build-tests` built"),
        ("install ", "installing into /usr/local is replaced by running the built binary, which finds the checkout's themes"),
    ]

    struct Unrecognized: Error, CustomStringConvertible {
        let line: Readme.Line
        let reason: String
        var description: String { "\(line): \(reason)" }
    }

    static func parse(_ blocks: [Readme.Block]) throws -> [ReadmeStep] {
        var steps: [ReadmeStep] = []
        for block in blocks {
            for line in block.lines {
                let text = line.text.trimmingCharacters(in: .whitespaces)
                if text.isEmpty || text.hasPrefix("#") { continue }
                switch block.language {
                case "sh": steps.append(try shell(text, line))
                case "cron": steps.append(try cron(text, line))
                case "ini":
                    if text.hasPrefix("ExecStart=") { steps.append(try command(String(text.dropFirst("ExecStart=".count)), line)) }
                case "text": continue
                default:
                    if text.contains("wsync") {
                        throw Unrecognized(line: line, reason: "a ```\(block.language) block; commands belong in ```sh, ```cron or ```ini blocks")
                    }
                }
            }
        }
        return steps
    }

    private static func shell(_ text: String, _ line: Readme.Line) throws -> ReadmeStep {
        if text.hasPrefix("export ") { return try assignment(String(text.dropFirst("export ".count)), line) }
        if let setup = provided.first(where: { text.hasPrefix($0.prefix) }) { return .provided(reason: setup.reason, line: line) }
        if text.hasPrefix("swift test") { return .testCommand(line) }
        let words = try ShellWords.split(text, line)
        if words.first == "man", words.count == 2 { return .manual(file: words[1], line: line) }
        return try command(text, line)
    }

    /// A crontab line: `NAME=value`, or five schedule fields and a command.
    private static func cron(_ text: String, _ line: Readme.Line) throws -> ReadmeStep {
        if text.range(of: #"^[A-Z_][A-Z0-9_]*="#, options: .regularExpression) != nil { return try assignment(text, line) }
        let fields = text.split(separator: " ", maxSplits: 5, omittingEmptySubsequences: true)
        guard fields.count == 6 else { throw Unrecognized(line: line, reason: "not a crontab entry") }
        return try command(String(fields[5]), line)
    }

    private static func assignment(_ text: String, _ line: Readme.Line) throws -> ReadmeStep {
        guard let name = try ShellWords.split(text, line).first?.split(separator: "=").first.map(String.init) else {
            throw Unrecognized(line: line, reason: "not NAME=value")
        }
        return .environment(name: name, line: line)
    }

    private static func command(_ text: String, _ line: Readme.Line) throws -> ReadmeStep {
        var words = try ShellWords.split(text, line)
        if words.starts(with: ["swift", "run", "wsync"]) {
            words.removeFirst(3)
        } else if let first = words.first, first == "wsync" || first.hasSuffix("/wsync") {
            words.removeFirst()
        } else {
            throw Unrecognized(line: line, reason: "neither a wsync command nor a setup line the test knows")
        }
        var redirect: String?
        if let arrow = words.firstIndex(of: ">") {
            guard arrow + 2 == words.count else { throw Unrecognized(line: line, reason: "`>` must be followed by one file") }
            redirect = words[arrow + 1]
            words.removeLast(2)
        }
        return .wsync(arguments: words, redirect: redirect, line: line)
    }
}

/// Splits a line into words as sh does for the plain lines README uses: quotes, backslashes, `>` and a trailing
/// comment. Expansions, pipes and globs are refused, so the test never guesses what a shell would have done.
enum ShellWords {
    static func split(_ text: String, _ line: Readme.Line) throws -> [String] {
        var words: [String] = []
        var word: String?
        var quote: Character?
        var characters = Array(text)[...]
        while let c = characters.popFirst() {
            if let q = quote {
                if c == q {
                    quote = nil
                } else if q == "\"", c == "\\", let next = characters.first, "\"\\$`".contains(next) {
                    word!.append(characters.removeFirst())
                } else if q == "\"", "$`".contains(c) {
                    throw ReadmeStep.Unrecognized(line: line, reason: "expansion inside double quotes")
                } else {
                    word!.append(c)
                }
            } else if c == " " || c == "\t" {
                if let finished = word { words.append(finished) }
                word = nil
            } else if c == "#", word == nil {
                break
            } else if c == "'" || c == "\"" {
                quote = c
                word = word ?? ""
            } else if c == "\\", let next = characters.popFirst() {
                word = (word ?? "") + String(next)
            } else if c == ">", word == nil {
                words.append(">")
            } else if "$`|;&<*?(){}".contains(c) {
                throw ReadmeStep.Unrecognized(line: line, reason: "`\(c)` needs a shell; README commands must be plain")
            } else {
                word = (word ?? "") + String(c)
            }
        }
        guard quote == nil else { throw ReadmeStep.Unrecognized(line: line, reason: "unterminated quote") }
        if let finished = word { words.append(finished) }
        return words
    }
}
