import RateBudget
import ScalevModel
import Testing

/// The `N/T` syntax shared with the sandbox's `--rate-limit`.
@Suite struct BudgetSpecTests {
    @Test func parsesItemsWithUnitsAndSpaces() throws {
        #expect(try BudgetSpec(parsing: "20/2s,200/20s").windows == [
            RateWindow(length: .seconds(2), limit: 20), RateWindow(length: .seconds(20), limit: 200)])
        #expect(try BudgetSpec(parsing: "100/10s, 10000/1h").windows == BudgetSpec.scalevBusiness.windows)
        #expect(try BudgetSpec(parsing: "60/1m").windows == [RateWindow(length: .seconds(60), limit: 60)])
        #expect(try BudgetSpec(parsing: "5/500ms,7/1.5").windows == [
            RateWindow(length: .milliseconds(500), limit: 5), RateWindow(length: .milliseconds(1500), limit: 7)])
        #expect(BudgetSpec.scalevBusiness.description == "100/10s,10000/1h")
        #expect(BudgetSpec.scalevV2.description == "30/5s")
        #expect(BudgetSpec.storefrontDefault.description == "60/1m")
    }

    @Test(arguments: [
        ("20/2s,,200/20s", ""), ("20/2s,abc", "abc"), ("0/2s", "0/2s"), ("20/2x", "20/2x"), ("20/0s", "20/0s"), ("", ""),
        ("20/2s,20/25h", "20/25h"), ("-3/1s", "-3/1s"),
    ])
    func namesTheBadItem(_ text: String, _ item: String) {
        #expect {
            try BudgetSpec(parsing: text)
        } throws: { error in
            guard case .invalidSpec(let spec, let bad, _) = error as? BudgetError else { return false }
            return spec == text && bad == item && "\(error)".contains("item \"\(item)\"")
        }
    }
}
