#!/bin/sh
# Wraps the kubectl-generated objects in objects/ in admission.k8s.io/v1 AdmissionReview
# envelopes, shaped as the API server sends them. Run from this directory; needs jq.
# The objects came from `kubectl … --dry-run=client -o json` (v1.32 client):
#   kubectl run p --image=nginx                       (pod.json; a discovery stub answered /api)
#   kubectl create deployment d --image=atcr.io/alice/prod-api:v1 --image=atcr.io/alice/sidecar:v3 --replicas=2
#   kubectl create job j --image=atcr.io/alice/batch:v2
#   kubectl create cronjob c --image=atcr.io/alice/cron@sha256:1111… --schedule='*/5 * * * *'
#   kubectl create configmap settings --from-literal=mode=strict
#   kubectl run inference --image=atcr.io/alice/prod-api:v1     (pod-image-volume.json)
# then hand-edited: namespace, initContainers, ephemeralContainers (the shape `kubectl debug`
# sends), server-set metadata on existing objects, and ReplicaSet / StatefulSet / DaemonSet /
# ReplicationController derived from the Deployment. Image volumes (`volumes[].image`, which
# kubectl cannot generate) were added by hand to pod-image-volume.json, and with jq to
# deployment-existing.json for deployment-image-volume.json (the template gains two image
# volumes, one naming an image a container already uses).
set -eu
mkdir -p reviews

# review NAME OPERATION GROUP VERSION KIND RESOURCE SUBRESOURCE OBJECT OLDOBJECT DRYRUN
review() {
    name=$1; op=$2; group=$3; version=$4; kind=$5; resource=$6; sub=$7; obj=$8; old=$9; dry=${10}
    uid=$(printf '%s' "$name" | sha256sum | cut -c1-32 | sed -E 's/(.{8})(.{4})(.{4})(.{4})(.{12})/\1-\2-\3-\4-\5/')
    objjson=null; oldjson=null
    [ "$obj" = - ] || objjson=$(cat "objects/$obj")
    [ "$old" = - ] || oldjson=$(cat "objects/$old")
    case $op in
        CREATE) opts='{"kind":"CreateOptions","apiVersion":"meta.k8s.io/v1","fieldManager":"kubectl-client-side-apply"}' ;;
        UPDATE) opts='{"kind":"UpdateOptions","apiVersion":"meta.k8s.io/v1"}' ;;
        DELETE) opts='{"kind":"DeleteOptions","apiVersion":"meta.k8s.io/v1","propagationPolicy":"Background"}' ;;
        *) opts=null ;;  # CONNECT: the connect options (PodExecOptions) arrive as `object`
    esac
    jq -n --arg uid "$uid" --arg op "$op" --arg group "$group" --arg version "$version" \
        --arg kind "$kind" --arg resource "$resource" --arg sub "$sub" \
        --argjson obj "$objjson" --argjson old "$oldjson" --argjson dry "$dry" --argjson opts "$opts" '
        ($obj // $old) as $subject |
        {apiVersion: "admission.k8s.io/v1", kind: "AdmissionReview", request: ({
            uid: $uid,
            kind: {group: $group, version: $version, kind: $kind},
            resource: {group: $group, version: $version, resource: $resource},
            requestKind: {group: $group, version: $version, kind: $kind},
            requestResource: {group: $group, version: $version, resource: $resource}
        } + (if $sub == "" then {} else {subResource: $sub, requestSubResource: $sub} end) + {
            name: ($subject.metadata.name // "p"),  # CONNECT: the pod exec attaches to
            namespace: "production",
            operation: $op,
            userInfo: {username: "alice@example.com", uid: "u-1001", groups: ["developers", "system:authenticated"]},
            object: $obj,
            oldObject: $old,
            dryRun: $dry,
            options: $opts
        })}' > "reviews/$name.json"
}

review pod-create                  CREATE ""    v1 Pod                   pods                   ""  pod.json                   -                         false
review pod-create-dryrun           CREATE ""    v1 Pod                   pods                   ""  pod.json                   -                         true
review deployment-create           CREATE apps  v1 Deployment            deployments            ""  deployment.json            -                         false
review replicaset-create           CREATE apps  v1 ReplicaSet            replicasets            ""  replicaset.json            -                         false
review statefulset-create          CREATE apps  v1 StatefulSet           statefulsets           ""  statefulset.json           -                         false
review daemonset-create            CREATE apps  v1 DaemonSet             daemonsets             ""  daemonset.json             -                         false
review job-create                  CREATE batch v1 Job                   jobs                   ""  job.json                   -                         false
review cronjob-create              CREATE batch v1 CronJob               cronjobs               ""  cronjob.json               -                         false
review replicationcontroller-create CREATE "" v1 ReplicationController replicationcontrollers ""  replicationcontroller.json -                         false
review pod-debug-ephemeral         UPDATE ""    v1 Pod                   pods   ephemeralcontainers pod-running-debug.json     pod-running.json          false
review deployment-scale            UPDATE apps  v1 Deployment            deployments            ""  deployment-scaled.json     deployment-existing.json  false
review deployment-new-sidecar      UPDATE apps  v1 Deployment            deployments            ""  deployment-new-sidecar.json deployment-existing.json false
review pod-finalizer-removal       UPDATE ""    v1 Pod                   pods                   ""  pod-terminating-finalized.json pod-terminating.json false
review pod-delete                  DELETE ""    v1 Pod                   pods                   ""  -                          pod-running.json          false
review pod-exec-connect            CONNECT ""   v1 PodExecOptions        pods                   exec podexecoptions.json       -                         false
review configmap-create            CREATE ""    v1 ConfigMap             configmaps             ""  configmap.json             -                         false
review pod-image-volume-create     CREATE ""    v1 Pod                   pods                   ""  pod-image-volume.json      -                         false
review deployment-image-volume     UPDATE apps  v1 Deployment            deployments            ""  deployment-image-volume.json deployment-existing.json false
