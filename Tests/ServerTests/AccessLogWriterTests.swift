import Foundation
import Testing

@testable import Server

@Suite struct AccessLogWriterTests {
    @Test func writesOneLogfmtLineAndQuotesWhatAClientChose() throws {
        let pipe = Pipe()
        let writer = AccessLogWriter(output: pipe.fileHandleForWriting)
        writer.write(["msg": "request", "path": "/graphql x=1\nlevel=error \"q\"", "empty": "", "status": "200"])
        try pipe.fileHandleForWriting.close()
        let line = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        #expect(line.hasPrefix("time=20"))
        #expect(line.hasSuffix(#" msg=request path="/graphql x=1\nlevel=error \"q\"" empty="" status=200"# + "\n"))
        #expect(line.filter { $0 == "\n" }.count == 1)
    }
}
