/// The line-drawing characters: Unicode box drawing, or plain ASCII for `--ascii` and dumb terminals.
public struct Glyphs: Sendable, Equatable {
    public let horizontal, vertical, topLeft, topRight, bottomLeft, bottomRight: Character
    public let gaugeFull, gaugeEmpty, ellipsis, selectionMarker: Character
    public let sparks: [Character]
    /// History sparklines in Braille, two values a column (as btop draws graphs); without, one `sparks` level a column.
    public let braille: Bool

    public static let unicode = Glyphs(
        horizontal: "─", vertical: "│", topLeft: "┌", topRight: "┐", bottomLeft: "└", bottomRight: "┘",
        gaugeFull: "█", gaugeEmpty: "░", ellipsis: "…", selectionMarker: "▶",
        sparks: ["▁", "▂", "▃", "▄", "▅", "▆", "▇", "█"], braille: true)

    public static let ascii = Glyphs(
        horizontal: "-", vertical: "|", topLeft: "+", topRight: "+", bottomLeft: "+", bottomRight: "+",
        gaugeFull: "#", gaugeEmpty: ".", ellipsis: "~", selectionMarker: ">",
        sparks: ["_", ".", "-", "=", "+", "*", "#", "@"], braille: false)
}
