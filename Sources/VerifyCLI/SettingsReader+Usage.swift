import ArgumentParser
import CommandSettings

extension SettingsReader {
    /// Throws the problems as a usage error, so ArgumentParser prints them with the command's
    /// own usage (and `atcr-verify` exits 2, bad input).
    func checkAsUsage() throws {
        do {
            try check()
        } catch {
            throw ValidationError(error.description)
        }
    }
}
