internal import Metrics
public import Prometheus

/// The process-wide Prometheus registry behind swift-metrics' global API, which `/metrics`
/// serves after the kernel's series.
///
/// A system that counts something as it happens records it with swift-metrics
/// (`Counter(label: "trellis_jobs_failed_total").increment()`), never importing this module.
///
/// ```swift
/// let admin = AdminSystem(dataDirectory: dataDir, processMetrics: ProcessMetrics.registry)
/// ```
public enum ProcessMetrics {
    /// Bootstraps `MetricsSystem` with a `PrometheusMetricsFactory` on first use and returns
    /// its registry.
    ///
    /// - Important: swift-metrics allows one bootstrap per process; a `static let` runs its
    ///   initializer once however many servers the process creates (tests create many). When
    ///   the host program bootstrapped swift-metrics itself, its Prometheus registry is used if
    ///   it has one; with another backend this is `nil` and those metrics go to that backend.
    public static let registry: PrometheusCollectorRegistry? = {
        if let factory = MetricsSystem.factory as? PrometheusMetricsFactory { return factory.registry }
        guard MetricsSystem.factory is NOOPMetricsHandler else { return nil }
        let registry = PrometheusCollectorRegistry()
        MetricsSystem.bootstrap(PrometheusMetricsFactory(registry: registry))
        return registry
    }()
}
