import Foundation
import FuzzTargets

// Built two ways (scripts/fuzz):
// - with `-sanitize=fuzzer,address -D LIBFUZZER`: main hands over to libFuzzer's driver
//   (`LLVMFuzzerRunDriver`), which calls `fuzzOneInput`; the target comes from the environment
//   variable ATCR_FUZZ_TARGET;
// - in the ordinary build: `atcr-fuzz replay TARGET FILE|DIR…` runs inputs through a target
//   once each (reproducing a crash without the sanitizer build), `atcr-fuzz list` names them.

#if LIBFUZZER
/// libFuzzer's driver, for programs whose `main` is their own.
@_silgen_name("LLVMFuzzerRunDriver")
func LLVMFuzzerRunDriver(
    _ argc: UnsafeMutablePointer<CInt>, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
    _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt
) -> CInt

/// The target named by ATCR_FUZZ_TARGET (a global: initialized once, on first use).
let selected: FuzzTarget = {
    let name = ProcessInfo.processInfo.environment["ATCR_FUZZ_TARGET"] ?? ""
    guard let target = FuzzTarget(rawValue: name) else {
        FileHandle.standardError.write(Data("ATCR_FUZZ_TARGET must be one of: \(FuzzTarget.allCases.map(\.rawValue).joined(separator: ", "))\n".utf8))
        exit(2)
    }
    return target
}()

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    selected.run(data.map { Array(UnsafeBufferPointer(start: $0, count: size)) } ?? [])
    return 0
}

/// The executable's entry point: SwiftPM links `main` to `<module>_main`, so with no `@main`
/// this function is `main`, and it hands over to libFuzzer.
@_cdecl("atcr_fuzz_main")
public func fuzzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    _ = selected
    var count = argc, arguments = argv
    return LLVMFuzzerRunDriver(&count, &arguments, fuzzOneInput)
}
#else
@main
struct FuzzReplay {
    static func main() {
        let arguments = Array(CommandLine.arguments.dropFirst())
        switch arguments.first {
        case "list":
            for target in FuzzTarget.allCases { print("\(target.rawValue)\t\(target.summary)") }
        case "seeds" where arguments.count == 2:
            guard let target = FuzzTarget(rawValue: arguments[1]) else { usage("unknown target '\(arguments[1])'") }
            for directory in target.seedDirectories + [target.crashDirectory] { print(directory) }
        case "replay" where arguments.count >= 3:
            guard let target = FuzzTarget(rawValue: arguments[1]) else { usage("unknown target '\(arguments[1])'") }
            var count = 0
            for path in arguments.dropFirst(2) {
                for file in inputs(at: path) {
                    guard let data = FileManager.default.contents(atPath: file) else { usage("cannot read \(file)") }
                    target.run(Array(data))
                    count += 1
                }
            }
            print("\(target.rawValue): \(count) inputs replayed, no crash")
        default:
            usage(nil)
        }
    }

    static func inputs(at path: String) -> [String] {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue else { return [path] }
        let names = (try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []
        return names.sorted().map { path + "/" + $0 }.filter { !$0.hasSuffix("/.gitkeep") }
    }

    static func usage(_ problem: String?) -> Never {
        if let problem { FileHandle.standardError.write(Data("atcr-fuzz: \(problem)\n".utf8)) }
        FileHandle.standardError.write(Data("usage: atcr-fuzz list | atcr-fuzz seeds TARGET | atcr-fuzz replay TARGET FILE|DIR…  (scripts/fuzz runs them under libFuzzer)\n".utf8))
        exit(2)
    }
}
#endif
