import Foundation

/// A loopback TCP proxy to a PostgreSQL Unix socket that holds every chunk of bytes for `delay` in each direction:
/// a database 2 ms away, as production's is from its workers.
final class DelayProxy: @unchecked Sendable {
    let port: UInt16
    private let listener: Int32
    private let target: String
    private let delay: TimeInterval

    init(unixSocket target: String, delay: TimeInterval) throws {
        self.target = target
        self.delay = delay
        let listener = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(listener, $0, length) == 0 && getsockname(listener, $0, &length) == 0 }
        }
        guard bound, listen(listener, 16) == 0 else { throw ProxyError(reason: String(cString: strerror(errno))) }
        self.listener = listener
        port = UInt16(bigEndian: address.sin_port)
        Thread.detachNewThread { [self] in acceptLoop() }
    }

    struct ProxyError: Error { var reason: String }

    private func acceptLoop() {
        while true {
            let client = accept(listener, nil, nil)
            guard client >= 0 else { return }
            var one: Int32 = 1
            setsockopt(client, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
            let server = connectUnix()
            guard server >= 0 else { close(client); continue }
            pipe(from: client, to: server)
            pipe(from: server, to: client)
        }
    }

    private func connectUnix() -> Int32 {
        let descriptor = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { buffer in
            let bytes = Array(target.utf8.prefix(buffer.count - 1))
            buffer.copyBytes(from: bytes + [0])
        }
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) == 0 }
        }
        if !connected { close(descriptor); return -1 }
        return descriptor
    }

    /// One direction: a reader queues each chunk with the time it may leave, a writer sends it then.
    private func pipe(from source: Int32, to sink: Int32) {
        let queue = DelayLine()
        Thread.detachNewThread { [self] in
            var buffer = [UInt8](repeating: 0, count: 65_536)
            while true {
                let count = read(source, &buffer, buffer.count)
                if count <= 0 { queue.finish(); shutdown(source, Int32(SHUT_RD)); return }
                queue.put(Array(buffer[0..<count]), at: Date().addingTimeInterval(delay))
            }
        }
        Thread.detachNewThread {
            while let (chunk, due) = queue.take() {
                let wait = due.timeIntervalSinceNow
                if wait > 0 { Thread.sleep(forTimeInterval: wait) }
                var offset = 0
                while offset < chunk.count {
                    let written = chunk[offset...].withUnsafeBytes { write(sink, $0.baseAddress, $0.count) }
                    if written <= 0 { close(sink); return }
                    offset += written
                }
            }
            shutdown(sink, Int32(SHUT_WR))
        }
    }
}

/// A blocking FIFO of chunks with their departure times.
private final class DelayLine: @unchecked Sendable {
    private let condition = NSCondition()
    private var chunks: [([UInt8], Date)] = []
    private var finished = false

    func put(_ chunk: [UInt8], at due: Date) {
        condition.withLock { chunks.append((chunk, due)); condition.signal() }
    }

    func finish() { condition.withLock { finished = true; condition.signal() } }

    func take() -> ([UInt8], Date)? {
        condition.withLock {
            while chunks.isEmpty && !finished { condition.wait() }
            return chunks.isEmpty ? nil : chunks.removeFirst()
        }
    }
}
