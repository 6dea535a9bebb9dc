// SPDX-License-Identifier: Apache-2.0
import CoreMetrics
import Synchronization

/// Latency and outcome of every call to Kratos, through swift-metrics: `graphql_fcgi_kratos_request_duration_seconds`
/// by route, and `graphql_fcgi_kratos_requests_total` by route and outcome (success, client_error, server_error,
/// unreachable). Routes are paths without their query and with ids replaced, so the series stay few.
enum KratosMetrics {
    private struct Key: Hashable {
        var route: String
        var outcome: String
    }

    private static let timers = Mutex<[String: Timer]>([:])
    private static let counters = Mutex<[Key: Counter]>([:])

    static func record(method: String, path: String, duration: Duration, outcome: String) {
        let route = method + " " + template(path)
        let timer = timers.withLock { timers in
            if let known = timers[route] { return known }
            let timer = Timer(label: "graphql_fcgi_kratos_request_duration_seconds", dimensions: [("route", route)])
            timers[route] = timer
            return timer
        }
        timer.recordNanoseconds(Int64(duration.components.seconds) * 1_000_000_000 + duration.components.attoseconds / 1_000_000_000)
        let key = Key(route: route, outcome: outcome)
        let counter = counters.withLock { counters in
            if let known = counters[key] { return known }
            let counter = Counter(label: "graphql_fcgi_kratos_requests_total", dimensions: [("route", route), ("outcome", outcome)])
            counters[key] = counter
            return counter
        }
        counter.increment()
    }

    /// `/sessions/6f1c…?x=y` → `/sessions/:id`.
    static func template(_ path: String) -> String {
        let withoutQuery = path.split(separator: "?", maxSplits: 1).first.map(String.init) ?? path
        return withoutQuery.split(separator: "/", omittingEmptySubsequences: false).map { segment in
            segment.count >= 16 && segment.contains(where: \.isNumber) ? ":id" : String(segment)
        }.joined(separator: "/")
    }
}
