import ScalevModel
import Testing

@Suite("Name suggestions")
struct NameSuggestionTests {
    @Test("edit distance")
    func distance() {
        #expect(NameSuggestion.editDistance(Array("kitten"), Array("sitting")) == 3)
        #expect(NameSuggestion.editDistance([], Array("abc")) == 3)
        #expect(NameSuggestion.editDistance(Array("same"), Array("same")) == 0)
    }

    @Test("the nearest within the limit, the earlier candidate on a tie")
    func nearest() {
        let exact = NameSuggestion(minimumEdits: 1)
        #expect(exact.nearest(to: "prnt", among: ["print", "pairs"]) == "print")
        #expect(exact.nearest(to: "ab", among: ["ac", "ad"]) == "ac")
        #expect(exact.nearest(to: "zzzz", among: ["print"]) == nil)
        #expect(exact.nearest(to: "PAGESIZE", among: ["page_size"]) == nil)
        #expect(NameSuggestion.catalogNames.nearest(to: "PAGESIZE", among: ["page_size"]) == "page_size")
    }
}
