// SPDX-License-Identifier: Apache-2.0
import Foundation

/// Runs a request's async work on the FastCGI worker thread that received it.
///
/// The worker thread calls `runBlocking`, which starts the operation as a task that prefers this executor and then
/// runs every job the task (and its child tasks) enqueue, until the operation returns. Nothing waits on Swift's
/// cooperative pool, which has only one thread per core: measured here, `Task {}` plus a semaphore cost ~20 µs a
/// request, this ~1.6 µs. Work isolated to an actor still runs where the actor runs and then comes back here.
public final class WorkerThreadExecutor: TaskExecutor, @unchecked Sendable {
    // @unchecked: `jobs` and `finished` are only touched with `condition` held.
    private let condition = NSCondition()
    private var jobs: [UnownedJob] = []
    private var finished = false

    /// An executor with no jobs, for one worker thread.
    public init() {}

    /// Queues `job` for the thread in `runBlocking`; Swift's runtime calls it, from any thread.
    public func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        condition.lock()
        jobs.append(job)
        condition.signal()
        condition.unlock()
    }

    private func markFinished() {
        condition.lock()
        finished = true
        condition.signal()
        condition.unlock()
    }

    /// Runs `operation` to completion on the calling thread and returns its result. Call it from one thread only.
    public func runBlocking<Result: Sendable>(_ operation: @escaping @Sendable () async -> Result) -> Result {
        let outcome = Outcome<Result>()
        condition.lock()
        finished = false
        condition.unlock()
        Task(executorPreference: self) {
            outcome.value = await operation()
            self.markFinished()
        }
        var batch: [UnownedJob] = []
        while true {
            condition.lock()
            while jobs.isEmpty && !finished { condition.wait() }
            if jobs.isEmpty {
                condition.unlock()
                break
            }
            swap(&batch, &jobs)
            condition.unlock()
            for job in batch { job.runSynchronously(on: asUnownedTaskExecutor()) }
            batch.removeAll(keepingCapacity: true)
        }
        return outcome.value!
    }
}

/// The result of the operation, written by the task and read by the thread after the task finished.
private final class Outcome<Value>: @unchecked Sendable {
    var value: Value?
}
