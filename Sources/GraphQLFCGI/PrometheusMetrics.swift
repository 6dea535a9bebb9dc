// SPDX-License-Identifier: Apache-2.0
import CoreMetrics
import Prometheus

/// swift-metrics' backend for this process: swift-prometheus, rendered at `/metrics`. Latency buckets start at
/// 0.5 ms, because a cached request takes about a tenth of a millisecond of worker time.
struct PrometheusMetrics: Sendable {
    let registry: PrometheusCollectorRegistry

    static func bootstrap() -> PrometheusMetrics {
        let registry = PrometheusCollectorRegistry()
        var factory = PrometheusMetricsFactory(registry: registry)
        factory.defaultDurationHistogramBuckets = [
            .microseconds(500), .milliseconds(1), .milliseconds(2), .milliseconds(5), .milliseconds(10),
            .milliseconds(25), .milliseconds(50), .milliseconds(100), .milliseconds(250), .milliseconds(500),
            .seconds(1), .milliseconds(2500), .seconds(5), .seconds(10),
        ]
        MetricsSystem.bootstrap(factory)
        return PrometheusMetrics(registry: registry)
    }

    var render: @Sendable () -> [UInt8] { { [registry] in registry.emitToBuffer() } }
}
