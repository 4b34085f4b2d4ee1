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
Selector labels of one component. Called with (dict "root" $ "name" "<component>"), because inside the
range over services the root context is not "." any more.
*/}}
{{- define "cooperllm.selectorLabels" -}}
app.kubernetes.io/name: {{ include "cooperllm.name" .root }}
app.kubernetes.io/instance: {{ .root.Release.Name }}
app.kubernetes.io/component: {{ .name }}
{{- end }}

{{/* Name of one component's workload and Service, which is also its in-cluster host name. */}}
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

{{/* Where the services find Kafka: the chart's own node, or the servers the values name. */}}
{{- define "cooperllm.kafkaBootstrap" -}}
{{- if eq .Values.kafka.mode "internal" -}}
{{- printf "%s:9092" (include "cooperllm.componentName" (dict "root" . "name" "kafka")) -}}
{{- else -}}
{{- required "kafka.bootstrapServers is required when kafka.mode is external (host:port[,host:port])" .Values.kafka.bootstrapServers -}}
{{- end -}}
{{- end }}

{{- define "cooperllm.jdbcUrl" -}}
{{- if eq .Values.postgresql.mode "internal" -}}
{{- printf "jdbc:postgresql://%s:5432/%s" (include "cooperllm.componentName" (dict "root" . "name" "postgresql")) .Values.postgresql.database -}}
{{- else -}}
{{- required "postgresql.jdbcUrl is required when postgresql.mode is external (jdbc:postgresql://host:5432/database)" .Values.postgresql.jdbcUrl -}}
{{- end -}}
{{- end }}

{{/*
Pod and container security shared by every workload of the chart, the chart's Kafka and PostgreSQL
included. Not values on purpose: a chart that lets these be switched off per install invites it.
Called with (dict "uid" <uid>).
*/}}
{{- define "cooperllm.podSecurityContext" -}}
runAsNonRoot: true
runAsUser: {{ .uid }}
runAsGroup: {{ .uid }}
fsGroup: {{ .uid }}
# Re-own a volume only when its root does not match yet: a recursive chmod on every start would give
# PostgreSQL's data folder group-write, and PostgreSQL refuses to start on that.
fsGroupChangePolicy: OnRootMismatch
seccompProfile:
  type: RuntimeDefault
{{- end }}

{{- define "cooperllm.containerSecurityContext" -}}
allowPrivilegeEscalation: false
readOnlyRootFilesystem: true
runAsNonRoot: true
capabilities:
  drop: ["ALL"]
{{- end }}

{{/* The release's pods scheduling: global nodeSelector with the component's own merged over it. */}}
{{- define "cooperllm.scheduling" -}}
{{- $nodeSelector := merge (deepCopy (.own | default dict)) (deepCopy .root.Values.nodeSelector) }}
{{- with $nodeSelector }}
nodeSelector:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with .root.Values.affinity }}
affinity:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with .root.Values.tolerations }}
tolerations:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- end }}

{{/*
Checks that need more than the schema: secrets that must be given, and choices that exclude each other.
Included by the Secret template, which every install renders, so a bad install fails before anything is
applied.
*/}}
{{- define "cooperllm.validate" -}}
{{- if not .Values.auth.existingSecret }}
{{- $token := required "auth.tokenSecret is required (at least 24 characters; e.g. openssl rand -hex 32), or name a Secret in auth.existingSecret" .Values.auth.tokenSecret }}
{{- $admin := required "auth.adminToken is required (at least 24 characters; e.g. openssl rand -hex 24), or name a Secret in auth.existingSecret" .Values.auth.adminToken }}
{{- $internal := required "auth.internalToken is required (at least 24 characters; e.g. openssl rand -hex 32), or name a Secret in auth.existingSecret" .Values.auth.internalToken }}
{{- if or (lt (len $token) 24) (hasPrefix "change-me" $token) }}
{{- fail "auth.tokenSecret must have at least 24 characters and must not be a change-me placeholder" }}
{{- end }}
{{- if or (lt (len $admin) 24) (hasPrefix "change-me" $admin) }}
{{- fail "auth.adminToken must have at least 24 characters and must not be a change-me placeholder" }}
{{- end }}
{{- if or (lt (len $internal) 24) (hasPrefix "change-me" $internal) }}
{{- fail "auth.internalToken must have at least 24 characters and must not be a change-me placeholder" }}
{{- end }}
{{- end }}
{{- if not .Values.postgresql.existingSecret }}
{{- $password := required "postgresql.password is required, or name a Secret in postgresql.existingSecret" .Values.postgresql.password }}
{{- if hasPrefix "change-me" $password }}
{{- fail "postgresql.password must not be a change-me placeholder" }}
{{- end }}
{{- end }}
{{- if and (eq .Values.kafka.mode "internal") .Values.kafka.bootstrapServers }}
{{- fail "kafka.bootstrapServers is only read when kafka.mode is external; remove it or set kafka.mode=external" }}
{{- end }}
{{- if and (eq .Values.postgresql.mode "internal") .Values.postgresql.jdbcUrl }}
{{- fail "postgresql.jdbcUrl is only read when postgresql.mode is external; remove it or set postgresql.mode=external" }}
{{- end }}
{{- $data := .Values.services.trainer.publicData }}
{{- $sources := 0 }}
{{- range (list $data.configMap $data.existingClaim $data.url) }}{{ if . }}{{ $sources = add1 $sources }}{{ end }}{{ end }}
{{- if gt $sources 1 }}
{{- fail "services.trainer.publicData: set only one of configMap, existingClaim and url" }}
{{- end }}
{{- range $name, $svc := .Values.services }}
{{- if $svc.enabled }}
{{- range $svc.calls }}
{{- if not (hasKey $.Values.services .) }}
{{- fail (printf "services.%s.calls names %q, which is not a service" $name .) }}
{{- end }}
{{- if not (index $.Values.services .).enabled }}
{{- fail (printf "services.%s calls %s, which is disabled" $name .) }}
{{- end }}
{{- end }}
{{- end }}
{{- end }}
{{- end }}

{{/* The chart's Kafka node configuration (kafka.mode=internal). */}}
{{- define "cooperllm.kafkaServerProperties" -}}
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@localhost:9093
listeners=PLAINTEXT://:9092,CONTROLLER://:9093
advertised.listeners=PLAINTEXT://{{ include "cooperllm.componentName" (dict "root" . "name" "kafka") }}:9092
controller.listener.names=CONTROLLER
listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT
inter.broker.listener.name=PLAINTEXT
# A subfolder: a fresh volume may hold lost+found, which Kafka would take for a broken log.
log.dirs=/var/lib/kafka/data/logs
# The services create the cooperllm.*.v1 topics on first use.
auto.create.topics.enable=true
num.partitions={{ .Values.kafka.internal.partitions }}
offsets.topic.replication.factor=1
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
group.initial.rebalance.delay.ms=0
{{- end }}
