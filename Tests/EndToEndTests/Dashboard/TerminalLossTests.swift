import Foundation
import Postgres
import SyncEngine
import Testing
import TestSupport

/// `wsync dash` when its terminal goes away: the tmux session killed (SIGHUP reaches it), the terminal vanishing
/// without a SIGHUP (the dashboard in a session of its own, as `setsid`, supervisors and wrappers leave it), and
/// SIGTERM. Each time the process must be gone within seconds, having spent almost no CPU after the loss — before
/// the fix, a dashboard left without its terminal read nothing in a tight loop, at a quarter of the machine, forever.
@Suite(.serialized) struct TerminalLossTests {
    /// CPU a dashboard may spend between the loss of its terminal and its exit (an idle one spends far less).
    static let cpuAllowance = 0.5

    private struct Running {
        let session: TmuxSession
        let pid: Int32
        let pidFile: String
    }

    private func start(setsid: Bool) throws -> Running {
        let database = try TestDatabase.create()
        try DemoSeed.seed(try database.connect())
        let pidFile = FileManager.default.temporaryDirectory.appendingPathComponent("wsync-dash-\(UUID().uuidString).pid").path
        let dash = (setsid ? ["/usr/bin/setsid"] : []) + [WSyncProcess.binary.path, "dash", "--database-url", database.url, "--interval", "1"]
        let session = try TmuxSession(command: ProcessProbe.pidFileCommand(dash, file: pidFile), width: 120, height: 40)
        let pid = try #require(ProcessProbe.pid(in: pidFile), "the dashboard never started")
        let (live, screen) = try session.waitFor(timeout: 30) { $0.contains("● live") && $0.contains("5 Tier usage") }
        #expect(live, "the dashboard did not come up:\n\(screen)")
        return Running(session: session, pid: pid, pidFile: pidFile)
    }

    /// Fails (naming how much CPU it burns) unless `pid` is gone within `timeout`; kills it either way.
    private func expectGone(_ pid: Int32, cpuBefore: Double, timeout: TimeInterval = 10, _ what: String) {
        let gone = ProcessProbe.waitUntilGone(pid, timeout: timeout)
        if !gone {
            let start = ProcessProbe.cpuSeconds(pid) ?? 0
            Thread.sleep(forTimeInterval: 2)
            let burned = (ProcessProbe.cpuSeconds(pid) ?? start) - start
            Issue.record("\(what): the dashboard (pid \(pid)) still runs \(Int(timeout)) s later, using \(Int(burned * 50)) % of a core")
            kill(pid, SIGKILL)
            return
        }
        // A zombie still tells its CPU time; a reaped process does not, and then it certainly stopped spending.
        if let after = ProcessProbe.cpuSeconds(pid) {
            #expect(after - cpuBefore < Self.cpuAllowance, "\(what): \(after - cpuBefore) s of CPU after the terminal went")
        }
    }

    @Test func killingTheTmuxSessionEndsTheDashboard() throws {
        let dash = try start(setsid: false)
        defer { try? FileManager.default.removeItem(atPath: dash.pidFile) }
        let cpu = try #require(ProcessProbe.cpuSeconds(dash.pid))
        try dash.session.killSession()
        expectGone(dash.pid, cpuBefore: cpu, "tmux kill-session")
    }

    /// The dashboard in a session of its own: when tmux goes, no SIGHUP reaches it, only a terminal that reads as
    /// hung up. It must notice and end by itself.
    @Test func aTerminalThatVanishesWithoutSIGHUPEndsTheDashboardInsteadOfSpinning() throws {
        let dash = try start(setsid: true)
        defer { try? FileManager.default.removeItem(atPath: dash.pidFile) }
        let cpu = try #require(ProcessProbe.cpuSeconds(dash.pid))
        dash.session.close()
        expectGone(dash.pid, cpuBefore: cpu, "terminal gone without SIGHUP")
    }

    @Test func sigtermEndsALiveDashboardAndGivesTheTerminalBack() throws {
        let dash = try start(setsid: false)
        defer { try? FileManager.default.removeItem(atPath: dash.pidFile) }
        let cpu = try #require(ProcessProbe.cpuSeconds(dash.pid))
        kill(dash.pid, SIGTERM)
        let (exited, screen) = try dash.session.waitFor(timeout: 10) { $0.contains("[exited 143]") }
        #expect(exited, "SIGTERM did not end the dashboard:\n\(screen)")
        // The shell's lines are on a normal screen again: the dashboard left the alternate screen.
        #expect(!screen.contains("1 Sync status"), "the terminal was not given back:\n\(screen)")
        expectGone(dash.pid, cpuBefore: cpu, "SIGTERM")
        dash.session.close()
    }

    /// SIGHUP alone (a terminal emulator closed, ssh dropped) ends it too, with the conventional status.
    @Test func sighupEndsTheDashboard() throws {
        let dash = try start(setsid: false)
        defer { try? FileManager.default.removeItem(atPath: dash.pidFile) }
        let cpu = try #require(ProcessProbe.cpuSeconds(dash.pid))
        kill(dash.pid, SIGHUP)
        let (exited, screen) = try dash.session.waitFor(timeout: 10) { $0.contains("[exited 129]") }
        #expect(exited, "SIGHUP did not end the dashboard:\n\(screen)")
        expectGone(dash.pid, cpuBefore: cpu, "SIGHUP")
        dash.session.close()
    }
}
