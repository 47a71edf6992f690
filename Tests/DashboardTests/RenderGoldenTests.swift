import Dashboard
import Foundation
import Testing

/// Golden screens, colour off (the grid has no colours; themes are applied only by the backend).
@Suite struct RenderGoldenTests {
    static let sizes = [Size(width: 80, height: 24), Size(width: 120, height: 40), Size(width: 40, height: 10)]

    static func name(_ base: String, _ size: Size) -> String { "\(base)-\(size.width)x\(size.height)" }

    @Test(arguments: sizes)
    func eachPaneFocused(size: Size) {
        for pane in Pane.allCases {
            expectGolden(Self.name("pane\(pane.rawValue)", size), render(Fixture.state(focus: pane), size: size))
        }
    }

    @Test(arguments: sizes)
    func dialogs(size: Size) {
        let failed = Fixture.state(focus: .failed)
        let screens: [(String, DashboardState)] = [
            ("confirm-reset-all", Fixture.run(failed, Fixture.keys("R")).0),
            ("typed-stop", Fixture.run(failed, Fixture.keys("XST")).0),
            ("confirm-slow-down", Fixture.run(Fixture.state(focus: .rateLimit), Fixture.keys("L")).0),
            ("confirm-undo", Fixture.run(failed, [.key(.character("X"))] + Fixture.keys("STOP") + [.key(.enter),
                .operationFinished(.stopAll(reason: "emergency stop from the dashboard"),
                                   OperationOutcome(message: "stopped 120 rows (action 42)", undoable: UndoableAction(actionId: 42, summary: "emergency stop"))),
                .key(.character("u"))]).0),
            ("help", Fixture.run(failed, Fixture.keys("?")).0),
            ("detail-loading", Fixture.run(failed, [.key(.enter)]).0),
            ("detail-runs", Fixture.run(failed, [.key(.enter), .detailLoaded(jobId: Fixture.id(1), runs: Fixture.runs)]).0),
            ("audit", Fixture.run(failed, Fixture.keys("a") + [.auditLoaded(Fixture.audit)]).0),
            ("workers", Fixture.run(failed, [.snapshot(Fixture.snapshot { json in
                var status = json["status"] as! [String: Any]
                status["claim_blockers"] = [["reason": "rate_limit_reserve", "until": Fixture.time(1_384),
                                             "message": "GitHub reports 40 requests left, at or below the live workers' reserve of 100: no claims until the reset"]]
                json["status"] = status
            })] + Fixture.keys("w")).0),
            ("filter-input", Fixture.run(failed, Fixture.keys("/502")).0),
            ("filter-inverted", Fixture.run(failed, Fixture.keys("/!502") + [.key(.enter)]).0),
            ("grouped-errors", Fixture.run(failed, Fixture.keys("e")).0),
            ("detail-group", Fixture.run(failed, Fixture.keys("e") + [.key(.enter)]).0),
        ]
        for (base, state) in screens { expectGolden(Self.name(base, size), render(state, size: size)) }
    }

    @Test(arguments: sizes)
    func connectionAndModes(size: Size) {
        let paused = Fixture.snapshot { json in
            var status = json["status"] as! [String: Any]
            status["pause"] = ["is_paused": true, "reason": "GitHub outage", "paused_by": "oncall"]
            json["status"] = status
        }
        var waiting = DashboardState(database: "db.internal/wsync", readOnly: true, interval: 2, now: Fixture.now,
                                     themeNames: [], themeName: "default")
        waiting.timeZone = TimeZone(identifier: "UTC")!
        let screens: [(String, DashboardState)] = [
            ("disconnected", Fixture.run(Fixture.state(focus: .failed), [
                .connectionLost(reason: "server closed the connection unexpectedly", at: Fixture.now + 3),
                .tick(Fixture.now + 30)]).0),
            ("global-pause", Fixture.run(Fixture.state(), [.snapshot(paused)]).0),
            ("read-only", Fixture.run(Fixture.state(focus: .failed, readOnly: true), Fixture.keys("r")).0),
            ("polling-paused-stale", Fixture.run(Fixture.state(), Fixture.keys(" ") + [.tick(Fixture.now + 15)]).0),
            ("waiting", waiting),
        ]
        for (base, state) in screens { expectGolden(Self.name(base, size), render(state, size: size)) }
    }

    /// A token pool: the gauge is the pool's total, and each token has a line (its budget, set aside, cooling down).
    @Test(arguments: sizes)
    func rateLimitPaneOfATokenPool(size: Size) {
        let pool = Fixture.snapshot { json in
            var gauge = json["rate_limit"] as! [String: Any]
            gauge["limit"] = 10_000
            gauge["remaining"] = 5_620
            gauge["tokens"] = [
                ["fingerprint": "0f3a9c2b7d11", "label": "ci", "limit": 5000, "remaining": 3120, "reset_at": Fixture.time(1_384),
                 "observed_at": Fixture.time(-12)],
                ["fingerprint": "77e1b04c9a58", "limit": 5000, "remaining": 2500, "reset_at": Fixture.time(2_900),
                 "observed_at": Fixture.time(-40), "cooling_until": Fixture.time(300)],
                ["fingerprint": "c4d2e8f1a903", "label": "old-bot", "set_aside_at": Fixture.time(-3_600),
                 "set_aside_reason": "GitHub answered 401 (Bad credentials)"],
            ] as [[String: Any]]
            json["rate_limit"] = gauge
        }
        let state = Fixture.run(Fixture.state(focus: .rateLimit), [.snapshot(pool)]).0
        let grid = render(state, size: size)
        expectGolden(Self.name("token-pool", size), grid)
        if size.width >= 80 {
            #expect(grid.text.contains("ci 3120/5000") && grid.text.contains("old-bot set aside"))
        }
    }

    @Test func asciiMode() {
        var state = Fixture.state(focus: .failed)
        state.glyphs = .ascii
        expectGolden("ascii-80x24", render(state, size: Size(width: 80, height: 24)))
    }

    @Test func tooSmall() {
        let grid = render(Fixture.state(), size: Size(width: 39, height: 12))
        let words = grid.text.split(whereSeparator: \.isWhitespace).joined(separator: " ")
        #expect(words == "terminal too small: need 40×10, have 39×12")
        expectGolden("too-small-30x8", render(Fixture.state(), size: Size(width: 30, height: 8)))
    }

    @Test func everySizeFromTinyToLargeRendersWithoutCrashing() {
        let state = Fixture.run(Fixture.state(focus: .failed), Fixture.keys("X")).0
        for width in stride(from: 0, through: 200, by: 7) {
            for height in stride(from: 0, through: 60, by: 3) {
                let grid = render(state, size: Size(width: width, height: height))
                #expect(grid.cells.count == width * height)
            }
        }
    }
}
