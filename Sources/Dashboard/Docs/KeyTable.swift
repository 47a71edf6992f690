/// README's key table, generated from the binding tables (`wsync docs keys`; a test checks README embeds it), so the
/// README, the help view and the footer cannot disagree.
public enum KeyTable {
    public static func markdown() -> String {
        var out = "| key | does | where | asks first |\n|---|---|---|---|\n"
        for binding in KeyBinding.everything {
            let keys = ([binding.keys] + (binding.also.map { [$0] } ?? [])).map(code).joined(separator: ", ")
            let cells = [keys, binding.help, binding.whereText, binding.asks.note ?? ""].map(escape)
            out += "| " + cells.joined(separator: " | ") + " |\n"
        }
        return out
    }

    /// "`j` / `k`" for "j/k"; "`Tab` / `1-5`"; "`+` / `-`".
    private static func code(_ keys: String) -> String {
        let parts = keys == "+/-" ? ["+", "-"] : keys == "/" ? ["/"] : keys.split(separator: "/").map(String.init)
        return parts.map { "`\($0)`" }.joined(separator: " / ")
    }

    private static func escape(_ text: String) -> String {
        text.replacingOccurrences(of: "|", with: "\\|")
    }
}
