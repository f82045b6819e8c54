import Foundation
import VerifyCLI

@main
enum Entry {
    static func main() async {
        exit(await RootCommand.runAndExitCode(Array(CommandLine.arguments.dropFirst())))
    }
}
