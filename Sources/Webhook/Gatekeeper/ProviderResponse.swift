import ATProto
import Admission

/// A Gatekeeper external-data `ProviderResponse`: one item per key, or a `systemError`.
///
/// ```json
/// {"apiVersion":"externaldata.gatekeeper.sh/v1beta1","kind":"ProviderResponse","response":{"idempotent":true,
///  "items":[{"key":"…:v1","value":{"decision":"allow","digest":"sha256:…","signers":["did:plc:…"],"policy":"production-images",…}},
///           {"key":"…","value":{"decision":"deny",…},"error":"… violates policy production-images: …"}]}}
/// ```
///
/// An item carries `error` exactly when its image is denied (the policy denies, which includes
/// "verification could not finish" under an enforce policy): Gatekeeper hands it to Rego's
/// `errors`, and the ConstraintTemplate (manifests/gatekeeper/) denies. An admitted image
/// (allowed, or an audit finding) has no `error`; its `value.decision` says which. Answers are
/// `idempotent` (the same key gets the same answer while the evidence holds), as Gatekeeper's
/// mutation path requires. Pure: rendering only.
public enum ProviderResponse {
    public static let apiVersion = "externaldata.gatekeeper.sh/v1beta1"

    /// The response for decided keys, in request order.
    public static func items(_ decisions: [(key: String, decision: ImageDecision)]) -> String {
        let items: [JSONValue] = decisions.map { key, decision in
            var members = [
                JSONMember(name: "key", value: .string(key)),
                JSONMember(name: "value", value: value(of: decision)),
            ]
            if decision.verdict == .deny { members.append(JSONMember(name: "error", value: .string(decision.summaryLine))) }
            return .object(members)
        }
        return envelope(.object([
            JSONMember(name: "idempotent", value: .bool(true)),
            JSONMember(name: "items", value: .array(items)),
        ]))
    }

    /// The response for a request that cannot be answered key by key (malformed, over the key
    /// bound, no policy loaded, a client that may not ask). Gatekeeper does not cache it.
    public static func systemError(_ message: String) -> String {
        envelope(.object([JSONMember(name: "systemError", value: .string(message))]))
    }

    /// What Rego sees as the key's value: the decision, the digest, the signers and the policy.
    static func value(of decision: ImageDecision) -> JSONValue {
        func string(_ text: String?) -> JSONValue { text.map(JSONValue.string) ?? .null }
        var members = [
            JSONMember(name: "decision", value: .string(decision.verdict.rawValue)),
            JSONMember(name: "digest", value: string(decision.digest)),
            JSONMember(name: "signers", value: .array(decision.signers.map(JSONValue.string))),
            // The deciding policy; null when no policy matched and defaultAction decided.
            JSONMember(name: "policy", value: string(decision.decidingPolicyName)),
            JSONMember(name: "policies", value: .array(decision.decision.results.map { .string($0.policy) })),
            JSONMember(name: "reason", value: .string(decision.summaryLine)),
        ]
        if let failure = decision.verificationFailure {
            members.append(JSONMember(name: "verificationError", value: .string(failure.description)))
        }
        if !decision.notes.isEmpty {
            members.append(JSONMember(name: "warnings", value: .array(decision.notes.map(JSONValue.string))))
        }
        return .object(members)
    }

    private static func envelope(_ response: JSONValue) -> String {
        JSONValue.object([
            JSONMember(name: "apiVersion", value: .string(apiVersion)),
            JSONMember(name: "kind", value: .string("ProviderResponse")),
            JSONMember(name: "response", value: response),
        ]).serialized
    }
}
