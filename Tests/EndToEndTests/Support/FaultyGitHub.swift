import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A tiny HTTP listener on 127.0.0.1 that stands in for GitHub when the network misbehaves: for requests whose path
/// contains `faultyPath`, the first `times` (nil: all) get `fault`; every other request gets an empty issue list, as
/// GitHub answers for a repository without issues. One thread per connection; every answer closes its connection.
final class FaultyGitHub: @unchecked Sendable {
    enum Fault: Sendable {
        /// Accept, read the request, never answer (a firewall that swallows packets, a hung proxy).
        case hang
        /// The status line, headers and half the body, then a TCP reset.
        case resetMidBody
        /// The status line and headers, then one byte of body every 0.3 s, for ever (a slow-loris answer).
        case trickle
    }

    let port: UInt16
    var baseURL: URL { URL(string: "http://127.0.0.1:\(port)")! }
    private let listener: Int32
    private let lock = NSLock()
    private var faultsLeft: Int?
    private var seen: [String] = []
    private var open: Set<Int32> = []
    private var stopped = false

    init(fault: Fault, faultyPath: String, times: Int? = nil) throws {
        faultsLeft = times
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var one: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0, Glibc.listen(fd, 64) == 0 else {
            close(fd)
            throw POSIXError(.EADDRINUSE)
        }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        listener = fd
        port = UInt16(bigEndian: address.sin_port)
        let thread = Thread { [self] in accept(fault: fault, faultyPath: faultyPath) }
        thread.start()
    }

    /// The request lines ("GET /path"), in arrival order.
    var requests: [String] { lock.withLock { seen } }

    /// How many requests hit the faulty path.
    func faulted(_ path: String) -> Int { requests.filter { $0.contains(path) }.count }

    /// Idempotent. Only the accept thread closes the listener and only a connection's thread closes its socket,
    /// each under the lock `stop` shuts them down under: no descriptor is closed twice or shut down after its number
    /// went to someone else (a later test's database connection: a second close here once broke one).
    func stop() {
        lock.withLock {
            guard !stopped else { return }
            stopped = true
            // Wakes the blocked accept(); the accept thread closes the listener on its way out.
            shutdown(listener, Int32(SHUT_RDWR))
            for socket in open { shutdown(socket, Int32(SHUT_RDWR)) }
        }
    }

    private func accept(fault: Fault, faultyPath: String) {
        while true {
            let client = Glibc.accept(listener, nil, nil)
            let serving = lock.withLock { () -> Bool in
                if stopped {
                    if client >= 0 { close(client) }
                    close(listener)
                    return false
                }
                if client >= 0 { open.insert(client) }
                return true
            }
            guard serving else { return }
            guard client >= 0 else { continue }
            Thread.detachNewThread { [self] in
                serve(client, fault: fault, faultyPath: faultyPath)
                lock.withLock {
                    open.remove(client)
                    close(client)
                }
            }
        }
    }

    private func serve(_ client: Int32, fault: Fault, faultyPath: String) {
        var request = Data()
        var buffer = [UInt8](repeating: 0, count: 4096)
        while !request.contains(Data("\r\n\r\n".utf8)) {
            let count = read(client, &buffer, buffer.count)
            if count <= 0 { return }
            request.append(buffer, count: count)
        }
        let line = String(decoding: request.prefix { $0 != 13 }, as: UTF8.self)
        let misbehave = lock.withLock { () -> Bool in
            seen.append(line)
            guard line.contains(faultyPath) else { return false }
            if let left = faultsLeft {
                guard left > 0 else { return false }
                faultsLeft = left - 1
            }
            return true
        }
        guard misbehave else {
            say(client, "HTTP/1.1 200 OK\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: 2\r\nConnection: close\r\n\r\n[]")
            return
        }
        let head = "HTTP/1.1 200 OK\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: 4000\r\nConnection: close\r\n\r\n"
        switch fault {
        case .hang:
            while !lock.withLock({ stopped }), read(client, &buffer, buffer.count) > 0 {}
        case .resetMidBody:
            say(client, head + "[{\"id\": 1, \"number\": 1, \"title\": \"half an iss")
            usleep(50_000)
            var reset = linger(l_onoff: 1, l_linger: 0)
            setsockopt(client, SOL_SOCKET, SO_LINGER, &reset, socklen_t(MemoryLayout<linger>.size))
        case .trickle:
            say(client, head + "[")
            while !lock.withLock({ stopped }) {
                usleep(300_000)
                if !say(client, " ") { return }
            }
        }
    }

    @discardableResult
    private func say(_ client: Int32, _ text: String) -> Bool {
        let bytes = Array(text.utf8)
        // MSG_NOSIGNAL: a client that hung up must not SIGPIPE the test process.
        return bytes.withUnsafeBytes { Glibc.send(client, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) } == bytes.count
    }
}
