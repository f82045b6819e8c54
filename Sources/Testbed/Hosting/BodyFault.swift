import Hummingbird
import NIOCore
import Synchronization

/// How a fault changes the body a client receives: the faults of a misbehaving or hostile
/// upstream that a status code cannot express.
public enum BodyFault: Sendable {
    /// This body instead of the real one: garbage from a broken directory or proxy.
    case replace([UInt8])
    /// The real body cut to its first `keeping` bytes: a truncated CAR or manifest, well framed.
    case truncate(keeping: Int)
    /// The real body followed by `bytes` more: an oversized answer, or (a few bytes) content
    /// that no longer matches its digest.
    case pad(bytes: Int, with: UInt8)
    /// The real body in `pieces` parts with `interval` between them: a slow-drip upstream whose
    /// headers arrive at once and whose body takes `(pieces - 1) × interval` to finish.
    case drip(pieces: Int, interval: Duration)

    /// `original`'s body changed as this fault says, keeping its status and headers (except the
    /// length, which follows the new body).
    func apply(to original: Response) async throws -> Response {
        var response = original
        let real = try await Self.collect(original.body)
        response.headers[.contentLength] = nil
        switch self {
        case .replace(let bytes):
            response.body = ResponseBody(byteBuffer: ByteBuffer(bytes: bytes))
        case .truncate(let keeping):
            response.body = ResponseBody(byteBuffer: ByteBuffer(bytes: real.prefix(max(0, keeping))))
        case .pad(let count, let byte):
            response.body = ResponseBody(byteBuffer: ByteBuffer(bytes: real + [UInt8](repeating: byte, count: max(0, count))))
        case .drip(let pieces, let interval):
            let size = max(1, (real.count + max(1, pieces) - 1) / max(1, pieces))
            response.body = ResponseBody(contentLength: real.count) { writer in
                var offset = 0
                while offset < real.count {
                    let end = min(real.count, offset + size)
                    try await writer.write(ByteBuffer(bytes: real[offset..<end]))
                    offset = end
                    if offset < real.count { try await Task.sleep(for: interval) }
                }
                try await writer.finish(nil)
            }
        }
        return response
    }

    /// The bytes `body` would write.
    static func collect(_ body: ResponseBody) async throws -> [UInt8] {
        let sink = ByteSink()
        try await body.write(CollectingWriter(sink: sink))
        return sink.bytes
    }
}

/// Accumulates what a ``CollectingWriter`` is given.
private final class ByteSink: Sendable {
    private let storage = Mutex<[UInt8]>([])
    func append(_ buffer: ByteBuffer) { storage.withLock { $0.append(contentsOf: buffer.readableBytesView) } }
    var bytes: [UInt8] { storage.withLock { $0 } }
}

/// A response body writer that keeps the bytes instead of sending them.
private struct CollectingWriter: ResponseBodyWriter {
    let sink: ByteSink
    mutating func write(_ buffer: ByteBuffer) async throws { sink.append(buffer) }
    consuming func finish(_ trailingHeaders: HTTPFields?) async throws {}
}
