{{/* Chart name, overridable so the chart can be vendored under another name. */}}
{{- define "cooperllm.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Release-scoped prefix; truncated because Service names are DNS labels (63 chars). */}}
{{- define "cooperllm.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{- define "cooperllm.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "cooperllm.labels" -}}
helm.sh/chart: {{ include "cooperllm.chart" . }}
app.kubernetes.io/name: {{ include "cooperllm.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: cooperllm
{{- end }}

{{/*
Selector labels of one service. Called with (dict "root" $ "name" "<service>"), because inside the
range over services the root context is not "." any more.
*/}}
{{- define "cooperllm.selectorLabels" -}}
app.kubernetes.io/name: {{ include "cooperllm.name" .root }}
app.kubernetes.io/instance: {{ .root.Release.Name }}
app.kubernetes.io/component: {{ .name }}
{{- end }}

{{/* Name of one service's Deployment and Service, which is also its in-cluster host name. */}}
{{- define "cooperllm.componentName" -}}
{{- printf "%s-%s" (include "cooperllm.fullname" .root) .name | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "cooperllm.image" -}}
{{- $tag := .svc.image.tag | default .root.Values.image.tag | default .root.Chart.AppVersion -}}
{{- printf "%s%s:%s" .root.Values.image.registry .svc.image.repository $tag -}}
{{- end }}

{{- define "cooperllm.dbSecretName" -}}
{{- if .Values.postgresql.existingSecret }}{{ .Values.postgresql.existingSecret }}{{ else }}{{ include "cooperllm.fullname" . }}-db{{ end }}
{{- end }}

{{- define "cooperllm.authSecretName" -}}
{{- if .Values.auth.existingSecret }}{{ .Values.auth.existingSecret }}{{ else }}{{ include "cooperllm.fullname" . }}-auth{{ end }}
{{- end }}
