import Foundation
import Testing

@testable import Server

@Suite struct WorkerThreadExecutorTests {
    actor Counter {
        var value = 0
        func increment() -> Int {
            value += 1
            return value
        }
    }

    @Test func runsTheOperationOnTheCallingThreadAndReturnsItsResult() {
        let executor = WorkerThreadExecutor()
        let result: (Bool, Int) = runOnNewThread {
            let caller = pthread_self()
            return executor.runBlocking {
                let sameThread = pthread_equal(pthread_self(), caller) != 0
                let counter = Counter()
                // Child tasks and an actor hop: the operation still completes and comes back here.
                let sum = await withTaskGroup(of: Int.self) { group in
                    for _ in 0..<10 { group.addTask { await counter.increment() } }
                    return await group.reduce(0, +)
                }
                return (sameThread, sum)
            }
        }
        #expect(result.0)
        #expect(result.1 == 55)
    }

    @Test func canBeUsedForManyRequestsInARow() {
        let executor = WorkerThreadExecutor()
        let total: Int = runOnNewThread {
            (0..<1_000).reduce(0) { sum, i in sum + executor.runBlocking { await Task.yield(); return i } }
        }
        #expect(total == 499_500)
    }

    private func runOnNewThread<T>(_ body: @escaping @Sendable () -> T) -> T {
        let box = Box<T>()
        let done = DispatchSemaphore(value: 0)
        Thread {
            box.value = body()
            done.signal()
        }.start()
        done.wait()
        return box.value!
    }
}

private final class Box<T>: @unchecked Sendable {
    var value: T?
}
