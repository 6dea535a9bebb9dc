// SPDX-License-Identifier: Apache-2.0
import Foundation
import Synchronization

/// Keeps about `concurrency` worker threads polling and serving at once, and lets parked ones in while those wait.
///
/// More threads than cores, all waiting on the connection poll, cost a sleep and a wake-up per request on a thread
/// whose caches are cold: at 32 connections, `{ hello }` cost 42 µs of worker CPU with 64 threads polling and 27 µs
/// with 2 (which then rarely sleep, finding the next request ready). But a request that waits on Kratos, a database
/// or an upstream holds its thread, so the pool needs many threads to keep serving while some wait. So the threads
/// beyond `concurrency` park (most recently parked woken first), and a monitor lets one in when requests are
/// waiting in the poll, no thread is polling, and an active thread is waiting rather than running: its CPU clock
/// advanced less than 5% of the time since the monitor last looked. Nothing has to say it blocks: a synchronous
/// database call, a Kratos call awaited on the thread and a resolver sleeping all look the same. Threads let in
/// stay while the ones they stand in for wait; a thread that finds more than `concurrency` plus those active when
/// it is done parks again.
final class ThreadAdmission: Sendable {
    /// One worker thread's place in the admission: its parking spot and its CPU clock.
    final class Gate: @unchecked Sendable {
        // @unchecked: `released` is only touched with `condition` held; `sampled` only by the monitor thread.
        fileprivate let condition = NSCondition()
        fileprivate var released = false
        fileprivate let clock = Atomic<Int32>(-1)
        fileprivate let serving = Atomic<Bool>(false)
        fileprivate var sampled: (cpu: Int64, wall: UInt64) = (0, 0)

        fileprivate init() {}
    }

    let gates: [Gate]
    private let concurrency: Int
    private let hasPendingWork: @Sendable () -> Bool
    private let active = Atomic<Int>(0)
    private let pollers = Atomic<Int>(0)
    private let parked = Mutex<[Gate]>([])
    private let closed = Atomic<Bool>(false)
    /// Active threads the monitor last saw waiting rather than running: they do not count against `concurrency`,
    /// so a thread let in for one stays in until it runs again.
    private let stalled = Atomic<Int>(0)
    /// How often the monitor looks: long enough that a thread merely preempted (2 cores shared with nginx) rarely
    /// looks like one waiting.
    private static let tick = 0.002

    /// Admission for `threads` threads, `concurrency` of them active while none waits; `hasPendingWork` tells
    /// whether requests wait in the poll.
    init(threads: Int, concurrency: Int, hasPendingWork: @escaping @Sendable () -> Bool) {
        self.gates = (0..<threads).map { _ in Gate() }
        self.concurrency = max(1, concurrency)
        self.hasPendingWork = hasPendingWork
    }

    /// Starts the monitor thread.
    func start() {
        let monitor = Thread { [self] in
            while !closed.load(ordering: .relaxed) {
                Thread.sleep(forTimeInterval: Self.tick)
                admitWhileWaiting()
            }
        }
        monitor.name = "fcgi-admission"
        monitor.start()
    }

    /// A worker thread starts: it counts as active until it parks.
    func join(_ gate: Gate) {
        gate.clock.store(LibFCGI.currentThreadCPUClock(), ordering: .relaxed)
        active.add(1, ordering: .sequentiallyConsistent)
    }

    /// A worker thread exits.
    func leave(_ gate: Gate) { active.subtract(1, ordering: .sequentiallyConsistent) }

    /// Returns once the calling thread may poll: at once while no more than `concurrency` threads are active,
    /// else after parking until the monitor (or `close`) lets it in.
    func admit(_ gate: Gate) {
        while !closed.load(ordering: .relaxed) {
            let current = active.load(ordering: .sequentiallyConsistent)
            if current <= concurrency + stalled.load(ordering: .sequentiallyConsistent) { return }
            if active.compareExchange(expected: current, desired: current - 1, ordering: .sequentiallyConsistent).exchanged {
                // Let in (and counted active) by the monitor, or by `close`: poll now, whatever the count says.
                return park(gate)
            }
        }
    }

    /// The calling thread polls (`true`) or stopped polling.
    func polling(_ isPolling: Bool) { pollers.add(isPolling ? 1 : -1, ordering: .sequentiallyConsistent) }

    /// The calling thread serves a request (`true`) or is done with it.
    func serving(_ gate: Gate, _ isServing: Bool) { gate.serving.store(isServing, ordering: .relaxed) }

    /// Lets every parked thread in, for good (the pool drains).
    func close() {
        closed.store(true, ordering: .sequentiallyConsistent)
        for gate in gates {
            gate.condition.lock()
            gate.condition.signal()
            gate.condition.unlock()
        }
    }

    private func park(_ gate: Gate) {
        gate.condition.lock()
        gate.released = false
        parked.withLock { $0.append(gate) }
        while !gate.released, !closed.load(ordering: .sequentiallyConsistent) { gate.condition.wait() }
        // Let in by `close`: count itself active again (a release already counted it).
        if !gate.released { active.add(1, ordering: .sequentiallyConsistent) }
        gate.condition.unlock()
    }

    /// The monitor's look: count the active threads that wait rather than run, and let parked threads in until
    /// `concurrency` plus that many are active, while requests wait in the poll.
    private func admitWhileWaiting() {
        let now = DispatchTime.now().uptimeNanoseconds
        var waiting = 0
        for gate in gates {
            guard gate.serving.load(ordering: .relaxed) else {
                gate.sampled = (0, 0)  // a new request is measured from its own first look
                continue
            }
            let cpu = LibFCGI.cpuNanoseconds(clock: gate.clock.load(ordering: .relaxed))
            let (lastCPU, lastWall) = gate.sampled
            gate.sampled = (cpu, now)
            if lastWall != 0, now > lastWall, (cpu - lastCPU) * 20 < Int64(now - lastWall) { waiting += 1 }
        }
        stalled.store(waiting, ordering: .sequentiallyConsistent)
        guard waiting > 0, pollers.load(ordering: .sequentiallyConsistent) == 0, hasPendingWork() else { return }
        while active.load(ordering: .sequentiallyConsistent) < concurrency + waiting {
            guard let gate = parked.withLock({ $0.popLast() }) else { return }
            active.add(1, ordering: .sequentiallyConsistent)
            gate.condition.lock()
            gate.released = true
            gate.condition.signal()
            gate.condition.unlock()
        }
    }
}
