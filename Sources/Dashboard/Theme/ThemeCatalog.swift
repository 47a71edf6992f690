import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Where themes come from: the bundled `themes/` directory and the user's `$XDG_CONFIG_HOME/wsync/themes`
/// (a user theme with a bundled name replaces it). `--theme` takes a name from these or a file path.
public struct ThemeCatalog: Sendable {
    public var directories: [URL]

    public init(directories: [URL]) { self.directories = directories }

    /// The bundled directory found next to the executable (or up its parent directories: a source checkout
    /// keeps `themes/` at its root, an install puts it in `share/wsync/themes`), then the user's directory.
    public static func standard(environment: [String: String] = ProcessInfo.processInfo.environment) -> ThemeCatalog {
        var directories: [URL] = []
        if let bundled = bundledDirectory() { directories.append(bundled) }
        let config = environment["XDG_CONFIG_HOME"].flatMap { $0.isEmpty ? nil : URL(fileURLWithPath: $0) }
            ?? environment["HOME"].map { URL(fileURLWithPath: $0).appendingPathComponent(".config") }
        if let config { directories.append(config.appendingPathComponent("wsync/themes")) }
        return ThemeCatalog(directories: directories)
    }

    private static func bundledDirectory() -> URL? {
        var directory = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent()
        let fm = FileManager.default
        while directory.path != "/" {
            for candidate in ["themes", "share/wsync/themes"] {
                let url = directory.appendingPathComponent(candidate)
                if fm.fileExists(atPath: url.appendingPathComponent("default.theme").path) { return url }
            }
            directory.deleteLastPathComponent()
        }
        return nil
    }

    /// Theme names available, "default" first, then alphabetical.
    public var names: [String] {
        let fm = FileManager.default
        let all = Set(directories.flatMap { dir in
            ((try? fm.contentsOfDirectory(atPath: dir.path)) ?? [])
                .filter { $0.hasSuffix(".theme") }
                .map { String($0.dropLast(".theme".count)) }
        })
        return all.sorted { ($0 == "default" ? 0 : 1, $0) < ($1 == "default" ? 0 : 1, $1) }
    }

    /// A theme by name (last directory wins) or by path (anything containing "/" or ending in ".theme").
    public func load(_ nameOrPath: String) throws(ThemeError) -> Theme {
        let url: URL
        if nameOrPath.contains("/") || nameOrPath.hasSuffix(".theme") {
            url = URL(fileURLWithPath: nameOrPath)
        } else {
            guard let found = directories.reversed().map({ $0.appendingPathComponent("\(nameOrPath).theme") })
                .first(where: { FileManager.default.fileExists(atPath: $0.path) }) else {
                let known = names
                throw ThemeError(file: nameOrPath, line: nil, problem: "no such theme; available: \(known.isEmpty ? "none found" : known.joined(separator: ", "))")
            }
            url = found
        }
        let text = try Self.readThemeFile(url.path)
        return try ThemeParser.parse(text, name: url.deletingPathExtension().lastPathComponent, file: url.path)
    }

    /// A theme is a few lines of text: more than this is not one (and a path such as /dev/zero must not be read
    /// for ever).
    static let maximumFileSize = 64 * 1024

    /// The file's text: a regular file of at most `maximumFileSize` bytes of UTF-8 without NUL bytes.
    static func readThemeFile(_ path: String) throws(ThemeError) -> String {
        func fail(_ problem: String) -> ThemeError { ThemeError(file: path, line: nil, problem: problem) }
        var info = stat()
        guard stat(path, &info) == 0 else {
            throw fail("cannot be read (\(String(cString: strerror(errno)))); check the path, or pass a theme name")
        }
        guard (info.st_mode & S_IFMT) == S_IFREG else {
            throw fail("is not a regular file; pass a .theme file or a theme name")
        }
        guard info.st_size <= maximumFileSize else {
            throw fail("is larger than \(maximumFileSize / 1024) KiB, which no theme is; check the path")
        }
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw fail("cannot be opened for reading; check its permissions")
        }
        defer { try? handle.close() }
        let data = (try? handle.read(upToCount: maximumFileSize + 1)) ?? Data()
        guard data.count <= maximumFileSize else {
            throw fail("is larger than \(maximumFileSize / 1024) KiB, which no theme is; check the path")
        }
        guard !data.contains(0), let text = String(data: data, encoding: .utf8) else {
            throw fail("is not UTF-8 text; a theme is lines of `role = colour …`")
        }
        return text
    }

    /// The requested theme, or — with the reason to show the operator — the default, or attributes only.
    public func loadWithFallback(_ nameOrPath: String) -> (Theme, ThemeError?) {
        do {
            return (try load(nameOrPath), nil)
        } catch {
            if nameOrPath != "default", let fallback = try? load("default") { return (fallback, error) }
            return (.attributesOnly, error)
        }
    }
}
