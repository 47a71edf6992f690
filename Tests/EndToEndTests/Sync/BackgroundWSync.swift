import Foundation

/// The built `wsync` binary running in the background (a worker), so tests can signal it and wait for its exit
/// off the cooperative pool; its output is collected in a temporary file.
final class BackgroundWSync: @unchecked Sendable {
    private let process = Process()
    private let outputURL: URL
    private let exited = DispatchSemaphore(value: 0)

    init(_ arguments: [String], environment: [String: String]) throws {
        outputURL = FileManager.default.temporaryDirectory.appendingPathComponent("wsync-e2e-\(UUID().uuidString).log")
        FileManager.default.createFile(atPath: outputURL.path, contents: nil)
        let output = try FileHandle(forWritingTo: outputURL)
        process.executableURL = URL(fileURLWithPath: WSyncProcess.binary)
        process.arguments = arguments
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { _, new in new }
        process.standardOutput = output
        process.standardError = output
        process.standardInput = FileHandle.nullDevice
        let exited = exited
        process.terminationHandler = { _ in exited.signal() }
        try process.run()
    }

    var pid: Int32 { process.processIdentifier }

    func signal(_ number: Int32) { kill(process.processIdentifier, number) }

    /// Waits (off the cooperative pool) for the exit status.
    func exitStatus(timeout: TimeInterval = 120) async -> Int32? {
        let exited = exited
        let done = await withCheckedContinuation { (continuation: CheckedContinuation<Bool, Never>) in
            DispatchQueue.global().async { continuation.resume(returning: exited.wait(timeout: .now() + timeout) == .success) }
        }
        return done ? process.terminationStatus : nil
    }

    var output: String { (try? String(contentsOf: outputURL, encoding: .utf8)) ?? "" }

    deinit {
        if process.isRunning { process.terminate() }
        try? FileManager.default.removeItem(at: outputURL)
    }
}
