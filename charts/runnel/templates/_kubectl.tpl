{{/*
A shell function `k` that runs kubectl with the pod's service account. It passes the server, CA
and token explicitly rather than relying on kubectl's in-cluster defaults, so that the token
directory can be relocated (SA_DIR; tests/e2e/node_agent.py rewrites mount paths in env values).
*/}}
{{- define "runnel.kubectlShell" -}}
set -eu
SA="${SA_DIR:-/var/run/secrets/kubernetes.io/serviceaccount}"
host="$KUBERNETES_SERVICE_HOST"
case "$host" in *:*) host="[$host]" ;; esac
k() {
  kubectl --server="https://$host:$KUBERNETES_SERVICE_PORT" \
    --certificate-authority="$SA/ca.crt" --token="$(cat "$SA/token")" \
    --cache-dir=/var/cache/kubectl --namespace={{ .Release.Namespace }} "$@"
}
{{- end -}}

{{/* The hook pod spec's shared parts: service account, security, env. */}}
{{- define "runnel.hookPodCommon" -}}
serviceAccountName: {{ include "runnel.operatorName" . }}-cleanup
restartPolicy: Never
volumes:
  # readOnlyRootFilesystem: kubectl's discovery cache goes here.
  - name: kubectl-cache
    emptyDir:
      sizeLimit: 64Mi
securityContext:
  runAsNonRoot: true
  runAsUser: 10001
  runAsGroup: 10001
  seccompProfile:
    type: RuntimeDefault
{{- with .Values.imagePullSecrets }}
imagePullSecrets:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- end -}}

{{- define "runnel.hookContainerCommon" -}}
image: {{ printf "%s:%s" .Values.cleanup.image.repository .Values.cleanup.image.tag }}
imagePullPolicy: {{ .Values.cleanup.image.pullPolicy }}
volumeMounts:
  - name: kubectl-cache
    mountPath: /var/cache/kubectl
env:
  - name: SA_DIR
    value: /var/run/secrets/kubernetes.io/serviceaccount
securityContext:
  allowPrivilegeEscalation: false
  readOnlyRootFilesystem: true
  capabilities:
    drop: [ALL]
resources:
  requests:
    cpu: 10m
    memory: 32Mi
  limits:
    memory: 128Mi
{{- end -}}
