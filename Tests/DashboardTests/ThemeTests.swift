import Dashboard
import Foundation
import Testing

@Suite struct ThemeTests {
    static let bundled = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("themes")

    @Test func bundledThemesAllParse() throws {
        let catalog = ThemeCatalog(directories: [Self.bundled])
        #expect(catalog.names == ["default", "colorblind", "high-contrast", "light", "monochrome"])
        for name in catalog.names {
            let theme = try catalog.load(name)
            #expect(Set(theme.styles.keys) == Set(StyleRole.allCases), "\(name) sets every role")
        }
    }

    @Test func formatReadsColoursAndAttributes() throws {
        let theme = try ThemeParser.parse("""
            # comment
            normal = 252 on default   # trailing comment
            error  = bright-red on #000000 bold underline
            ok     = #00ff00
            """, name: "t", file: "t.theme")
        #expect(theme.style(for: .error) == Style(foreground: .indexed(9), background: .indexed(16), bold: true, underline: true))
        #expect(theme.style(for: .ok).foreground == .indexed(46))
        #expect(theme.style(for: .warn) == theme.style(for: .normal))
    }

    @Test func malformedThemeNamesFileAndLine() {
        let cases: [(String, String)] = [
            ("normal = 252\nok = grene", "theme x.theme line 2: unknown colour \"grene\""),
            ("normal = 252\nokay = red", "theme x.theme line 2: unknown role \"okay\""),
            ("normal = 999", "theme x.theme line 1: unknown colour \"999\""),
            ("normal 252", "theme x.theme line 1: expected `role = colour …`"),
            ("normal = red blink", "theme x.theme line 1: unknown word \"blink\""),
            ("ok = red", "theme x.theme: no `normal = …` line"),
        ]
        for (text, expected) in cases {
            #expect(throws: ThemeError.self) { try ThemeParser.parse(text, name: "x", file: "x.theme") }
            do { _ = try ThemeParser.parse(text, name: "x", file: "x.theme") } catch {
                #expect(error.description.hasPrefix(expected), "\(error.description)")
            }
        }
    }

    @Test func userThemesOverrideAndBrokenOnesFallBackToDefault() throws {
        let home = FileManager.default.temporaryDirectory.appendingPathComponent("wsync-themes-\(UUID().uuidString)")
        let user = home.appendingPathComponent("wsync/themes")
        try FileManager.default.createDirectory(at: user, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: home) }
        try "normal = red\n".write(to: user.appendingPathComponent("light.theme"), atomically: true, encoding: .utf8)
        try "normal = red\nerror = ???\n".write(to: user.appendingPathComponent("broken.theme"), atomically: true, encoding: .utf8)
        var catalog = ThemeCatalog.standard(environment: ["XDG_CONFIG_HOME": home.path])
        catalog.directories.insert(Self.bundled, at: 0)
        #expect(try catalog.load("light").style(for: .normal).foreground == .indexed(1))
        let (theme, error) = catalog.loadWithFallback("broken")
        #expect(theme.name == "default")
        #expect(error?.description == "theme \(user.path)/broken.theme line 2: unknown colour \"???\"; use default, a name like green or bright-red, a number 0-255, or #rrggbb")
        let (missing, missingError) = catalog.loadWithFallback("nope")
        #expect(missing.name == "default")
        #expect(missingError?.description.contains("no such theme; available: default, broken, colorblind") == true)
        #expect(try catalog.load(user.appendingPathComponent("light.theme").path).name == "light")
    }

    @Test func eightColourMappingKeepsHues() {
        #expect(ThemeColor.indexed(203).eightColor == .indexed(1))   // salmon red → red
        #expect(ThemeColor.indexed(208).eightColor == .indexed(3))   // dark orange → yellow
        #expect(ThemeColor.indexed(114).eightColor == .indexed(2))   // soft green → green
        #expect(ThemeColor.indexed(214).eightColor == .indexed(3))   // orange → yellow
        #expect(ThemeColor.indexed(25).eightColor == .indexed(4))    // blue → blue
        #expect(ThemeColor.indexed(12).eightColor == .indexed(4))    // bright blue → blue
        #expect(ThemeColor.indexed(252).eightColor == .indexed(7))   // light grey → white
        #expect(ThemeColor.indexed(236).eightColor == .indexed(0))   // dark grey → black
        #expect(ThemeColor.terminalDefault.eightColor == .terminalDefault)
    }
}
