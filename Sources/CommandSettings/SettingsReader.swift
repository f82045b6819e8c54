import Foundation

/// Reads every setting of an executable — its flag, else its `ATCR_*` environment variable,
/// else its default — through one typed layer, so a variable is validated exactly like its
/// flag: a bad value is a startup error naming the flag or the variable, never a silent default.
///
/// Adding a setting is two obvious lines. Declare the flag *optional* (so "not given" can fall
/// back to the variable) with `.unconditional` parsing for numbers (so `--port -1` is read as a
/// value and reported out of range, not as a missing value), and name the variable and the
/// default in its help:
///
/// ```swift
/// @Option(parsing: .unconditional, help: "Freshness interval in seconds (ATCR_FRESHNESS, default 60).") var freshness: Int?
/// ```
///
/// then read it where the configuration is built, once:
///
/// ```swift
/// configuration.freshness = .seconds(settings.int(freshness, "--freshness", env: "ATCR_FRESHNESS", default: 60, in: 1...3600))
/// ```
///
/// Problems are collected, not thrown one by one, so a person sees all of them at once;
/// `check()` throws them as a `SettingsError` (one line each). Rules: booleans are `true`,
/// `false`, `1` or `0` in any case; numbers are whole decimal numbers within the stated range;
/// an empty variable counts as unset.
public struct SettingsReader: Sendable {
    /// The process environment (or a test's).
    public let environment: [String: String]
    /// The problems found so far, one line each.
    public private(set) var problems: [String] = []
    /// The variables read so far (set or not), for `unreadVariables`.
    public private(set) var consulted: Set<String> = []

    public init(environment: [String: String]) {
        self.environment = environment
    }

    /// A whole number within `range`.
    public mutating func int(_ flag: Int?, _ name: String, env: String? = nil, default fallback: Int, in range: ClosedRange<Int>) -> Int {
        read(flag, name, env: env, default: fallback, expected: "a whole number", parse: { Int($0) }) { value in
            range.contains(value) ? nil : "out of range \(Self.describe(range))"
        }
    }

    /// A whole number of at least `minimum`.
    public mutating func int(_ flag: Int?, _ name: String, env: String? = nil, default fallback: Int, atLeast minimum: Int) -> Int {
        read(flag, name, env: env, default: fallback, expected: "a whole number", parse: { Int($0) }) { value in
            value >= minimum ? nil : "out of range: at least \(minimum)"
        }
    }

    /// A decimal number accepted by `isValid` (`expected` says what is, for the message).
    public mutating func double(
        _ flag: Double?, _ name: String, env: String? = nil, default fallback: Double, expected: String, isValid: (Double) -> Bool
    ) -> Double {
        read(flag, name, env: env, default: fallback, expected: "a number", parse: { Double($0) }) { value in
            value.isFinite && isValid(value) ? nil : "out of range: \(expected)"
        }
    }

    /// Text (a path, a URL, a host); `nil` when neither the flag nor the variable is set and
    /// there is no default.
    public mutating func string(_ flag: String?, _ name: String, env: String? = nil) -> String? {
        if let env { consulted.insert(env) }
        if let flag { return flag }
        return env.flatMap(variable)
    }

    /// Text with a default.
    public mutating func string(_ flag: String?, _ name: String, env: String? = nil, default fallback: String) -> String {
        string(flag, name, env: env) ?? fallback
    }

    /// One of `choices` (e.g. log levels); the message lists them.
    public mutating func choice(_ flag: String?, _ name: String, env: String? = nil, default fallback: String, among choices: [String]) -> String {
        read(flag, name, env: env, default: fallback, expected: "one of \(choices.joined(separator: ", "))", parse: { $0 }) { value in
            choices.contains(value) ? nil : "not one of \(choices.joined(separator: ", "))"
        }
    }

    /// A boolean. `flag` is the command line's word when it said one (`--enable-events` → true,
    /// `--disable-events` → false, a plain `--audit-only` → true, absent → nil).
    public mutating func bool(_ flag: Bool?, _ name: String, env: String? = nil, default fallback: Bool) -> Bool {
        read(flag, name, env: env, default: fallback, expected: "a boolean: true, false, 1 or 0", parse: Self.parseBool) { _ in nil }
    }

    /// A plain on-switch (`@Flag var auditOnly = false`): on when given, else the variable, else off.
    public mutating func flag(_ given: Bool, _ name: String, env: String? = nil) -> Bool {
        bool(given ? true : nil, name, env: env, default: false)
    }

    /// Throws every problem found, if any.
    public func check() throws(SettingsError) {
        if !problems.isEmpty { throw SettingsError(problems: problems) }
    }

    /// Records a problem found outside the reader (a rule between two settings).
    public mutating func report(_ problem: String) {
        problems.append(problem)
    }

    /// Variables with `prefix` that are set but that no setting read: most likely a typo
    /// (`ATCR_AUDITONLY`), worth a warning.
    public func unreadVariables(prefix: String = "ATCR_") -> [String] {
        environment.keys.filter { $0.hasPrefix(prefix) && !consulted.contains($0) }.sorted()
    }

    /// `true`/`false`/`1`/`0`, any case.
    public static func parseBool(_ text: String) -> Bool? {
        switch text.lowercased() {
        case "true", "1": return true
        case "false", "0": return false
        default: return nil
        }
    }

    static func describe(_ range: ClosedRange<Int>) -> String {
        "\(range.lowerBound)…\(range.upperBound)"
    }

    /// The variable's value; an empty one counts as unset.
    private func variable(_ name: String) -> String? {
        guard let value = environment[name], !value.isEmpty else { return nil }
        return value
    }

    /// Flag, else variable (parsed), else default; `invalid` says why a value is refused.
    private mutating func read<Value>(
        _ flag: Value?, _ name: String, env: String?, default fallback: Value, expected: String,
        parse: (String) -> Value?, invalid: (Value) -> String?
    ) -> Value {
        if let env { consulted.insert(env) }
        // An environment-only setting (an executable without flags) passes its variable as `name`.
        let origin = env.map { $0 == name ? "" : " (set by \(name) or \($0))" } ?? ""
        if let flag {
            if let why = invalid(flag) {
                problems.append("\(name) \(flag): \(why)\(origin)")
                return fallback
            }
            return flag
        }
        guard let env, let text = variable(env) else { return fallback }
        guard let value = parse(text.trimmingCharacters(in: .whitespaces)) else {
            problems.append("\(env)='\(text)': not \(expected)\(origin)")
            return fallback
        }
        if let why = invalid(value) {
            problems.append("\(env)=\(text): \(why)\(origin)")
            return fallback
        }
        return value
    }
}

/// Settings that cannot be used: every problem, one line each, each naming its flag or variable.
public struct SettingsError: Error, Sendable, CustomStringConvertible {
    public let problems: [String]
    public var description: String { problems.joined(separator: "\n") }
}
