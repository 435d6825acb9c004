import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import Prometheus
import ScalevModel

/// The runner's HTTP endpoints: `POST /webhooks/NAME` (the intake), `/healthz` (the process is
/// alive), `/readyz` (its store answers and its rules are loaded), `/metrics` (Prometheus text).
enum RunnerRoutes {
    static func router(intake: WebhookIntake, ready: @escaping @Sendable () async -> String?, registry: PrometheusCollectorRegistry) -> Router<BasicRequestContext> {
        let router = Router(context: BasicRequestContext.self)
        let signatureField = HTTPField.Name(WebhookSignature.header)
        router.post("webhooks/:source") { request, context -> Response in
            let source = context.parameters.get("source") ?? ""
            let limit = intake.maxBody(of: source) ?? 0
            let buffer: ByteBuffer
            do {
                buffer = try await request.body.collect(upTo: max(limit, 1))
            } catch {
                return json(limit == 0 ? await intake.receive(source: source, body: [], signature: nil) : intake.tooLarge(source))
            }
            let signature = signatureField.flatMap { request.headers[$0] }
            return json(await intake.receive(source: source, body: Array(buffer.readableBytesView), signature: signature))
        }
        router.get("healthz") { _, _ in json(.init(status: 200, body: ["ok": true])) }
        router.get("readyz") { _, _ in
            if let problem = await ready() { return json(.init(status: 503, body: ["ready": false, "problem": .string(problem)])) }
            return json(.init(status: 200, body: ["ready": true]))
        }
        router.get("metrics") { _, _ in
            Response(status: .ok, headers: [.contentType: "text/plain; version=0.0.4"],
                     body: ResponseBody(byteBuffer: ByteBuffer(bytes: registry.emitToBuffer())))
        }
        return router
    }

    private static func json(_ answer: WebhookIntake.Answer) -> Response {
        Response(status: HTTPResponse.Status(code: answer.status), headers: [.contentType: "application/json"],
                 body: ResponseBody(byteBuffer: ByteBuffer(bytes: answer.body.encoded() + [0x0a])))
    }
}
