import ScalevModel

/// Customer courses: the course of an owned variant, its sections and lessons, and progress.
/// A customer owns a course when a paid (or settled) order of theirs holds the course variant;
/// otherwise the routes answer 403.
enum CourseRoutes {
    static func register(_ registry: inout RouteRegistry) {
        registry.customer("GET", "/variants/{uuid}/course") { request, state in
            let session = try CustomerRoutes.session(request)
            guard let variant = state.variants.first(where: { $0["uuid"].textValue == request.param("uuid") }),
                variant["item_type"] == "course"
            else { throw APIError.notFound("Course") }
            try requireOwnership(variant["id"], session: session, state: state)
            guard let product = state.products[variant["product_id"].textValue ?? ""] else { throw APIError.notFound("Course") }
            let sections = state.courseSections.ascending.filter { $0["variant_id"] == variant["id"] }.map { section(section: $0, session: session, state: state) }
            return .ok([
                "id": variant["id"], "item_type": "course", "pricing_type": variant["pricing_type"], "interval": .null, "interval_count": .null,
                "validity_period_unit": .null, "validity_period": .null, "product_id": product["id"], "description": product["description"],
                "product_name": product["name"], "fullname": variant["name"], "course_settings": [:], "course_sections": .array(sections),
            ])
        }
        registry.customer("GET", "/course-sections/{uuid}") { request, state in
            let session = try CustomerRoutes.session(request)
            guard let record = state.courseSections[request.param("uuid")] else { throw APIError.notFound("Course section") }
            try requireOwnership(record["variant_id"], session: session, state: state)
            return .ok(section(section: record, session: session, state: state))
        }
        registry.customer("GET", "/course-contents/{uuid}") { request, state in
            let session = try CustomerRoutes.session(request)
            guard let record = state.courseContents[request.param("uuid")] else { throw APIError.notFound("Course content") }
            try requireOwnership(record["variant_id"], session: session, state: state)
            return .ok(content(record, session: session, state: state))
        }
        registry.customer("PATCH", "/course-contents/{uuid}", required: ["progress"]) { request, state in
            let session = try CustomerRoutes.session(request)
            guard let record = state.courseContents[request.param("uuid")] else { throw APIError.notFound("Course content") }
            try requireOwnership(record["variant_id"], session: session, state: state)
            guard let progress = request.body("progress").intValue, (0...100).contains(progress) else {
                throw APIError.invalid("progress", "must be an integer from 0 to 100")
            }
            state.courseProgress["\(session.customerID):\(request.param("uuid"))"] = progress
            return .ok(content(record, session: session, state: state, now: request.now))
        }
    }

    static func requireOwnership(_ variantID: JSON, session: CustomerSession, state: SandboxState) throws {
        let owned = state.orders.first { order in
            order["customer_id"].intValue == session.customerID
                && ["paid", "settled"].contains(order["payment_status"].textValue ?? "")
                && (order["orderlines"].arrayValue?.contains { $0["variant_id"] == variantID } ?? false)
        }
        if owned == nil { throw APIError.forbidden("You do not have access to this course", code: "no_course_access") }
    }

    static func content(_ record: JSON, session: CustomerSession, state: SandboxState, now: Double? = nil) -> JSON {
        var record = record
        let progress = state.courseProgress["\(session.customerID):\(record["uuid"].textValue ?? "")"]
        record["progress"] = progress.map { value in
            ["updated_at": now.map { .string(Timestamp.format($0)) } ?? .null, "progress": .int(value), "is_completed": .bool(value >= 100)]
        } ?? .null
        return record
    }

    static func section(section: JSON, session: CustomerSession, state: SandboxState) -> JSON {
        var section = section
        let contents = (section["content_uuids"].arrayValue ?? []).compactMap { $0.textValue.flatMap { state.courseContents[$0] } }
            .map { content($0, session: session, state: state) }
        section["course_contents"] = .array(contents)
        let done = contents.filter { $0["progress"]["is_completed"] == true }.count
        section["progress"] = .int(contents.isEmpty ? 0 : done * 100 / contents.count)
        section["content_uuids"] = nil
        return section
    }
}
