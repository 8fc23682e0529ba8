{{/* Names and labels shared by every template. */}}

{{- define "runnel.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/* <release>-runnel, or the release name when it already contains the chart name. */}}
{{- define "runnel.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 52 | trimSuffix "-" -}}
{{- else -}}
{{- $name := default .Chart.Name .Values.nameOverride -}}
{{- if contains $name .Release.Name -}}
{{- .Release.Name | trunc 52 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name $name | trunc 52 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{- define "runnel.operatorName" -}}
{{- printf "%s-operator" (include "runnel.fullname" .) -}}
{{- end -}}

{{- define "runnel.serviceAccountName" -}}
{{- if .Values.serviceAccount.create -}}
{{- default (include "runnel.operatorName" .) .Values.serviceAccount.name -}}
{{- else -}}
{{- required "serviceAccount.name is required when serviceAccount.create is false" .Values.serviceAccount.name -}}
{{- end -}}
{{- end -}}

{{/* The RunnelCluster's name: at most 52 characters (the CRD's own rule). */}}
{{- define "runnel.clusterName" -}}
{{- default (include "runnel.fullname" .) .Values.cluster.name -}}
{{- end -}}

{{- define "runnel.image" -}}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) -}}
{{- end -}}

{{- define "runnel.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" }}
app.kubernetes.io/name: {{ include "runnel.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: runnel
{{- end -}}

{{/* Selector of the operator pods (immutable in a Deployment: keep it small and stable). */}}
{{- define "runnel.operatorSelector" -}}
app.kubernetes.io/name: {{ include "runnel.name" . }}-operator
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{- define "runnel.operatorLabels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" }}
{{ include "runnel.operatorSelector" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: runnel
app.kubernetes.io/component: operator
{{- end -}}

{{/* Namespaces the operator watches, de-duplicated; empty list = all namespaces. */}}
{{- define "runnel.watchNamespaces" -}}
{{- $out := list -}}
{{- range .Values.operator.watchNamespaces -}}
{{- $out = append $out (tpl . $) -}}
{{- end -}}
{{- $out | uniq | toJson -}}
{{- end -}}

{{/* Whether the uninstall hooks are needed: the chart owns RunnelCluster/RunnelTopic objects. */}}
{{- define "runnel.cleanupEnabled" -}}
{{- if and .Values.cleanup.enabled (or .Values.cluster.enabled .Values.topics) -}}true{{- end -}}
{{- end -}}

{{- define "runnel.hasPrometheusOperator" -}}
{{- if .Capabilities.APIVersions.Has "monitoring.coreos.com/v1" -}}true{{- end -}}
{{- end -}}
