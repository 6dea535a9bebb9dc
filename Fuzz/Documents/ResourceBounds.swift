// SPDX-License-Identifier: Apache-2.0
// The invariant the document fuzzer asserts besides "no crash": one document, whatever it is, is handled within
// a bounded wall time and grows the process's resident memory by a bounded amount. A broken bound is a
// `fatalError` naming the bound, which libFuzzer records as a crash with its input.
import Dispatch
import Foundation
import Synchronization

/// The bounds, 100 ms and 64 MiB unless `DOCUMENT_FUZZER_MAX_MS` or `DOCUMENT_FUZZER_MAX_RSS_MIB` say otherwise.
struct ResourceBounds: Sendable {
    var maxMilliseconds = 100
    var maxGrowthMiB = 64

    static func fromEnvironment() -> ResourceBounds {
        var bounds = ResourceBounds()
        let environment = ProcessInfo.processInfo.environment
        if let value = environment["DOCUMENT_FUZZER_MAX_MS"].flatMap(Int.init), value > 0 { bounds.maxMilliseconds = value }
        if let value = environment["DOCUMENT_FUZZER_MAX_RSS_MIB"].flatMap(Int.init), value > 0 { bounds.maxGrowthMiB = value }
        return bounds
    }

    var maxNanoseconds: UInt64 { UInt64(maxMilliseconds) * 1_000_000 }
    var maxGrowthBytes: Int { maxGrowthMiB << 20 }
    /// A document still running after ten times the time bound is a hang: the watchdog stops the process then,
    /// instead of waiting for it to finish (or for libFuzzer's own `-timeout`).
    var hangNanoseconds: UInt64 { 10 * maxNanoseconds }
}

/// The process's resident memory from `/proc/self/statm`, as Sources/Server/Operations/ProcessMemory.swift reads it
/// (the fuzzer cannot import Server). Read with `open`/`read` into a stack buffer: it runs twice per input.
enum ResidentMemory {
    private static let pageSize = Int(sysconf(Int32(_SC_PAGESIZE)))

    /// Resident set size in bytes, or nil where `/proc` is not mounted.
    static func bytes() -> Int? {
        let descriptor = open("/proc/self/statm", O_RDONLY)
        guard descriptor >= 0 else { return nil }
        defer { close(descriptor) }
        return withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 128) { buffer -> Int? in
            let count = read(descriptor, buffer.baseAddress, buffer.count)
            guard count > 0 else { return nil }
            // "size resident shared text lib data dt": the second number, in pages.
            var field = 0
            var pages = 0
            for byte in buffer[..<count] {
                if byte == UInt8(ascii: " ") {
                    if field == 1 { break }
                    field += 1
                } else if field == 1, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) {
                    pages = pages * 10 + Int(byte - UInt8(ascii: "0"))
                }
            }
            return pages * pageSize
        }
    }
}

/// Nanoseconds of a monotonic clock.
func monotonicNanoseconds() -> UInt64 { DispatchTime.now().uptimeNanoseconds }

/// Watches the document being handled from its own thread, so that a document that hangs or eats memory without
/// end is stopped while it runs, with the bound it broke named, not only once it returns (it might never).
final class Watchdog: Sendable {
    private let bounds: ResourceBounds
    /// When the current document started; 0 between documents.
    private let startedAt = Atomic<UInt64>(0)
    /// Resident memory when it started; -1 when unknown.
    private let baseline = Atomic<Int>(-1)

    init(bounds: ResourceBounds) {
        self.bounds = bounds
        Thread.detachNewThread { [self] in watch() }
    }

    func begin(at start: UInt64, residentBytes: Int?) {
        baseline.store(residentBytes ?? -1, ordering: .relaxed)
        startedAt.store(start, ordering: .releasing)
    }

    func end() {
        startedAt.store(0, ordering: .releasing)
    }

    private func watch() {
        while true {
            usleep(5_000)
            let start = startedAt.load(ordering: .acquiring)
            guard start != 0 else { continue }
            let elapsed = monotonicNanoseconds() &- start
            // Still the same document? (It may have ended while the clock was read.)
            guard startedAt.load(ordering: .acquiring) == start else { continue }
            if elapsed > bounds.hangNanoseconds {
                fatalError(
                    "time bound broken: the document is still being handled after \(elapsed / 1_000_000) ms "
                        + "(bound \(bounds.maxMilliseconds) ms)"
                )
            }
            let before = baseline.load(ordering: .relaxed)
            guard before >= 0, let now = ResidentMemory.bytes() else { continue }
            if now - before > bounds.maxGrowthBytes, startedAt.load(ordering: .acquiring) == start {
                fatalError(
                    "memory bound broken: resident memory grew by \((now - before) >> 20) MiB while the document was "
                        + "being handled (bound \(bounds.maxGrowthMiB) MiB)"
                )
            }
        }
    }
}
