import Foundation
import LunasTesting
import Scalev
import ScalevSandbox
import Testing

@Suite("Retries and ambiguous writes", .testScope)
struct RetryTests {
    @Test("5xx, connection resets and timeouts are retried for reads; every attempt is admitted and observed")
    func readsRetried() async throws {
        let sandbox = try await TestSandbox.start()
        let pacer = RecordingPacer()
        let client = sandbox.client(.apiKey(sandbox.credentials.businessKey), pacer: pacer, configuration: sandbox.configuration(timeout: .milliseconds(400)))
        try await sandbox.fault(["route": "GET /v3/stores", "error_rate": 1, "count": 2])
        #expect(try await client.send(ScalevRequest(method: "GET", path: "/v3/stores"), context: sandbox.context()).status == 200)
        #expect(pacer.statuses == [503, 503, 200])
        #expect(pacer.admits.count == 3)
        #expect(Set(pacer.admits).count == 1 && pacer.admits.first?.family == .business)

        try await sandbox.fault(["route": "GET /v3/customers", "reset_rate": 1, "count": 1])
        #expect(try await client.send(ScalevRequest(method: "GET", path: "/v3/customers"), context: sandbox.context()).status == 200)
        try await sandbox.fault(["route": "GET /v3/products", "latency_ms": 2000, "count": 1])
        #expect(try await client.send(ScalevRequest(method: "GET", path: "/v3/products"), context: sandbox.context()).status == 200)
        try await sandbox.fault(["route": "GET /v3/bundles", "truncate_rate": 1, "count": 1])
        #expect(try await client.send(ScalevRequest(method: "GET", path: "/v3/bundles"), context: sandbox.context()).status == 200)
        let lines = sandbox.log.all
        #expect(lines.contains { $0.contains("no answer within 400 ms") })
        #expect(lines.filter { $0.contains("scalev ↻ retry GET") }.count >= 5)
        // Every admitted attempt went back to the pacer, answered or not (a reset, a timeout).
        #expect(pacer.settled == (1...UInt64(pacer.admits.count)).map { $0 })
        #expect(pacer.statuses.count < pacer.settled.count)
        try await sandbox.stop()
    }

    @Test("a plain-text 429 is retried after its reset, through the pacer; too many give up with status 429")
    func rateLimited() async throws {
        let sandbox = try await TestSandbox.start()
        let pacer = RecordingPacer()
        let paced = sandbox.client(.apiKey(sandbox.credentials.businessKey), pacer: pacer)
        try await sandbox.fault(["route": "GET /v3/products", "rate_limit_rate": 1, "count": 1])
        #expect(try await paced.send(ScalevRequest(method: "GET", path: "/v3/products"), context: sandbox.context()).status == 200)
        #expect(pacer.statuses == [429, 200])
        let limited = try #require(pacer.observations.first)
        #expect(limited.headers.contains { $0.0.lowercased() == "x-ratelimit-reset" })
        #expect(pacer.admits.count == 2)

        let alone = sandbox.client(.apiKey(sandbox.credentials.businessKey))
        try await sandbox.fault(["route": "GET /v3/products", "rate_limit_rate": 1, "count": 1])
        #expect(try await alone.send(ScalevRequest(method: "GET", path: "/v3/products"), context: sandbox.context()).status == 200)

        let impatient = sandbox.client(.apiKey(sandbox.credentials.businessKey), configuration: sandbox.configuration(attempts: 2))
        try await sandbox.fault(["route": "GET /v3/products", "rate_limit_rate": 1, "count": 5])
        let error = await sandbox.expectError { _ = try await impatient.send(ScalevRequest(method: "GET", path: "/v3/products"), context: sandbox.context()) }
        #expect(error?.status == 429 && error?.retryable == true && error?.message.hasPrefix("Too many requests") == true)
        try await sandbox.stop()
    }

    @Test("no retry starts past the run's deadline")
    func deadline() async throws {
        let sandbox = try await TestSandbox.start()
        var configuration = sandbox.configuration(attempts: 10)
        configuration.backoffBase = .seconds(5)
        configuration.backoffCap = .seconds(5)
        let client = sandbox.client(.apiKey(sandbox.credentials.businessKey), configuration: configuration)
        try await sandbox.fault(["route": "GET /v3/stores", "error_rate": 1, "count": 100])
        let context = sandbox.context(deadline: .now + .seconds(1))
        let error = await sandbox.expectError { _ = try await client.send(ScalevRequest(method: "GET", path: "/v3/stores"), context: context) }
        #expect(error?.code == "deadline_exceeded" && error?.status == 503)
        #expect(error?.message.contains("deadline") == true)
        let late = await sandbox.expectError {
            _ = try await client.send(ScalevRequest(method: "GET", path: "/v3/stores"), context: sandbox.context(deadline: .now - .seconds(1)))
        }
        #expect(late?.code == "deadline_exceeded" && late?.status == nil)
        try await sandbox.stop()
    }

    @Test("an order create whose answer was lost is found by its request id, not sent twice", .timeLimit(.minutes(1)))
    func lostCreateAnswerIsFound() async throws {
        let sandbox = try await TestSandbox.start()
        let receiver = try await sandbox.harness.webhookReceiver()
        try await sandbox.admin("POST", "/webhooks", ["url": .string(receiver.url)])
        // The second admit is the look-up: hold it until the sandbox has created the order
        // (its order.created webhook arrived), so the look-up cannot outrun the slow create.
        let pacer = RecordingPacer { number in
            guard number == 2 else { return }
            for await delivery in receiver.deliveries where String(decoding: delivery.body, as: UTF8.self).contains("\"order.created\"") { break }
        }
        let client = sandbox.client(.apiKey(sandbox.credentials.businessKey), pacer: pacer, configuration: sandbox.configuration(timeout: .milliseconds(300)))
        try await sandbox.fault(["route": "POST /v3/orders", "latency_ms": 1500, "count": 1])
        let email = "lost-answer@example.com"
        let response = try await client.send(ScalevRequest(method: "POST", path: "/v3/orders", body: try await sandbox.digitalOrder(email: email)), context: sandbox.context())
        #expect(response.status == 200)
        #expect(response.value["metadata"]["lunas_request_id"].stringValue?.isEmpty == false)
        #expect(response.value["customer_email"] == .string(email))
        #expect(try await sandbox.orderCount(email: email) == 1)
        #expect(pacer.admits.count == 2)
        #expect(sandbox.log.all.contains { $0.contains("found the order created by request") })
        try await receiver.stop()
        try await sandbox.stop()
    }

    @Test("an order create that failed before it was applied is looked up, then sent once more")
    func failedCreateIsSentAgain() async throws {
        let sandbox = try await TestSandbox.start()
        let pacer = RecordingPacer()
        let client = sandbox.client(.apiKey(sandbox.credentials.businessKey), pacer: pacer)
        try await sandbox.fault(["route": "POST /v3/orders", "error_rate": 1, "count": 1])
        let email = "failed-once@example.com"
        var body = try await sandbox.digitalOrder(email: email)
        body = .object((body.objectValue ?? [:]).merging(["metadata": ["campaign": "x"]]) { $1 })
        let response = try await client.send(ScalevRequest(method: "POST", path: "/v3/orders", body: body), context: sandbox.context())
        #expect(response.status == 200)
        #expect(response.value["metadata"]["campaign"] == "x")
        #expect(try await sandbox.orderCount(email: email) == 1)
        #expect(pacer.statuses == [503, 200, 200])  // create, look-up (nothing), create again
        try await sandbox.stop()
    }

    @Test("other writes are not repeated after an ambiguous failure; idempotent ones are")
    func nonIdempotentNotRepeated() async throws {
        let sandbox = try await TestSandbox.start()
        let pacer = RecordingPacer()
        let client = sandbox.client(.apiKey(sandbox.credentials.businessKey), pacer: pacer)
        let created = try await client.send(ScalevRequest(method: "POST", path: "/v3/orders", body: try await sandbox.digitalOrder(email: "digital@example.com")), context: sandbox.context())
        let id = try #require(created.value["id"].stringValue)
        try await sandbox.fault(["route": "POST /v3/orders/{id}/send-product-digital", "error_rate": 1, "count": 1])
        let before = pacer.admits.count
        let error = await sandbox.expectError {
            _ = try await client.send(ScalevRequest(method: "POST", path: "/v3/orders/\(id)/send-product-digital"), context: sandbox.context())
        }
        #expect(error?.code == "ambiguous_write" && error?.retryable == false && error?.status == 503)
        #expect(error?.ambiguous == true)
        #expect(error?.message.contains("may or may not have been applied") == true)
        #expect(pacer.admits.count == before + 1)
        try await sandbox.fault(["route": "POST /v3/orders/{id}/duplicate", "reset_rate": 1, "count": 1])
        let reset = await sandbox.expectError {
            _ = try await client.send(ScalevRequest(method: "POST", path: "/v3/orders/\(id)/duplicate", body: [:]), context: sandbox.context())
        }
        #expect(reset?.code == "ambiguous_write" && reset?.status == nil && reset?.ambiguous == true)
        #expect(try await sandbox.orderCount(email: "digital@example.com") == 1)

        try await sandbox.fault(["route": "PATCH /v3/orders/{id}", "error_rate": 1, "count": 1])
        let patched = try await client.send(ScalevRequest(method: "PATCH", path: "/v3/orders/\(id)", body: ["notes": "retried"]), context: sandbox.context())
        #expect(patched.value["notes"] == "retried")
        try await sandbox.fault(["route": "POST /v3/orders/{id}/update-tags", "reset_rate": 1, "count": 1])
        let tagged = try await client.send(ScalevRequest(method: "POST", path: "/v3/orders/\(id)/update-tags", body: ["tags": ["vip"]]), context: sandbox.context())
        #expect(tagged.value["tags"] == ["vip"])
        try await sandbox.stop()
    }

    @Test("a failure is ambiguous when a write may have been applied: not a read's, not a clear refusal's")
    func ambiguousMarksWritesThatMayHaveBeenApplied() async throws {
        let sandbox = try await TestSandbox.start()
        let client = sandbox.client(.apiKey(sandbox.credentials.businessKey), configuration: sandbox.configuration(attempts: 2))
        let created = try await client.send(ScalevRequest(method: "POST", path: "/v3/orders", body: try await sandbox.digitalOrder(email: "ambiguous@example.com")), context: sandbox.context())
        let id = try #require(created.value["id"].stringValue)
        // a PATCH is retried after a 5xx; when every attempt fails it may still have been applied
        try await sandbox.fault(["route": "PATCH /v3/orders/{id}", "error_rate": 1, "count": 2])
        let patch = await sandbox.expectError {
            _ = try await client.send(ScalevRequest(method: "PATCH", path: "/v3/orders/\(id)", body: ["notes": "x"]), context: sandbox.context())
        }
        #expect(patch?.status == 503 && patch?.retryable == true && patch?.ambiguous == true)
        // the same failures of a read change nothing
        try await sandbox.fault(["route": "GET /v3/stores", "error_rate": 1, "count": 2])
        let read = await sandbox.expectError { _ = try await client.send(ScalevRequest(method: "GET", path: "/v3/stores"), context: sandbox.context()) }
        #expect(read?.status == 503 && read?.ambiguous == false)
        // a clear refusal of a write was not applied
        let refused = await sandbox.expectError {
            _ = try await client.send(ScalevRequest(method: "PATCH", path: "/v3/orders/does-not-exist", body: ["notes": "x"]), context: sandbox.context())
        }
        #expect(refused?.status != nil && refused?.retryable == false && refused?.ambiguous == false)
        try await sandbox.stop()
    }
}
