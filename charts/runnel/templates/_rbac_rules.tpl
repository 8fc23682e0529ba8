{{/*
The operator's permissions, exactly the calls it makes (operator/controllers, operator/kube):
informers list+watch RunnelCluster, RunnelTopic, StatefulSet, Pod, ConfigMap, Service; the
cluster controller server-side applies (create+patch) its children and deletes pods during
rolling restarts; ownerReferences with blockOwnerDeletion need update on runnelclusters/finalizers;
the topic controller patches finalizers/annotations and both write /status; events are created
or patched.
*/}}
{{- define "runnel.operatorRules" -}}
- apiGroups: [runnel.dev]
  resources: [runnelclusters, runneltopics]
  verbs: [get, list, watch, patch, update]
- apiGroups: [runnel.dev]
  resources: [runnelclusters/status, runneltopics/status]
  verbs: [get, patch, update]
- apiGroups: [runnel.dev]
  resources: [runnelclusters/finalizers, runneltopics/finalizers]
  verbs: [update]
- apiGroups: [""]
  resources: [configmaps, services]
  verbs: [get, list, watch, create, patch, update, delete]
- apiGroups: [apps]
  resources: [statefulsets]
  verbs: [get, list, watch, create, patch, update, delete]
- apiGroups: [policy]
  resources: [poddisruptionbudgets]
  verbs: [get, list, watch, create, patch, update, delete]
- apiGroups: [""]
  resources: [pods]
  verbs: [get, list, watch, delete]
- apiGroups: ["", events.k8s.io]
  resources: [events]
  verbs: [create, patch]
{{- end -}}

{{/* Leader election: the Lease in the release namespace only. */}}
{{- define "runnel.leaderElectionRules" -}}
- apiGroups: [coordination.k8s.io]
  resources: [leases]
  verbs: [get, create, update, patch]
- apiGroups: ["", events.k8s.io]
  resources: [events]
  verbs: [create, patch]
{{- end -}}
