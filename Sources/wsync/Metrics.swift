import ArgumentParser
import FlyingFox
import Foundation
import SyncEngine

struct Metrics: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Serve Prometheus metrics at /metrics: what the dashboard shows, one database read per scrape.",
        discussion: """
            While the database cannot be read, a scrape answers wsync_up 0 and leaves the other values out. The \
            endpoint needs no secret (it serves none); it listens on loopback unless --allow-remote. Alert rules \
            matching wsync check: docs/alerts.yml. SIGINT/SIGTERM stop it (exit 0).
            """)

    @OptionGroup var database: DatabaseOptions

    @Option(help: ArgumentHelp("Address to serve on; port 0 picks a free one.", valueName: "host:port"))
    var listen = "127.0.0.1:9187"

    @Flag(help: "Allow a --listen address other than loopback (anyone who reaches it can read the metrics).")
    var allowRemote = false

    func validate() throws {
        let address = try ListenAddress(parsing: listen)
        if !address.isLoopback, !allowRemote {
            throw ValidationError("--listen \(listen) is not a loopback address; add --allow-remote to serve other machines")
        }
    }

    func run() async throws {
        let address = try ListenAddress(parsing: listen)
        var configuration = database.configuration
        configuration.readOnly = true
        configuration.applicationName = "wsync metrics"
        // Connects at the first scrape, so it serves (wsync_up 0) while the database is down.
        let queue = DatabaseQueue(configuration, label: "wsync.metrics")
        let handler = ClosureHTTPHandler { request in
            guard request.path == "/metrics" else {
                return HTTPResponse(statusCode: .notFound, headers: [.contentType: "text/plain; charset=utf-8"],
                                    body: Data("wsync serves Prometheus metrics at /metrics\n".utf8))
            }
            return HTTPResponse(statusCode: .ok, headers: [.contentType: PrometheusText.contentType],
                                body: Data(await WSyncMetrics.scrape(queue).utf8))
        }
        let server = try address.server(handler: handler)
        let serving = Task { try await server.run() }
        do {
            try await server.waitUntilListening(timeout: 10)
        } catch {
            serving.cancel()
            // A failed bind ends the server's task with the reason; otherwise it is the wait that failed.
            let reason: String
            switch await serving.result {
            case .failure(let failure) where !(failure is CancellationError): reason = "\(failure)"
            default: reason = "\(error)"
            }
            throw WSyncError.failed("cannot listen on \(listen): \(reason); pick another --listen port")
        }
        let port: UInt16
        switch await server.listeningAddress {
        case .ip4(_, let bound)?, .ip6(_, let bound)?: port = bound
        default: throw WSyncError.failed("cannot listen on \(listen)")
        }
        // Written at once (not buffered): scripts and tests read the URL while it serves.
        FileHandle.standardOutput.write(Data("serving http://\(address.urlHost):\(port)/metrics for \(configuration.displayTarget)\n".utf8))
        await ShutdownSignal.wait()
        await server.stop(timeout: 1)
        serving.cancel()
    }
}

/// `HOST:PORT` for `--listen`: an IPv4 or IPv6 address (`[::1]:9187`) or `localhost`.
struct ListenAddress {
    enum Host { case ip4(String), ip6(String) }
    let host: Host
    let port: UInt16

    init(parsing text: String) throws {
        guard let colon = text.lastIndex(of: ":"), let port = UInt16(text[text.index(after: colon)...]) else {
            throw ValidationError("--listen \(text) must be HOST:PORT, e.g. 127.0.0.1:9187")
        }
        var name = String(text[..<colon])
        if name.hasPrefix("["), name.hasSuffix("]") { name = String(name.dropFirst().dropLast()) }
        self.port = port
        var ip4 = in_addr(), ip6 = in6_addr()
        if name == "localhost" {
            host = .ip4("127.0.0.1")
        } else if inet_pton(AF_INET, name, &ip4) == 1 {
            host = .ip4(name)
        } else if inet_pton(AF_INET6, name, &ip6) == 1 {
            host = .ip6(name)
        } else {
            throw ValidationError("--listen \(text): \(name) is not an IP address or localhost")
        }
    }

    var isLoopback: Bool {
        switch host {
        case .ip4(let name): name.hasPrefix("127.")
        case .ip6(let name): name == "::1"
        }
    }

    func server(handler: some HTTPHandler) throws -> HTTPServer {
        switch host {
        case .ip4(let name): HTTPServer(address: try .inet(ip4: name, port: port), timeout: 30, logger: .disabled, handler: handler)
        case .ip6(let name): HTTPServer(address: try .inet6(ip6: name, port: port), timeout: 30, logger: .disabled, handler: handler)
        }
    }

    /// The host as a URL writes it.
    var urlHost: String {
        switch host {
        case .ip4(let name): name
        case .ip6(let name): "[\(name)]"
        }
    }
}
