import Foundation

/// A throwaway `redis-server` (Debian's) on a free loopback port, without persistence, for tests of the shared
/// state against a real server.
public final class RedisServerProcess: @unchecked Sendable {
    public let port: Int
    private let process = Process()

    public init() throws {
        port = LoopbackPort.free()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/redis-server")
        process.arguments = ["--port", "\(port)", "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"]
        // Not the test runner's pipes: `swift test` waits for every holder of its output to let go.
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        // Generous: the suite runs beside the differential test, which keeps both cores busy.
        let deadline = Date().addingTimeInterval(30)
        while !LoopbackPort.isListening(port) {
            guard Date() < deadline, process.isRunning else { throw ServerError.didNotStart }
            Thread.sleep(forTimeInterval: 0.02)
        }
    }

    deinit { stop() }

    public func stop() {
        // Not `waitUntilExit`: it waits on a run loop that was seen to never return here.
        guard process.isRunning else { return }
        kill(process.processIdentifier, SIGKILL)
        while process.isRunning { Thread.sleep(forTimeInterval: 0.01) }
    }

    enum ServerError: Error { case didNotStart }
}
