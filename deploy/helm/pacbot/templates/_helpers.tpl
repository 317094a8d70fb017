{{- define "pacbot.labels" -}}
app.kubernetes.io/part-of: pacbot
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ .Chart.Name }}-{{ .Chart.Version }}
{{- end -}}

{{- define "pacbot.serviceUrls" -}}
{{- $urls := dict -}}
{{- range $name, $svc := .Values.services -}}
{{- $_ := set $urls $name (printf "http://%s-%s:%v" $.Release.Name $name $svc.port) -}}
{{- end -}}
{{- toJson $urls -}}
{{- end -}}
