import Foundation
import VerifyCLI

@main
enum Entry {
    static func main() {
        exit(RootCommand.runAndExitCode(Array(CommandLine.arguments.dropFirst())))
    }
}
