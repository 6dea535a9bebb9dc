// SPDX-License-Identifier: Apache-2.0
import FastCGI
import Foundation
import Synchronization

/// Writes access-log lines to stderr in logfmt (`key=value`, quoted when needed). swift-log's stream handler costs
/// ~30 µs a line (metadata dictionaries, sorting, strftime, a flush); this costs a few, which matters at thousands
/// of requests a second.
///
/// With `bufferBytes` 0 every line is one `write(2)` (lines from different threads never interleave). Otherwise each
/// worker thread appends its lines to its own buffer (`ThreadBuffer`: a lock only the flusher ever contends) and a
/// flusher thread writes all buffers every `flushInterval`, in one `write` each round; a buffer reaching
/// `bufferBytes` is written at once by its thread. A crash loses the lines of the last `flushInterval` at most.
/// A `write(2)` per line cost ~7 µs of worker CPU a request with 64 threads writing to one journal stream, and one
/// buffer shared by all threads would be a lock 64 threads contend (as the metrics' was: README → Performance).
final class AccessLogWriter: Sendable {
    /// One worker thread's waiting lines and its cached timestamp.
    final class ThreadBuffer: Sendable {
        fileprivate let lines = Mutex<[UInt8]>([])
        /// The formatted current second, reused by every line within it.
        fileprivate let timestamp = Mutex<(second: Int, text: String)>((-1, ""))

        fileprivate init() {}
    }

    private let output: @Sendable ([UInt8]) -> Void
    /// Bytes a buffer holds before its thread writes it (0: each line at once).
    private let bufferBytes: Int
    /// For writers without a buffer of their own.
    private let sharedBuffer = ThreadBuffer()
    private let threadBuffers = Mutex<[ThreadBuffer]>([])

    private static let hexDigits = Array("0123456789abcdef".utf8)

    /// A writer to `output`; with `bufferBytes` above 0 and a `flushInterval`, a flusher thread writes the buffered
    /// lines that often (without one, `flush()` does).
    init(
        bufferBytes: Int = 0,
        flushInterval: Duration? = nil,
        output: @escaping @Sendable ([UInt8]) -> Void = StandardError.write
    ) {
        self.bufferBytes = bufferBytes
        self.output = output
        guard bufferBytes > 0, let flushInterval, flushInterval > .zero else { return }
        let seconds = Double(flushInterval.components.seconds) + Double(flushInterval.components.attoseconds) / 1e18
        let flusher = Thread { [weak self] in
            while let writer = self {
                writer.flush()
                Thread.sleep(forTimeInterval: seconds)
            }
        }
        flusher.name = "access-log-flusher"
        flusher.start()
    }

    /// A buffer for one worker thread's lines, written by the flusher.
    func makeThreadBuffer() -> ThreadBuffer {
        let buffer = ThreadBuffer()
        threadBuffers.withLock { $0.append(buffer) }
        return buffer
    }

    /// Writes one line of `fields`, into `buffer` (the calling thread's) when the writer buffers.
    func write(_ fields: KeyValuePairs<String, String>, buffer: ThreadBuffer? = nil) {
        let target = buffer ?? sharedBuffer
        var line: [UInt8] = []
        line.reserveCapacity(256)
        append("time", currentTimestamp(cachedIn: target), to: &line)
        for (key, value) in fields {
            line.append(UInt8(ascii: " "))
            append(key, value, to: &line)
        }
        line.append(UInt8(ascii: "\n"))
        guard bufferBytes > 0 else { return output(line) }
        let full: [UInt8]? = target.lines.withLock { waiting in
            waiting.append(contentsOf: line)
            return waiting.count >= bufferBytes ? Self.takeAll(&waiting) : nil
        }
        if let full { output(full) }
    }

    /// Writes every line waiting in a buffer, in one `write` (the flusher calls it, the supervisor every second and
    /// after a drain).
    func flush() {
        var waiting = sharedBuffer.lines.withLock { Self.takeAll(&$0) }
        for buffer in threadBuffers.withLock({ $0 }) {
            let lines = buffer.lines.withLock { Self.takeAll(&$0) }
            if waiting.isEmpty { waiting = lines } else { waiting.append(contentsOf: lines) }
        }
        if !waiting.isEmpty { output(waiting) }
    }

    private static func takeAll(_ waiting: inout [UInt8]) -> [UInt8] {
        var taken: [UInt8] = []
        swap(&taken, &waiting)
        return taken
    }

    private func currentTimestamp(cachedIn buffer: ThreadBuffer) -> String {
        let now = Date()
        let second = Int(now.timeIntervalSince1970)
        return buffer.timestamp.withLock { cached in
            if cached.second != second {
                cached = (second, now.formatted(.iso8601))
            }
            return cached.text
        }
    }

    /// `key=value`, with the value quoted (and `"`, `\` and control characters escaped) when it is empty or
    /// holds a space, a quote or `=`: a client-chosen path cannot forge a field or a line.
    private func append(_ key: String, _ value: String, to line: inout [UInt8]) {
        line.append(contentsOf: key.utf8)
        line.append(UInt8(ascii: "="))
        let needsQuotes = value.isEmpty || value.utf8.contains { $0 <= 0x20 || $0 == 0x22 || $0 == 0x3D || $0 == 0x5C || $0 == 0x7F }
        guard needsQuotes else {
            line.append(contentsOf: value.utf8)
            return
        }
        line.append(UInt8(ascii: "\""))
        for byte in value.utf8 {
            switch byte {
            case 0x22, 0x5C:
                line.append(UInt8(ascii: "\\"))
                line.append(byte)
            case 0x0A:
                line.append(contentsOf: "\\n".utf8)
            case 0x0D:
                line.append(contentsOf: "\\r".utf8)
            case ..<0x20, 0x7F:
                line.append(contentsOf: "\\x".utf8)
                line.append(Self.hexDigits[Int(byte >> 4)])
                line.append(Self.hexDigits[Int(byte & 0x0F)])
            default:
                line.append(byte)
            }
        }
        line.append(UInt8(ascii: "\""))
    }
}
