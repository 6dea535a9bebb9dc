// SPDX-License-Identifier: Apache-2.0
// Every raw libcurl call: the multi handle driven by one I/O thread, easy handles, callbacks. Nothing else in the
// module touches an unsafe pointer.
import CCurl
import Foundation

/// One transfer in flight: its easy handle, what has arrived so far, and the continuation to resume.
final class CurlTransfer: @unchecked Sendable {
    // @unchecked: after submission only the I/O thread touches it.
    let request: HTTPClientRequest
    let maxResponseBytes: Int
    let continuation: CheckedContinuation<HTTPClientResponse, any Error>
    var handle: UnsafeMutableRawPointer?
    var headerList: UnsafeMutablePointer<curl_slist>?
    var body: [UInt8] = []
    var headers: [(name: String, value: String)] = []
    var exceededLimit = false

    init(request: HTTPClientRequest, maxResponseBytes: Int, continuation: CheckedContinuation<HTTPClientResponse, any Error>) {
        self.request = request
        self.maxResponseBytes = maxResponseBytes
        self.continuation = continuation
    }
}

/// libcurl's multi interface on a dedicated thread: transfers are added from any thread, run concurrently on reused
/// connections, and complete by resuming their continuation. No call ever blocks a caller's thread.
final class CurlMulti: @unchecked Sendable {
    // @unchecked: `multi`, `inFlight` and `idleHandles` belong to the I/O thread; `submitted` and `stopping` are
    // guarded by `lock`.
    private let multi: UnsafeMutableRawPointer
    private let configuration: HTTPClientConfiguration
    private let lock = NSLock()
    private var submitted: [CurlTransfer] = []
    private var stopping = false
    private var inFlight: [UnsafeMutableRawPointer: CurlTransfer] = [:]
    private var idleHandles: [UnsafeMutableRawPointer] = []

    private static let globalInit: Void = { curl_global_init(Int(CURL_GLOBAL_ALL)) }()

    init(configuration: HTTPClientConfiguration) {
        _ = Self.globalInit
        self.configuration = configuration
        multi = curl_multi_init()!
        CCurl_multi_setopt_long(multi, CURLMOPT_MAX_HOST_CONNECTIONS, configuration.maxConnectionsPerHost)
        CCurl_multi_setopt_long(multi, CURLMOPT_MAXCONNECTS, configuration.maxConnectionsPerHost)
        let thread = Thread { [self] in run() }
        thread.name = "curl-io"
        thread.start()
    }

    func submit(_ transfer: CurlTransfer) {
        lock.lock()
        let accepted = !stopping
        if accepted { submitted.append(transfer) }
        lock.unlock()
        guard accepted else {
            transfer.continuation.resume(throwing: HTTPClientError(.shutdown))
            return
        }
        curl_multi_wakeup(multi)
    }

    func shutdown() {
        lock.lock()
        stopping = true
        lock.unlock()
        curl_multi_wakeup(multi)
    }

    private func run() {
        while true {
            lock.lock()
            let newTransfers = submitted
            submitted.removeAll()
            let stop = stopping
            lock.unlock()
            for transfer in newTransfers { start(transfer) }
            if stop { break }

            var running: Int32 = 0
            curl_multi_perform(multi, &running)
            var queued: Int32 = 0
            while let message = curl_multi_info_read(multi, &queued) {
                guard message.pointee.msg == CURLMSG_DONE, let handle = message.pointee.easy_handle else { continue }
                complete(handle, result: message.pointee.data.result)
            }
            curl_multi_poll(multi, nil, 0, 1000, nil)
        }
        for handle in Array(inFlight.keys) { complete(handle, result: CURLE_ABORTED_BY_CALLBACK, error: HTTPClientError(.shutdown)) }
        for handle in idleHandles { curl_easy_cleanup(handle) }
        curl_multi_cleanup(multi)
    }

    private func start(_ transfer: CurlTransfer) {
        let handle = idleHandles.popLast() ?? curl_easy_init()!
        transfer.handle = handle
        let request = transfer.request
        let context = Unmanaged.passUnretained(transfer).toOpaque()
        CCurl_easy_setopt_string(handle, CURLOPT_URL, request.url)
        CCurl_easy_setopt_string(handle, CURLOPT_PROTOCOLS_STR, "http,https")
        // Straight to the server the URL names: never through a proxy named by the environment (`http_proxy`),
        // which would see every call and its headers.
        CCurl_easy_setopt_string(handle, CURLOPT_NOPROXY, "*")
        CCurl_easy_setopt_long(handle, CURLOPT_NOSIGNAL, 1)
        // Nagle + delayed ACK cost ~40 ms per call on a kept connection; requests are small, send them at once.
        CCurl_easy_setopt_long(handle, CURLOPT_TCP_NODELAY, 1)
        CCurl_easy_setopt_long(handle, CURLOPT_CONNECTTIMEOUT_MS, milliseconds(configuration.connectTimeout))
        CCurl_easy_setopt_long(handle, CURLOPT_TIMEOUT_MS, milliseconds(request.timeout))
        CCurl_easy_setopt_write_function(handle, { data, size, count, context in
            let transfer = Unmanaged<CurlTransfer>.fromOpaque(context!).takeUnretainedValue()
            let length = size * count
            guard transfer.body.count + length <= transfer.maxResponseBytes else {
                transfer.exceededLimit = true
                return 0  // libcurl stops the transfer with CURLE_WRITE_ERROR
            }
            data!.withMemoryRebound(to: UInt8.self, capacity: length) {
                transfer.body.append(contentsOf: UnsafeBufferPointer(start: $0, count: length))
            }
            return length
        })
        CCurl_easy_setopt_pointer(handle, CURLOPT_WRITEDATA, context)
        CCurl_easy_setopt_header_function(handle, { data, size, count, context in
            let transfer = Unmanaged<CurlTransfer>.fromOpaque(context!).takeUnretainedValue()
            let length = size * count
            let line = data!.withMemoryRebound(to: UInt8.self, capacity: length) {
                String(decoding: UnsafeBufferPointer(start: $0, count: length), as: UTF8.self)
            }
            if line.hasPrefix("HTTP/") {
                transfer.headers.removeAll()  // a new response (after a 100 Continue or a redirect) starts
            } else if let colon = line.firstIndex(of: ":") {
                let name = line[..<colon].lowercased()
                let value = line[line.index(after: colon)...].trimmingCharacters(in: .whitespacesAndNewlines)
                transfer.headers.append((name, value))
            }
            return length
        })
        CCurl_easy_setopt_pointer(handle, CURLOPT_HEADERDATA, context)

        var headerList: UnsafeMutablePointer<curl_slist>? = curl_slist_append(nil, "Expect:")
        for (name, value) in request.headers { headerList = curl_slist_append(headerList, "\(name): \(value)") }
        transfer.headerList = headerList
        CCurl_easy_setopt_pointer(handle, CURLOPT_HTTPHEADER, UnsafeMutableRawPointer(headerList))

        switch request.method {
        case "GET": CCurl_easy_setopt_long(handle, CURLOPT_HTTPGET, 1)
        case "POST": CCurl_easy_setopt_long(handle, CURLOPT_POST, 1)
        default: CCurl_easy_setopt_string(handle, CURLOPT_CUSTOMREQUEST, request.method)
        }
        if let body = request.body {
            CCurl_easy_setopt_long(handle, CURLOPT_POSTFIELDSIZE, body.count)
            _ = body.withUnsafeBytes { CCurl_easy_setopt_pointer(handle, CURLOPT_COPYPOSTFIELDS, UnsafeMutableRawPointer(mutating: $0.baseAddress ?? UnsafeRawPointer(bitPattern: 1)!)) }
        }
        inFlight[handle] = transfer
        curl_multi_add_handle(multi, handle)
    }

    private func complete(_ handle: UnsafeMutableRawPointer, result: CURLcode, error: HTTPClientError? = nil) {
        guard let transfer = inFlight.removeValue(forKey: handle) else { return }
        var status = 0
        CCurl_easy_getinfo_long(handle, CURLINFO_RESPONSE_CODE, &status)
        curl_multi_remove_handle(multi, handle)
        curl_slist_free_all(transfer.headerList)
        curl_easy_reset(handle)
        idleHandles.append(handle)

        if let error {
            transfer.continuation.resume(throwing: error)
        } else if result == CURLE_OK {
            transfer.continuation.resume(returning: HTTPClientResponse(status: status, headers: transfer.headers, body: transfer.body))
        } else {
            transfer.continuation.resume(throwing: Self.error(for: result, exceededLimit: transfer.exceededLimit))
        }
    }

    private static func error(for result: CURLcode, exceededLimit: Bool) -> HTTPClientError {
        let detail = String(cString: curl_easy_strerror(result))
        switch result {
        case CURLE_COULDNT_CONNECT, CURLE_COULDNT_RESOLVE_HOST: return HTTPClientError(.connectFailed, detail)
        case CURLE_OPERATION_TIMEDOUT: return HTTPClientError(.timedOut, detail)
        case CURLE_WRITE_ERROR where exceededLimit: return HTTPClientError(.responseTooLarge)
        default: return HTTPClientError(.transport, detail)
        }
    }

    private func milliseconds(_ duration: Duration) -> Int {
        let (seconds, attoseconds) = duration.components
        return max(1, Int(seconds) * 1000 + Int(attoseconds / 1_000_000_000_000_000))
    }
}
