{{/*
Named templates shared by the chart's manifests.
deploy/tools/helmcheck.py renders this chart without helm: keep to the functions it implements
(it fails naming any other), and number values through `int` before printing or comparing them
(values.yaml numbers are float64 in Helm: 1000000 prints as 1e+06).
*/}}

{{/* Chart name, or nameOverride. */}}
{{- define "pushgateway.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* "<release>-<chart>" (or the release name alone when it already holds the chart name), 63 characters at most. */}}
{{- define "pushgateway.fullname" -}}
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

{{/* Names of the chart's other components: fullname cut short enough that the suffix survives. */}}
{{- define "pushgateway.redisName" -}}
{{- printf "%s-redis" (include "pushgateway.fullname" . | trunc 57 | trimSuffix "-") }}
{{- end }}

{{- define "pushgateway.simulatorName" -}}
{{- printf "%s-feedsim" (include "pushgateway.fullname" . | trunc 55 | trimSuffix "-") }}
{{- end }}

{{/* One Job per release revision: a Job's pod template is immutable, so each upgrade gets a new one. */}}
{{- define "pushgateway.loadTestName" -}}
{{- printf "%s-loadtest-%d" (include "pushgateway.fullname" . | trunc 45 | trimSuffix "-") (int .Release.Revision) }}
{{- end }}

{{- define "pushgateway.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Labels on every resource. */}}
{{- define "pushgateway.labels" -}}
helm.sh/chart: {{ include "pushgateway.chart" . }}
app.kubernetes.io/name: {{ include "pushgateway.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: pushgateway
{{- end }}

{{/*
Selector labels of one component. Call with (dict "root" $ "component" "gateway").
Selectors are immutable: never add a label here that can change between upgrades.
*/}}
{{- define "pushgateway.selectorLabels" -}}
app.kubernetes.io/name: {{ include "pushgateway.name" .root }}
app.kubernetes.io/instance: {{ .root.Release.Name }}
app.kubernetes.io/component: {{ .component }}
{{- end }}

{{/* All labels of one component's resources. Call with (dict "root" $ "component" "gateway"). */}}
{{- define "pushgateway.componentLabels" -}}
{{ include "pushgateway.labels" .root }}
app.kubernetes.io/component: {{ .component }}
{{- end }}

{{- define "pushgateway.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "pushgateway.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{/* "repository:tag", the tag defaulting to the chart's appVersion. Call with (dict "root" $ "image" .Values.x.image). */}}
{{- define "pushgateway.image" -}}
{{- printf "%s:%s" .image.repository (default .root.Chart.AppVersion .image.tag | toString) }}
{{- end }}

{{/* ws:// URL of the gateway Service, as seen from inside the cluster. */}}
{{- define "pushgateway.serviceUrl" -}}
{{- printf "%s.%s.svc:%d" (include "pushgateway.fullname" .) .Release.Namespace (int .Values.service.port) }}
{{- end }}

{{/*
An env entry carrying the Redis configuration string under the given name: the in-release
Redis, an existing Secret, or redis.external.url. Call with (dict "root" $ "name" "Redis__ConnectionString").
*/}}
{{- define "pushgateway.redisEnv" -}}
{{- $v := .root.Values.redis -}}
- name: {{ .name }}
{{- if $v.enabled }}
  value: {{ printf "%s:6379" (include "pushgateway.redisName" .root) | quote }}
{{- else if $v.external.existingSecret }}
  valueFrom:
    secretKeyRef:
      name: {{ $v.external.existingSecret }}
      key: {{ $v.external.existingSecretKey }}
{{- else if $v.external.url }}
  value: {{ $v.external.url | quote }}
{{- else }}
{{- fail "Redis is required: set redis.enabled=true (trial Redis in the release), or redis.external.url / redis.external.existingSecret" }}
{{- end }}
{{- end }}

{{/* Gateway__DrainGracePeriod as a TimeSpan, hh:mm:ss. */}}
{{- define "pushgateway.drainTimeSpan" -}}
{{- $s := int .Values.gateway.drain.gracePeriodSeconds }}
{{- if or (lt $s 0) (gt $s 3600) }}
{{- fail (printf "gateway.drain.gracePeriodSeconds must be between 0 and 3600 (the gateway refuses a longer Gateway:DrainGracePeriod), not %d" $s) }}
{{- end }}
{{- printf "%02d:%02d:%02d" (div $s 3600) (mod (div $s 60) 60) (mod $s 60) }}
{{- end }}

{{/* preStop sleep + drain + margin: the kubelet must not SIGKILL a node that is still draining. */}}
{{- define "pushgateway.terminationGracePeriodSeconds" -}}
{{- $d := .Values.gateway.drain }}
{{- add (int $d.preStopSleepSeconds) (int $d.gracePeriodSeconds) (int $d.marginSeconds) }}
{{- end }}

{{/* Pod-level fields every component shares. */}}
{{- define "pushgateway.podCommon" -}}
serviceAccountName: {{ include "pushgateway.serviceAccountName" . }}
automountServiceAccountToken: false
{{- with .Values.imagePullSecrets }}
imagePullSecrets:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- end }}
