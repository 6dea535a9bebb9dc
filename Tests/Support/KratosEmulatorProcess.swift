import Foundation

/// The Kratos emulator (`python3 -m kratos.emulator`) on free ports, for tests that need a real HTTP peer. It exits
/// with the test process.
public final class KratosEmulatorProcess: @unchecked Sendable {

    public let publicURL: String
    public let adminURL: String
    private let process: Process

    public init(arguments: [String] = []) throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let (publicPort, adminPort) = (LoopbackPort.free(), LoopbackPort.free())
        process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-m", "kratos.emulator", "--public-port", "\(publicPort)", "--admin-port", "\(adminPort)", "--exit-with-parent"] + arguments
        process.currentDirectoryURL = root
        // Not the test runner's pipes: `swift test` waits for every holder of its output to let go.
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        publicURL = "http://127.0.0.1:\(publicPort)"
        adminURL = "http://127.0.0.1:\(adminPort)"
        let deadline = Date().addingTimeInterval(20)
        while !LoopbackPort.isListening(publicPort) || !LoopbackPort.isListening(adminPort) {
            guard Date() < deadline, process.isRunning else { throw EmulatorError.didNotStart }
            Thread.sleep(forTimeInterval: 0.02)
        }
    }

    deinit { stop() }

    public func stop() {
        if process.isRunning {
            process.terminate()
            process.waitUntilExit()
        }
    }

    /// Sets the emulator's fault switches (`latency_ms`, `fail_status`, `refuse`); an empty string resets them.
    /// A plain blocking HTTP/1.0 exchange, so the test does not depend on the client under test.
    public func setFaults(_ json: String) throws {
        let port = Int(adminURL.split(separator: ":").last!)!
        let fd = LoopbackPort.connectedSocket(port)
        defer { close(fd) }
        guard fd >= 0 else { throw EmulatorError.didNotStart }
        let method = json.isEmpty ? "DELETE" : "POST"
        let request = "\(method) /__emulator/faults HTTP/1.0\r\nContent-Type: application/json\r\nContent-Length: \(json.utf8.count)\r\n\r\n\(json)"
        _ = request.withCString { send(fd, $0, strlen($0), 0) }
        var buffer = [UInt8](repeating: 0, count: 4096)
        while recv(fd, &buffer, buffer.count, 0) > 0 {}
    }

    enum EmulatorError: Error { case didNotStart }
}
