import Dashboard
import Foundation
import SyncEngine
import Testing

/// Golden screens of sort, marks, find, the row detail in full, the audit view and the event feed, at the sizes the
/// dashboard is tried at.
@Suite struct PowerToolGoldenTests {
    static let sizes = [Size(width: 80, height: 24), Size(width: 120, height: 40), Size(width: 200, height: 60), Size(width: 40, height: 12)]

    @Test(arguments: sizes)
    func screens(size: Size) {
        let failed = Fixture.state(focus: .failed)
        let screens: [(String, DashboardState)] = [
            ("overview", Fixture.state()),
            ("sorted-by-error", Fixture.run(failed, Fixture.keys("o")).0),
            ("stuck-sorted-by-worker-reversed", Fixture.run(Fixture.state(focus: .stuck), Fixture.keys("oO")).0),
            ("marked", Fixture.run(failed, Fixture.keys("mjm")).0),
            ("reset-marked", Fixture.run(failed, Fixture.keys("mjmR")).0),
            ("reset-filtered", Fixture.run(failed, Fixture.keys("/502") + [.key(.enter)] + Fixture.keys("R")).0),
            ("find-typing", Fixture.run(failed, Fixture.keys("f502")).0),
            ("find-next", Fixture.run(failed, Fixture.keys("f502") + [.key(.enter)] + Fixture.keys("n")).0),
            ("detail-job", Fixture.run(failed, [.key(.enter), .detailLoaded(jobId: Fixture.id(1), runs: Fixture.runs, job: Fixture.job)]).0),
            ("detail-stuck", Fixture.run(Fixture.state(focus: .stuck), [.key(.enter)]).0),
            ("copied", Fixture.run(failed, Fixture.keys("y")).0),
            ("audit-list", Fixture.run(failed, Fixture.keys("a") + [.auditLoaded(Fixture.audit)] + Fixture.keys("j")).0),
            ("audit-filter", Fixture.run(failed, Fixture.keys("a") + [.auditLoaded(Fixture.audit)] + Fixture.keys("/outage")).0),
            ("audit-entry", Fixture.run(failed, Fixture.keys("a") + [.auditLoaded(Fixture.audit), .key(.enter)]).0),
        ]
        for (base, state) in screens {
            expectGolden("\(base)-\(size.width)x\(size.height)", render(state, size: size))
        }
    }

    @Test func asciiHistoryAndFeed() {
        var state = Fixture.run(Fixture.state(focus: .failed), Fixture.keys("mo")).0
        state.glyphs = .ascii
        expectGolden("ascii-history-120x40", render(state, size: Size(width: 120, height: 40)))
    }
}
