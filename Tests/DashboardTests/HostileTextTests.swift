import Dashboard
import Foundation
import SyncEngine
import Testing

/// Hostile text from GitHub and the database on the dashboard's cell grid: nothing a terminal acts on reaches a
/// cell, nothing draws in no column (which would shift the rest of the row), and no pane's frame moves.
@Suite struct HostileTextTests {
    /// Each is put in every text field of the snapshot the panes show (names, errors, hosts, messages).
    static let hostile: [String] = [
        "\u{1B}[31mred\u{1B}[0m \u{1B}[2J\u{1B}[H",                       // CSI colour, clear screen, home
        "\u{1B}]0;pwned\u{07}\u{1B}]52;c;ZXZpbA==\u{07}",               // OSC title, OSC 52 clipboard
        "\u{9B}2J\u{9D}0;c1-osc\u{9C}\u{85}",                            // C1 controls
        "\u{202E}desrever\u{202C} \u{2067}isolate\u{2069} \u{200F}rlm",  // bidi overrides, isolates, marks
        "nul\u{0000}inside\u{FFFD}",                                     // U+0000 (and its stand-in)
        "שלום עולם مرحبا بالعالم",                                      // right-to-left scripts
        "e\u{301}\u{302}\u{303} Z\u{337}\u{334}\u{310}\u{335}\u{350}\u{35C}", // combining marks, zalgo
        "\u{301}\u{302}starts with marks",                               // marks with nothing to sit on
        "\u{200D}\u{00AD}\u{FE0F}\u{E0001}lone format",                  // lone ZWJ, soft hyphen, selector, tag
        "👩‍👩‍👧‍👦 🇺🇸 🏴󠁧󠁢󠁳󠁣󠁴󠁿 ✈️ 1️⃣ 👍🏽 漢字かな ｗｉｄｅ",                     // emoji wider than one cell, CJK
        "tab\there\r\nline\u{2028}sep\u{2029}",                          // tabs, CRLF, line and paragraph separators
        String(repeating: "long🚀", count: 150),                         // far wider than any screen
    ]

    static var hostileText: String { hostile.joined(separator: " | ") }

    /// The fixture snapshot with every shown string replaced by hostile text (row counts as in the fixture).
    static func hostileSnapshot(_ text: String) -> DashboardSnapshot {
        Fixture.snapshot { json in
            json["failed"] = (json["failed"] as! [[String: Any]]).map { row in
                var row = row
                row["workspace"] = text
                row["repository"] = "\(text)/\(text)"
                row["last_sync_error"] = text
                return row
            }
            json["stuck"] = (json["stuck"] as! [[String: Any]]).map { row in
                var row = row
                row["workspace"] = text
                row["full_name"] = text
                row["lease_owner"] = text
                return row
            }
            var status = json["status"] as! [String: Any]
            status["workers"] = (status["workers"] as! [[String: Any]]).map { worker in
                var worker = worker
                worker["hostname"] = text
                worker["id"] = text
                worker["version"] = text
                return worker
            }
            status["pause"] = ["is_paused": true, "reason": text, "paused_by": text]
            status["claim_blockers"] = [["reason": "rate_limit_reserve", "until": Fixture.time(60), "message": text]]
            json["status"] = status
            var rate = json["rate_limit"] as! [String: Any]
            rate["tokens"] = [["fingerprint": "abc123abc123", "label": text, "limit": 5000, "remaining": 10,
                               "reset_at": Fixture.time(600), "observed_at": Fixture.time(-5), "set_aside_reason": text] as [String: Any]]
            json["rate_limit"] = rate
            json["tiers"] = (json["tiers"] as! [[String: Any]]).map { tier in
                var tier = tier
                tier["tier"] = text
                return tier
            }
        }
    }

    static let sizes = [Size(width: 10, height: 3), Size(width: 40, height: 10), Size(width: 80, height: 24),
                        Size(width: 120, height: 40), Size(width: 211, height: 57)]

    /// Every screen the operator can reach with the hostile snapshot: each pane, the overlays, the filter prompt.
    static func screens(_ text: String) -> [(String, DashboardState)] {
        var base = Fixture.state(focus: .failed)
        base = update(base, .snapshot(hostileSnapshot(text))).0
        let hostileRuns: [SyncRun] = Fixture.decode(Fixture.runs.map { run -> [String: Any] in
            ["id": run.id, "job_id": run.jobId.uuidString, "worker_id": text, "trigger": text, "started_at": Fixture.time(-60),
             "finished_at": Fixture.time(-50), "duration_ms": 10, "api_calls": 1, "not_modified": 0, "pages": 1,
             "issues_fetched": 1, "issues_stored": 1, "status": "failed", "error": text]
        })
        let hostileAudit: [AuditEntry] = Fixture.decode([
            ["id": 7, "at": Fixture.time(-60), "actor": text, "action": "stop-all", "parameters": ["reason": text],
             "summary": text, "affected_rows": 1, "undoable": true, "result": "failed", "error": text] as [String: Any],
        ])
        var screens: [(String, DashboardState)] = Pane.allCases.map { pane in
            var state = base
            state.focus = pane
            return ("pane \(pane.rawValue)", state)
        }
        screens += [
            ("detail", Fixture.run(base, [.key(.enter), .detailLoaded(jobId: Fixture.id(1), runs: hostileRuns)]).0),
            ("audit", Fixture.run(base, Fixture.keys("a") + [.auditLoaded(hostileAudit)]).0),
            ("workers", Fixture.run(base, Fixture.keys("w")).0),
            ("grouped", Fixture.run(base, Fixture.keys("e")).0),
            ("filter typed", Fixture.run(base, Fixture.keys("/") + text.prefix(200).map { .key(.character($0)) }).0),
            ("message", Fixture.run(base, [.operationFailed(.resetAllFailed, message: text)]).0),
            ("disconnected", Fixture.run(base, [.connectionLost(reason: text, at: Fixture.now)]).0),
            ("confirm reset", Fixture.run(base, Fixture.keys("R")).0),
        ]
        return screens
    }

    /// Scalars a terminal acts on or draws in no column.
    static func isUnsafe(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x00...0x1F, 0x7F...0x9F, 0x200E, 0x200F, 0x202A...0x202E, 0x2066...0x2069, 0x2028, 0x2029: return true
        default: return false
        }
    }

    static func frame(_ grid: CellGrid) -> Set<[Int]> {
        var positions: Set<[Int]> = []
        for y in 0..<grid.size.height {
            for x in 0..<grid.size.width where "│┌┐└┘".contains(grid[x, y].character) { positions.insert([x, y]) }
        }
        return positions
    }

    @Test(arguments: sizes) func hostileTextNeverReachesACellRawOrMovesAFrame(size: Size) {
        let plain = Dictionary(uniqueKeysWithValues: Self.screens("plain text").map { ($0.0, render($0.1, size: size)) })
        for text in Self.hostile + [Self.hostileText] {
            for (name, state) in Self.screens(text) {
                let grid = render(state, size: size)
                let label = "\(name) at \(size.width)x\(size.height) with \(text.prefix(40).debugDescription)"
                var problems: [String] = []
                for y in 0..<size.height {
                    for x in 0..<size.width {
                        let cell = grid[x, y]
                        if cell.isContinuation {
                            if x == 0 || DisplayWidth.of(grid[x - 1, y].character) != 2 { problems.append("orphan half at \(x),\(y)") }
                            continue
                        }
                        let scalars = cell.character.unicodeScalars
                        if scalars.contains(where: Self.isUnsafe) { problems.append("raw \(String(cell.character).debugDescription) at \(x),\(y)") }
                        if let first = scalars.first,
                           [.nonspacingMark, .enclosingMark, .spacingMark, .format].contains(first.properties.generalCategory) {
                            problems.append("zero-width \(String(cell.character).debugDescription) at \(x),\(y)")
                        }
                        if DisplayWidth.of(cell.character) == 2 {
                            if x + 1 >= size.width || !grid[x + 1, y].isContinuation { problems.append("wide character cut at \(x),\(y)") }
                        }
                    }
                }
                // A dialog grows with what it says; every other frame is fixed by the screen's size.
                if name != "confirm reset", let reference = plain[name], Self.frame(reference) != Self.frame(grid) {
                    problems.append("the frame moved")
                }
                #expect(problems.isEmpty, "\(label): \(problems.prefix(5))\n\(grid.text)")
            }
        }
    }

    /// The `/` filter matches the literal text only: `%`, `_`, backslashes and quotes are characters, not patterns.
    @Test func theFilterMatchesOnlyTheLiteralText() {
        let names = ["acme/100%", "acme/a_b", "acme/axb", "acme/back\\slash", "acme/o'neil", "acme/\"quoted\"", "acme/semi;colon",
                     "acme/plain", "acme/ß-straße", "acme/new\nline"]
        let snapshot = Fixture.snapshot { json in
            json["failed"] = names.enumerated().map { n, name in
                Fixture.failedRow(n + 1, workspace: 101, "acme", name, error: "GitHub 502", attempts: 1, lastAttempt: -60)
            }
            json["failed_total"] = names.count
        }
        let state = update(Fixture.state(focus: .failed), .snapshot(snapshot)).0
        let cases: [(String, [String])] = [
            ("%", ["acme/100%"]), ("_", ["acme/a_b"]), ("a_b", ["acme/a_b"]), ("\\", ["acme/back\\slash"]),
            ("'", ["acme/o'neil"]), ("\"", ["acme/\"quoted\""]), (";", ["acme/semi;colon"]), ("%%", []), ("*", []),
            (".*", []), ("[a]", []), ("100%", ["acme/100%"]),
        ]
        for (typed, expected) in cases {
            let filtered = Fixture.run(state, Fixture.keys("/") + typed.map { .key(.character($0)) } + [.key(.enter)]).0
            let shown = filtered.items(in: .failed).compactMap { item -> String? in
                if case .failed(let row) = item { return row.repository }
                return nil
            }
            #expect(shown == expected, "filter \(typed.debugDescription) showed \(shown)")
        }
        #expect(!ListFilter(parsing: "%").matches("anything at all"))
        #expect(!ListFilter(parsing: "_").matches("x"))
        #expect(ListFilter(parsing: "!%").matches("no percent here"))
    }
}
