/// A SQL statement whose interpolated values become bound parameters.
///
/// `"SELECT * FROM t WHERE id = \(id)"` produces the text `SELECT * FROM t WHERE id = $1` with `id` bound as `$1`.
/// There is deliberately no way to splice a value into the text: only string literals written in code become SQL.
/// Fragments compose: interpolating another `SQL` appends its text with its parameters renumbered.
public struct SQL: Sendable, ExpressibleByStringInterpolation, CustomStringConvertible {
    public private(set) var text: String
    public private(set) var binds: [String?]

    public init(stringLiteral value: StaticString) {
        text = value.description
        binds = []
    }

    public init(stringInterpolation: StringInterpolation) {
        text = stringInterpolation.text
        binds = stringInterpolation.binds
    }

    /// The statement's text, never its values: safe to log.
    public var description: String { text }

    public struct StringInterpolation: StringInterpolationProtocol {
        var text = ""
        var binds: [String?] = []

        public init(literalCapacity: Int, interpolationCount: Int) {
            text.reserveCapacity(literalCapacity + interpolationCount * 3)
        }

        public mutating func appendLiteral(_ literal: StaticString) {
            text += literal.description
        }

        public mutating func appendInterpolation(_ value: some PostgresEncodable) {
            binds.append(value.postgresText)
            text += "$\(binds.count)"
        }

        /// Optional values bind as NULL when nil (an explicit overload, so the compiler does not mistake them for
        /// debug descriptions).
        public mutating func appendInterpolation<Value: PostgresEncodable>(_ value: Value?) {
            binds.append(value.postgresText)
            text += "$\(binds.count)"
        }

        /// Appends a validated identifier (wsync's own names: databases it creates, channels), double-quoted.
        public mutating func appendInterpolation(identifier: SQLIdentifier) {
            text += "\"\(identifier.name)\""
        }

        /// Appends a fragment, renumbering its `$n` placeholders after the parameters already bound.
        public mutating func appendInterpolation(_ fragment: SQL) {
            text += fragment.renumbered(offset: binds.count)
            binds += fragment.binds
        }
    }

    /// Joins fragments with a separator, renumbering parameters.
    public static func joined(_ fragments: [SQL], separator: StaticString) -> SQL {
        var result = SQL(stringLiteral: "")
        for (index, fragment) in fragments.enumerated() {
            if index > 0 { result.text += separator.description }
            result.text += fragment.renumbered(offset: result.binds.count)
            result.binds += fragment.binds
        }
        return result
    }

    private func renumbered(offset: Int) -> String {
        guard offset > 0, !binds.isEmpty else { return text }
        var out = ""
        out.reserveCapacity(text.count + 8)
        var iterator = text.makeIterator()
        var pending: Character? = iterator.next()
        while let character = pending {
            pending = iterator.next()
            guard character == "$", let first = pending, first.isASCII, first.isNumber else {
                out.append(character)
                continue
            }
            var digits = ""
            while let digit = pending, digit.isASCII, digit.isNumber {
                digits.append(digit)
                pending = iterator.next()
            }
            out += "$\(Int(digits)! + offset)"
        }
        return out
    }
}

/// A name wsync generates for an object that cannot be a bound parameter (a database, a LISTEN channel).
/// Only lower-case ASCII letters, digits and `_` are allowed, so quoting can never be escaped.
public struct SQLIdentifier: Sendable, Hashable {
    public let name: String

    public init(_ name: String) {
        precondition(Self.isValid(name), "not a plain identifier: \(name)")
        self.name = name
    }

    public static func isValid(_ name: String) -> Bool {
        guard let first = name.first, first.isASCII, first.isLowercase || first == "_", name.utf8.count <= 63 else { return false }
        return name.allSatisfy { $0.isASCII && ($0.isLowercase || $0.isNumber || $0 == "_") }
    }
}
