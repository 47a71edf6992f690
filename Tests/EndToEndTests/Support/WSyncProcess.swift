import Foundation

/// The built `wsync` binary (next to the test bundle, or $WSYNC_BINARY) run as a child process. Output goes to
/// temporary files, which cannot fill up and block the child the way pipes can; stdin is /dev/null, so it never
/// prompts.
final class WSyncProcess: @unchecked Sendable {
    struct Result {
        var status: Int32
        var stdout: String
        var stderr: String
        /// Both streams, for messages that do not care which one a line went to.
        var output: String { stdout + stderr }
    }

    static var binary: URL {
        if let path = ProcessInfo.processInfo.environment["WSYNC_BINARY"] { return URL(fileURLWithPath: path) }
        return URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
            .deletingLastPathComponent().appendingPathComponent("wsync")
    }

    private let process = Process()
    private let directory: URL
    private let exited = DispatchSemaphore(value: 0)

    /// Starts `wsync arguments…` (or another program, for the shell lines of the deploy examples); `environment`
    /// entries override the test's own, and a nil value removes one.
    init(_ arguments: [String], environment: [String: String?], executable: URL = WSyncProcess.binary) throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("wsync-e2e-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        for name in ["stdout", "stderr"] {
            FileManager.default.createFile(atPath: directory.appendingPathComponent(name).path, contents: nil)
        }
        process.executableURL = executable
        process.arguments = arguments
        var merged = ProcessInfo.processInfo.environment
        for (name, value) in environment { merged[name] = value }
        process.environment = merged
        process.standardInput = FileHandle.nullDevice
        let output = try FileHandle(forWritingTo: directory.appendingPathComponent("stdout"))
        let errors = try FileHandle(forWritingTo: directory.appendingPathComponent("stderr"))
        process.standardOutput = output
        process.standardError = errors
        let exited = exited
        // A termination handler rather than waitUntilExit, which needs a run loop the busy pool may never give it.
        process.terminationHandler = { _ in exited.signal() }
        try process.run()
        // The child has its own copies: ours would stay open as long as Foundation keeps the Process, and a test
        // run of a thousand commands would run out of descriptors (and hand them to every server it starts).
        try? output.close()
        try? errors.close()
    }

    /// Runs to completion with DATABASE_URL set (or removed when nil).
    static func run(_ arguments: [String], databaseURL: String?, timeout: TimeInterval = 120) throws -> Result {
        try run(arguments, environment: ["DATABASE_URL": databaseURL], timeout: timeout)
    }

    /// Runs to completion with `environment` over the test's own (a nil value removes a variable).
    static func run(_ arguments: [String], environment: [String: String?], executable: URL = WSyncProcess.binary,
                    timeout: TimeInterval = 120) throws -> Result {
        let child = try WSyncProcess(arguments, environment: environment, executable: executable)
        guard child.exited.wait(timeout: .now() + timeout) == .success else {
            child.signal(SIGKILL)
            throw TimedOut(arguments: arguments)
        }
        return Result(status: child.process.terminationStatus, stdout: child.stdout, stderr: child.stderr)
    }

    struct TimedOut: Error {
        let arguments: [String]
    }

    var pid: Int32 { process.processIdentifier }

    var isRunning: Bool { process.isRunning }

    func signal(_ number: Int32) { kill(process.processIdentifier, number) }

    /// Waits (off the cooperative pool) for the exit status.
    func exitStatus(timeout: TimeInterval = 120) async -> Int32? {
        let exited = exited
        let done = await withCheckedContinuation { (continuation: CheckedContinuation<Bool, Never>) in
            DispatchQueue.global().async { continuation.resume(returning: exited.wait(timeout: .now() + timeout) == .success) }
        }
        return done ? process.terminationStatus : nil
    }

    var stdout: String { read("stdout") }
    var stderr: String { read("stderr") }
    /// Both streams, for assertions that do not care which one a line went to.
    var output: String { stdout + stderr }

    private func read(_ name: String) -> String {
        (try? String(contentsOf: directory.appendingPathComponent(name), encoding: .utf8)) ?? ""
    }

    deinit {
        if process.isRunning { process.terminate() }
        try? FileManager.default.removeItem(at: directory)
    }
}
