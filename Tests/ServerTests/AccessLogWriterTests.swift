import Foundation
import Synchronization
import Testing

@testable import Server

@Suite struct AccessLogWriterTests {
    @Test func writesOneLogfmtLineAndQuotesWhatAClientChose() throws {
        let written = Mutex<[[UInt8]]>([])
        let writer = AccessLogWriter { bytes in written.withLock { $0.append(bytes) } }
        writer.write(["msg": "request", "path": "/graphql x=1\nlevel=error \"q\"", "empty": "", "status": "200"])
        let writes = written.withLock { $0 }
        #expect(writes.count == 1)  // one write(2) per line
        let line = String(decoding: writes.first ?? [], as: UTF8.self)
        #expect(line.hasPrefix("time=20"))
        #expect(line.hasSuffix(#" msg=request path="/graphql x=1\nlevel=error \"q\"" empty="" status=200"# + "\n"))
        #expect(line.filter { $0 == "\n" }.count == 1)
    }

    @Test func aBufferedWriterWritesOnceFullAndOnFlush() {
        let written = Mutex<[[UInt8]]>([])
        let writer = AccessLogWriter(bufferBytes: 300) { bytes in written.withLock { $0.append(bytes) } }
        writer.write(["msg": "request", "n": "1"])
        writer.write(["msg": "request", "n": "2"])
        #expect(written.withLock { $0.isEmpty })
        for n in 3...10 { writer.write(["msg": "request", "n": String(n)]) }
        writer.flush()
        writer.flush()  // nothing left: no empty write
        let writes = written.withLock { $0 }
        #expect(writes.count == 2)
        let lines = writes.flatMap { String(decoding: $0, as: UTF8.self).split(separator: "\n") }
        #expect(lines.map { $0.split(separator: " ").last! } == (1...10).map { "n=\($0)" })
    }

    @Test func threadBuffersAreWrittenTogetherByTheFlusher() throws {
        let written = Mutex<[[UInt8]]>([])
        let writer = AccessLogWriter(bufferBytes: 1 << 16, flushInterval: .milliseconds(5)) { bytes in
            written.withLock { $0.append(bytes) }
        }
        let first = writer.makeThreadBuffer()
        let second = writer.makeThreadBuffer()
        writer.write(["n": "1"], buffer: first)
        writer.write(["n": "2"], buffer: second)
        writer.write(["n": "3"], buffer: first)
        // The flusher runs every 5 ms; give it up to 5 s on a loaded machine.
        let deadline = ContinuousClock.now + .seconds(5)
        while written.withLock({ $0.flatMap { $0 }.filter { $0 == 0x0A }.count }) < 3, ContinuousClock.now < deadline {
            Thread.sleep(forTimeInterval: 0.005)
        }
        let lines = written.withLock { $0 }.flatMap { String(decoding: $0, as: UTF8.self).split(separator: "\n") }
        #expect(Set(lines.map { $0.split(separator: " ").last! }) == ["n=1", "n=2", "n=3"])
        // One thread's lines stay in their order.
        #expect(lines.map { $0.split(separator: " ").last! }.filter { $0 != "n=2" } == ["n=1", "n=3"])
    }
}
