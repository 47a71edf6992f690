import Dashboard
import Foundation
import Testing

/// Help, the footer and README's key table read the one binding table; help lists every key grouped by pane, says
/// which ask first, explains the columns and the colours, and scrolls with PgUp/PgDn/Home/End.
@Suite struct HelpAndKeysTests {
    /// Help's text at a width where nothing is cut, scrolled through in full.
    func helpText(focus: Pane = .failed, readOnly: Bool = false) -> String {
        let size = Size(width: 200, height: 60)
        var state = Fixture.run(Fixture.state(focus: focus, readOnly: readOnly), [.resized(size)] + Fixture.keys("?")).0
        var seen: [String] = []
        for _ in 0..<10 {
            seen.append(render(state, size: size).text)
            state = Fixture.run(state, [.key(.pageDown)]).0
        }
        return seen.joined(separator: "\n")
    }

    @Test func helpListsEveryKeyOfEveryTableWithWhatAsksFirst() {
        let help = helpText()
        for binding in KeyBinding.everything {
            #expect(help.contains(binding.allKeys), "help lacks \(binding.allKeys)")
            #expect(help.contains(String(binding.help.prefix(40))), "help lacks \(binding.help)")
        }
        for heading in ["Everywhere", "Failed syncs, Stuck repos", "Sync status, Failed syncs", "Rate limit, Tier usage (focus one of them first)",
                        "In views (help, detail, audit log, workers)", "In dialogs", "Columns", "Colours"] {
            #expect(help.contains(heading), "help lacks the section \(heading)")
        }
        #expect(help.contains("asks first") && help.contains("type STOP to confirm") && help.contains("asks first for a group"))
        for column in ["att       attempts", "use       repos as a share", "api/mo    estimated GitHub API calls a month", "fresh     share of active rows"] {
            #expect(help.contains(column), "help does not explain \(column)")
        }
        #expect(help.contains("PgUp/PgDn") && help.contains("Home/End"))
    }

    /// Every key a binding dispatches is named in the text help and README show, so no key works unlisted.
    @Test func everyBoundKeyIsNamedWhereHelpAndReadmeShowIt() {
        for binding in KeyBinding.everything {
            for key in binding.actions.keys {
                let name = KeyBinding.name(of: key)
                let digit = name.count == 1 && name.first!.isNumber && binding.keys.contains("1-5")
                let named = binding.allKeys == name
                    || binding.allKeys.split(whereSeparator: { $0 == " " || $0 == "/" }).contains { $0 == name }
                #expect(digit || named,
                        "\(name) of \(binding.keys) is bound but not named")
            }
        }
        let table = KeyTable.markdown()
        for binding in KeyBinding.everything {
            #expect(table.contains(binding.help), "README's table lacks \(binding.keys)")
        }
    }

    @Test func theFooterShowsTheTablesLabelsAsTheyReadNow() {
        let footer = { (state: DashboardState) in render(state, size: Size(width: 200, height: 40)).text.components(separatedBy: "\n").last ?? "" }
        let tiers = Fixture.state(focus: .tiers)
        for binding in KeyBinding.available(in: .tiers, readOnly: false).filter(\.inFooter) {
            #expect(footer(tiers).contains("\(binding.keys) \(binding.label)"), "the footer lacks \(binding.keys)")
        }
        #expect(footer(Fixture.run(tiers, Fixture.keys(" ")).0).contains("Space resume polling"))
        #expect(!footer(Fixture.state(focus: .failed, readOnly: true)).contains("r reset"))
    }

    @Test func helpDimsWhatAReadOnlySessionCannotDo() {
        #expect(helpText(readOnly: true).contains("read-only session: the dimmed keys are disabled"))
    }

    @Test func viewsScrollByPageAndJumpToTheirEnds() {
        let size = Size(width: 80, height: 24)
        let open = Fixture.run(Fixture.state(focus: .failed), [.resized(size)] + Fixture.keys("?")).0
        let end = Fixture.run(open, [.key(.end)]).0
        guard case .help(let bottom) = end.overlay else { Issue.record("help closed"); return }
        #expect(bottom > 0)
        #expect(Fixture.run(end, [.key(.down)]).0.overlay == .help(scroll: bottom), "End is the last line")
        #expect(Fixture.run(end, Fixture.keys("k")).0.overlay == .help(scroll: bottom - 1), "up from the end moves at once")
        #expect(Fixture.run(end, [.key(.home)]).0.overlay == .help(scroll: 0))
        let page = Fixture.run(open, [.key(.pageDown)]).0
        #expect(page.overlay == .help(scroll: min(bottom, 24 - 3 - 2)), "a page is the view's height")
        #expect(Fixture.run(page, [.key(.pageUp)]).0.overlay == .help(scroll: 0))
        // Lists page by the rows that fit too.
        let list = Fixture.run(Fixture.state(focus: .failed), [.resized(size), .snapshot(ScreenRulesTests.manyFailed(30))]).0
        let shown = render(list, size: size).text.components(separatedBy: "\n").filter { $0.contains("acme/repo-") }.count
        let paged = Fixture.run(list, [.key(.pageDown)]).0
        #expect(shown > 1 && paged.selectedItem(in: .failed)?.rows.first?.repository == "acme/repo-\(shown)",
                "\(shown) rows shown; selected \(String(describing: paged.selectedItem(in: .failed)))")
    }
}
