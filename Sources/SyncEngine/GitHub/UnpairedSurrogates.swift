import Foundation

/// GitHub's JSON has carried unpaired UTF-16 surrogate escapes (`"\ud800"`, text cut in the middle of an emoji).
/// Foundation's decoder refuses the whole document for one of them, so a repository would never sync again; this
/// pass replaces each unpaired surrogate escape with `\ufffd` (U+FFFD, as a lenient decoder would) and leaves
/// everything else, pairs included, byte for byte as it was.
enum UnpairedSurrogates {
    /// The document with every unpaired surrogate escape inside a string replaced; the same bytes when there is none.
    static func repaired(_ data: Data) -> Data {
        guard mayContainSurrogateEscape(data) else { return data }
        let bytes = [UInt8](data)
        let count = bytes.count
        var out: [UInt8] = []
        out.reserveCapacity(count)
        let replacement = Array("\\ufffd".utf8)
        var index = 0
        var inString = false
        while index < count {
            let byte = bytes[index]
            guard inString else {
                if byte == UInt8(ascii: "\"") { inString = true }
                out.append(byte)
                index += 1
                continue
            }
            if byte == UInt8(ascii: "\"") {
                inString = false
                out.append(byte)
                index += 1
                continue
            }
            guard byte == UInt8(ascii: "\\") else {
                out.append(byte)
                index += 1
                continue
            }
            guard index + 1 < count else {
                out.append(byte)
                index += 1
                continue
            }
            guard bytes[index + 1] == UInt8(ascii: "u"), let unit = hex4(bytes, at: index + 2) else {
                // Any other escape: both bytes as they are (so an escaped quote or backslash never ends the scan).
                out.append(byte)
                out.append(bytes[index + 1])
                index += 2
                continue
            }
            switch unit {
            case 0xD800...0xDBFF:
                if index + 11 < count, bytes[index + 6] == UInt8(ascii: "\\"), bytes[index + 7] == UInt8(ascii: "u"),
                   let low = hex4(bytes, at: index + 8), (0xDC00...0xDFFF).contains(low) {
                    out.append(contentsOf: bytes[index..<(index + 12)])
                    index += 12
                } else {
                    out.append(contentsOf: replacement)
                    index += 6
                }
            case 0xDC00...0xDFFF:
                out.append(contentsOf: replacement)
                index += 6
            default:
                out.append(contentsOf: bytes[index..<(index + 6)])
                index += 6
            }
        }
        return Data(out)
    }

    /// A quick look for `\ud` / `\uD`: most pages have no surrogate escape at all and are passed on untouched.
    private static func mayContainSurrogateEscape(_ data: Data) -> Bool {
        var previous: (UInt8, UInt8) = (0, 0)
        for byte in data {
            if previous == (UInt8(ascii: "\\"), UInt8(ascii: "u")), byte == UInt8(ascii: "d") || byte == UInt8(ascii: "D") { return true }
            previous = (previous.1, byte)
        }
        return false
    }

    private static func hex4(_ bytes: [UInt8], at start: Int) -> UInt32? {
        guard start + 4 <= bytes.count else { return nil }
        var value: UInt32 = 0
        for byte in bytes[start..<(start + 4)] {
            let digit: UInt32
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = UInt32(byte - UInt8(ascii: "0"))
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = UInt32(byte - UInt8(ascii: "a") + 10)
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = UInt32(byte - UInt8(ascii: "A") + 10)
            default: return nil
            }
            value = value << 4 | digit
        }
        return value
    }
}
