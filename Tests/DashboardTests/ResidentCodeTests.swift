import Dashboard
import Foundation
import Testing

/// Once its first frame is up, the dashboard hands its code mappings back to the kernel (`ResidentCode`): the code
/// resident afterwards is only what runs again, and the program goes on as before.
@Suite struct ResidentCodeTests {
    /// KiB resident in the clean file-backed code mappings of this process: the ones `release` unmaps.
    private func residentCleanCode() throws -> Double {
        let mappings = try #require(ProcessMapping.of())
        return mappings.filter { $0.permissions == "r-xp" && $0.path != nil && $0.anonymousKiB == 0 }.map(\.residentKiB).reduce(0, +)
    }

    @Test func releasingUnmapsCodeAndTheProgramRunsOn() throws {
        let size = Size(width: 120, height: 40)
        let state = Fixture.run(Fixture.state(focus: .failed), [.resized(size)]).0
        let before = render(state, size: size).text
        let resident = try residentCleanCode()
        #expect(resident > 1_024, "the test process runs more than a MiB of code: \(resident) KiB")

        let released = ResidentCode.release()

        #expect(released >= resident * 0.9, "released \(released) of \(resident) KiB")
        // Only the code run since comes back (this test, the allocator, the reading of smaps itself).
        #expect(try residentCleanCode() < resident / 2)
        #expect(render(state, size: size).text == before)
    }

    @Test func aMappingReadsWithWhatItMapsAndWhatIsResident() throws {
        let mappings = try #require(ProcessMapping.of())
        let code = try #require(mappings.first { $0.permissions == "r-xp" && $0.path == CommandLine.arguments[0].realPath })
        #expect(code.end > code.start && code.residentKiB > 0 && code.residentKiB <= Double(code.end - code.start) / 1024)
        #expect(mappings.contains { $0.path == nil && $0.residentKiB > 0 }, "the heap and stacks are anonymous")
        #expect(ProcessMapping.of("0") == nil)
    }
}

private extension String {
    var realPath: String { URL(fileURLWithPath: self).resolvingSymlinksInPath().path }
}
