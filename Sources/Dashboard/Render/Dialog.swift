import SyncEngine
/// How a dialog is answered: a prompt of keys, or a word to type (its instruction and the input so far).
enum DialogAnswer {
    case prompt([(key: String, label: String)])
    case typed(instruction: String, input: String)
}

/// A dialog's lines fitted to a height: the title and the way to answer always fit; the rest is cut in
/// `DialogText`'s order, and what was cut is said on the screen.
struct DialogLayout {
    var title: [String]
    var content: [(String, StyleRole)]
    var answer: [String]

    /// A line saying how much was cut, when something other than targets was.
    static func cutNote(_ lines: Int) -> String {
        "… \(lines) more \(lines == 1 ? "line" : "lines") on a larger screen"
    }

    init(_ text: DialogText, answer: DialogAnswer, width: Int, height: Int, ellipsis: Character) {
        // Dialogs name rows and quote reasons: escaped like every cell (SafeText leaves escaped text as it is).
        func wrap(_ lines: [String]) -> [String] { lines.flatMap { Format.wrap(SafeText.line($0), width: width) } }
        switch answer {
        case .prompt: self.answer = []
        case .typed(let instruction, _): self.answer = wrap([instruction])
        }
        // The answer line itself (the prompt or the input) is one more.
        let answerHeight = self.answer.count + 1
        var title = wrap([text.title])
        let roomForTitle = max(1, height - answerHeight)
        if title.count > roomForTitle {
            title = Array(title.prefix(roomForTitle))
            title[title.count - 1] = DisplayWidth.truncate(title[title.count - 1] + " …", to: width, ellipsis: ellipsis)
        }
        self.title = title
        let room = max(0, height - answerHeight - title.count)

        let details = wrap(text.details), facts = wrap(text.facts), warnings = wrap(text.warnings), notes = wrap(text.notes)
        // Targets stay one line each, cut with an ellipsis: a list reads better than a wrapped one.
        let targets = text.targets.map { DisplayWidth.truncate($0, to: width, ellipsis: ellipsis) }
        let hasTargets = text.targetTotal > 0

        func assemble(blanks: Bool, details showDetails: Bool, notes showNotes: Bool, targetsShown: Int,
                      factsShown: Int, cut: Int) -> [(String, StyleRole)] {
            var lines: [(String, StyleRole)] = []
            lines += facts.prefix(factsShown).map { ($0, .dialog) }
            lines += warnings.prefix(max(0, factsShown - facts.count)).map { ($0, .warn) }
            if showDetails { lines += details.map { ($0, .dim) } }
            if hasTargets {
                if blanks, !lines.isEmpty { lines.append(("", .dialog)) }
                lines += targets.prefix(targetsShown).map { ($0, .dialog) }
                let listed = min(targetsShown, targets.count)
                if text.targetTotal > listed { lines.append(("… and \(text.targetTotal - listed) more", .dim)) }
            }
            if showNotes, !notes.isEmpty {
                if blanks { lines.append(("", .dialog)) }
                lines += notes.map { ($0, .dim) }
            }
            if cut > 0 { lines.append((Self.cutNote(cut), .dim)) }
            return lines
        }

        let allFacts = facts.count + warnings.count
        // From everything down to the least that still says what it cut.
        var candidates: [[(String, StyleRole)]] = [
            assemble(blanks: true, details: true, notes: true, targetsShown: targets.count, factsShown: allFacts, cut: 0),
            assemble(blanks: false, details: true, notes: true, targetsShown: targets.count, factsShown: allFacts, cut: 0),
        ]
        let notesCut = notes.count, detailsCut = details.count
        candidates.append(assemble(blanks: false, details: true, notes: false, targetsShown: targets.count, factsShown: allFacts, cut: notesCut))
        candidates.append(assemble(blanks: false, details: false, notes: false, targetsShown: targets.count, factsShown: allFacts,
                                   cut: notesCut + detailsCut))
        for shown in stride(from: targets.count - 1, through: 0, by: -1) {
            candidates.append(assemble(blanks: false, details: false, notes: false, targetsShown: shown, factsShown: allFacts,
                                       cut: notesCut + detailsCut))
        }
        for shown in stride(from: allFacts - 1, through: 0, by: -1) {
            candidates.append(assemble(blanks: false, details: false, notes: false, targetsShown: 0, factsShown: shown,
                                       cut: notesCut + detailsCut + allFacts - shown))
        }
        // Candidates keep the cut-notice (the least is one line); never leave the notice out to gain a line.
        content = candidates.first { $0.count <= room } ?? candidates.last.map { Array($0.suffix(room)) } ?? []
    }
}

extension Canvas {
    /// A centred dialog: as wide as the screen allows (72 columns at most), as tall as its content, never taller than
    /// the space it has, where it says what it had to leave out.
    mutating func drawDialog(_ dialogText: DialogText, answer: DialogAnswer, body: Rect) {
        // Narrow screens give the dialog every column and no padding.
        let narrow = body.width < 50
        let width = narrow ? body.width : min(body.width - 2, 72)
        let padding = narrow ? 0 : 1
        let inner = width - 2 - 2 * padding
        guard inner > 0, body.height >= 3 else { return }
        let fitted = DialogLayout(dialogText, answer: answer, width: inner, height: body.height - 2, ellipsis: glyphs.ellipsis)
        let height = min(body.height, fitted.title.count + fitted.content.count + fitted.answer.count + 3)
        let rect = Rect(x: body.x + (body.width - width) / 2, y: body.y + max(0, (body.height - height) / 2), width: width, height: height)
        grid.fill(rect, role: .dialog)
        let inside = box(rect, title: "", role: .borderFocused)
        grid.fill(inside, role: .dialog)
        let x = inside.x + padding
        var y = inside.y
        for line in fitted.title { text(line, x: x, y: y, width: inner, role: .title); y += 1 }
        for line in fitted.content { text(line.0, x: x, y: y, width: inner, role: line.1); y += 1 }
        for line in fitted.answer { text(line, x: x, y: y, width: inner, role: .dim); y += 1 }
        let last = inside.y + inside.height - 1
        switch answer {
        case .typed(_, let input):
            text("> ", x: x, y: last, width: inner, role: .dialog)
            text(SafeText.line(input) + "▏", x: x + 2, y: last, width: inner - 2, role: .input)
        case .prompt(let keys):
            var at = x
            for (key, label) in keys {
                at += grid.write(key, x: at, y: last, role: .footerKey, maxWidth: inside.x + inside.width - at)
                at += grid.write(" \(label)   ", x: at, y: last, role: .dialog, maxWidth: inside.x + inside.width - at)
            }
        }
    }
}
