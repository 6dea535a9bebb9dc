// SPDX-License-Identifier: Apache-2.0

/// When a process should drain and exit so that a fresh one (started by systemd's `Restart=always`) takes its
/// place — PHP-FPM's `pm.max_requests`, plus the memory ceiling its users keep asking for.
public struct Recycling: Sendable, Equatable {
    /// Requests after which the process recycles; nil: never. Default nil.
    public var maxRequests: Int?
    /// Resident memory above which the process recycles; nil: never. Default nil.
    public var maxResidentBytes: Int?

    /// Recycling after `maxRequests` requests, or above `maxResidentBytes`; nil (the default) is never.
    public init(maxRequests: Int? = nil, maxResidentBytes: Int? = nil) {
        self.maxRequests = maxRequests
        self.maxResidentBytes = maxResidentBytes
    }

    /// Why the process should recycle now, or nil.
    func reason(requestsServed: Int, residentBytes: Int?) -> String? {
        if let maxRequests, requestsServed >= maxRequests {
            return "served \(requestsServed) requests (limit \(maxRequests))"
        }
        if let maxResidentBytes, let residentBytes, residentBytes > maxResidentBytes {
            return "resident memory \(residentBytes / (1 << 20)) MiB is above \(maxResidentBytes / (1 << 20)) MiB"
        }
        return nil
    }
}
