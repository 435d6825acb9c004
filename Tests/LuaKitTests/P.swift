import Testing
@testable import LuaKit
@Test func p() { #expect(probe() == 0) }
