/// Writes that arrive together commit together: each ``submit(_:)`` waits for the transaction
/// that holds its item, and while one transaction is being written the items that arrive queue
/// for the next. One writer at a time; a batch holds at most `maxBatch` items.
actor GroupCommit<Item: Sendable, Outcome: Sendable> {
    private let write: @Sendable ([Item]) async throws -> [Outcome]
    private let maxBatch: Int
    private var pending: [(item: Item, waiter: CheckedContinuation<Outcome, any Error>)] = []
    private var writing = false

    /// Commits batches with `write`, which returns one outcome per item, in order.
    init(maxBatch: Int = 256, write: @escaping @Sendable ([Item]) async throws -> [Outcome]) {
        self.write = write
        self.maxBatch = max(maxBatch, 1)
    }

    /// Adds `item` to the next transaction and returns its outcome once that committed; throws
    /// what the transaction threw.
    func submit(_ item: Item) async throws -> Outcome {
        try await withCheckedThrowingContinuation { waiter in
            pending.append((item, waiter))
            if !writing {
                writing = true
                Task { await self.drain() }
            }
        }
    }

    private func drain() async {
        while !pending.isEmpty {
            let batch = Array(pending.prefix(maxBatch))
            pending.removeFirst(batch.count)
            do {
                let outcomes = try await write(batch.map(\.item))
                guard outcomes.count == batch.count else { throw GroupCommitMismatch(items: batch.count, outcomes: outcomes.count) }
                for (entry, outcome) in zip(batch, outcomes) { entry.waiter.resume(returning: outcome) }
            } catch {
                for entry in batch { entry.waiter.resume(throwing: error) }
            }
        }
        writing = false
    }
}

/// A batch writer returned a different number of outcomes than it was given items.
struct GroupCommitMismatch: Error, CustomStringConvertible {
    var items: Int
    var outcomes: Int
    var description: String { "a batch of \(items) writes returned \(outcomes) outcomes" }
}
