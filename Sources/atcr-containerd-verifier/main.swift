// atcr-containerd-verifier: containerd 2.x's image verifier (the `bindir` plugin), judging every
// pull on a node against the trust policy. containerd runs it as
//   <bin_dir>/atcr-containerd-verifier -name REF -digest DIGEST -stdin-media-type application/vnd.oci.descriptor.v1+json
// with the descriptor on stdin; exit 0 allows the pull, anything else blocks it; stdout is the
// reason containerd reports. Configured by ATCR_* variables only (docs/containerd.md).
import ContainerdVerifier

await VerifierProcess.main()
